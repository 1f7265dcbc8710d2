import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { type Database, migrate, openDatabase } from '../../src/storage/index.js';

export interface TestDb {
  db: Database;
  /** Closes the connection and, on PostgreSQL, drops the test's schema. */
  close(): Promise<void>;
}

/** The PostgreSQL server the shared storage suites also run on, when the environment names one. */
export const TEST_DATABASE_URL = process.env.TOKENHUB_TEST_DATABASE_URL;

/**
 * A migrated database for one test file: PGlite in memory, or, when TOKENHUB_TEST_DATABASE_URL is
 * set, PostgreSQL in a fresh schema of its own so concurrent files never see each other's rows.
 */
export async function getTestDb(options: { engine?: 'pglite' | 'postgres' } = {}): Promise<TestDb> {
  const engine = options.engine ?? (TEST_DATABASE_URL ? 'postgres' : 'pglite');
  if (engine === 'pglite') {
    const db = await openDatabase({});
    await migrate(db);
    return { db, close: () => db.close() };
  }
  if (!TEST_DATABASE_URL) throw new Error('TOKENHUB_TEST_DATABASE_URL is not set');
  const url = TEST_DATABASE_URL;
  const schema = `test_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
  const db = await openDatabase({ url, schema });
  await migrate(db);
  return {
    db,
    close: async () => {
      await db.close();
      const admin = new pg.Client({ connectionString: url });
      await admin.connect();
      try {
        await admin.query(`drop schema if exists "${schema}" cascade`);
      } finally {
        await admin.end();
      }
    },
  };
}

/** The engines a shared storage suite runs on here: PGlite always, PostgreSQL when configured. */
export const TEST_ENGINES: ('pglite' | 'postgres')[] = TEST_DATABASE_URL ? ['pglite', 'postgres'] : ['pglite'];

/** A Redis URL for cluster tests, and a key prefix no other test shares. */
export const TEST_REDIS_URL = process.env.TOKENHUB_TEST_REDIS_URL;

export function uniqueRedisPrefix(label: string): string {
  return `test:${label}:${Date.now().toString(36)}${randomBytes(3).toString('hex')}:`;
}

/**
 * The Redis to run cluster tests against: TOKENHUB_TEST_REDIS_URL, else a local server on the
 * default port if one answers; undefined means those tests are skipped.
 */
export async function findTestRedis(): Promise<string | undefined> {
  if (TEST_REDIS_URL) return TEST_REDIS_URL;
  const { Socket } = await import('node:net');
  return new Promise((resolve) => {
    const socket = new Socket();
    const done = (url: string | undefined) => {
      socket.destroy();
      resolve(url);
    };
    socket.setTimeout(300, () => done(undefined));
    socket.once('error', () => done(undefined));
    socket.connect(6379, '127.0.0.1', () => done('redis://127.0.0.1:6379'));
  });
}
