import { mkdir } from 'node:fs/promises';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { openPgliteThread } from './pglite-thread.js';

/** The two engines behind one interface: parameterised SQL, transactions, a health check. */
export interface Database {
  readonly engine: 'pglite' | 'postgres';
  /** True where statements run on the caller's event loop (PGlite in process): long work must be sliced. */
  readonly onEventLoop: boolean;
  query<Row = Record<string, unknown>>(sql: string, params?: unknown[], options?: QueryOptions): Promise<Row[]>;
  /** Runs several statements (no parameters), e.g. a migration. */
  exec(sql: string): Promise<void>;
  /** Runs `work` in one transaction on one connection. */
  transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T>;
  /** True while the engine answers a trivial query. */
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

export interface QueryOptions {
  /**
   * Work no request waits for (the ledger flush): PGlite's thread runs it at the lowest priority, so on a
   * busy core requests preempt it. Engines that do the work elsewhere ignore it.
   */
  background?: boolean;
}

export interface Queryable {
  query<Row = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<Row[]>;
}

export interface OpenDatabaseOptions {
  /** postgres://… for PostgreSQL; otherwise PGlite. */
  url?: string;
  /** PGlite data directory; omitted means in memory. */
  dataDir?: string;
  /** PostgreSQL schema to use (tests isolate themselves in one each). */
  schema?: string;
  /** PGlite data dir tarball to start from (skips initdb). */
  loadDataDir?: Blob;
  /** PGlite on its own thread (default) or, with false, on the caller's event loop. */
  thread?: boolean;
}

export async function openDatabase(options: OpenDatabaseOptions): Promise<Database> {
  if (options.url) return openPostgres(options.url, options.schema);
  if (options.dataDir) await mkdir(options.dataDir, { recursive: true });
  const pglite = {
    ...(options.dataDir ? { dataDir: options.dataDir } : {}),
    ...(options.loadDataDir ? { loadDataDir: options.loadDataDir } : {}),
  };
  return options.thread === false ? openPgliteInProcess(pglite) : openPgliteThread(pglite);
}

async function openPgliteInProcess(options: { dataDir?: string; loadDataDir?: Blob }): Promise<Database> {
  const client = await PGlite.create(options);
  const query = async <Row>(sql: string, params?: unknown[]): Promise<Row[]> => (await client.query<Row>(sql, params as unknown[])).rows;
  return {
    engine: 'pglite',
    onEventLoop: true,
    query,
    exec: async (sql) => {
      await client.exec(sql);
    },
    transaction: (work) =>
      client.transaction((tx) => work({ query: async (sql, params) => (await tx.query(sql, params as unknown[])).rows as never })),
    ping: async () => {
      try {
        await client.query('select 1');
        return true;
      } catch {
        return false;
      }
    },
    close: () => client.close(),
  };
}

async function openPostgres(url: string, schema?: string): Promise<Database> {
  const pool = new pg.Pool({
    connectionString: url,
    max: 10,
    connectionTimeoutMillis: 5_000,
    // Idle connections and their 10 s idle timers must not hold the process up (nor count as pending work).
    allowExitOnIdle: true,
    ...(schema ? { options: `-c search_path=${schema}` } : {}),
  });
  // An idle client's error (server restart) must not crash the process; the pool replaces it.
  pool.on('error', () => {});
  if (schema) {
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    try {
      await admin.query(`create schema if not exists "${schema.replaceAll('"', '')}"`);
    } finally {
      await admin.end();
    }
  }
  const query = async <Row>(sql: string, params?: unknown[]): Promise<Row[]> => (await pool.query(sql, params as unknown[])).rows as Row[];
  return {
    engine: 'postgres',
    onEventLoop: false,
    query,
    exec: async (sql) => {
      await pool.query(sql);
    },
    transaction: async (work) => {
      const client = await pool.connect();
      try {
        await client.query('begin');
        const result = await work({ query: async (sql, params) => (await client.query(sql, params as unknown[])).rows as never });
        await client.query('commit');
        return result;
      } catch (error) {
        await client.query('rollback').catch(() => {});
        throw error;
      } finally {
        client.release();
      }
    },
    ping: async () => {
      try {
        await pool.query('select 1');
        return true;
      } catch {
        return false;
      }
    },
    close: () => pool.end(),
  };
}
