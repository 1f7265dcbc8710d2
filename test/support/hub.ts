import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { createHub, type Hub } from '../../src/app.js';
import { configSchema, type HubConfig } from '../../src/config/index.js';
import { type Database, openDatabase } from '../../src/storage/index.js';

export const TEST_ADMIN_KEY = 'thadm_test_admin_key_0123456789';

export interface TestHub {
  url: string;
  /** Base URL for OpenAI SDK clients (`…/v1`). */
  openaiBaseUrl: string;
  adminKey: string;
  hub: Hub;
  dataDir: string;
  close(): Promise<void>;
}

/** The config input accepted by the schema (defaults applied by parsing). */
export type ConfigInput = Parameters<typeof configSchema.parse>[0];

let schemaCounter = 0;

/**
 * Starts a real hub on an ephemeral port: PGlite in memory, or PostgreSQL in a fresh schema when
 * TOKENHUB_TEST_DATABASE_URL is set (Redis likewise with TOKENHUB_TEST_REDIS_URL).
 */
export interface TestHubOverrides {
  adminKey?: string;
  dataDir?: string;
  /** Share one database between hubs (replicas); the caller closes it. */
  database?: Database;
  /** Redis for cluster state (default: TOKENHUB_TEST_REDIS_URL); replicas pass the same URL and prefix. */
  redisUrl?: string;
  redisKeyPrefix?: string;
  /** OTLP/HTTP traces URL: turns tracing on. */
  otlpEndpoint?: string;
  /** TOKENHUB_SECRET_KEY and TOKENHUB_SECRET_KEY_PREVIOUS. */
  secretKey?: string;
  previousSecretKeys?: string[];
  /** Full reload interval of admin-managed providers and models (0: only change messages). */
  upstreamReloadMs?: number;
  /** The hub's logger (default: silent, or TOKENHUB_TEST_LOG_LEVEL), e.g. to read what it logs. */
  logger?: pino.Logger;
  /** E2B_API_KEY: turns on the e2b sandbox provider. */
  e2bApiKey?: string;
}

export async function startTestHub(config: ConfigInput, overrides: TestHubOverrides = {}): Promise<TestHub> {
  const parsed: HubConfig = configSchema.parse(config);
  const dataDir = overrides.dataDir ?? (await mkdtemp(join(tmpdir(), 'tokenhub-test-')));
  const databaseUrl = overrides.database ? undefined : process.env.TOKENHUB_TEST_DATABASE_URL;
  const schema = `t_${process.pid}_${Date.now().toString(36)}_${schemaCounter++}`;
  const database = overrides.database ?? (databaseUrl ? await openDatabase({ url: databaseUrl, schema }) : await openDatabase({}));
  const redisUrl = overrides.redisUrl ?? process.env.TOKENHUB_TEST_REDIS_URL;
  const adminKey = overrides.adminKey ?? TEST_ADMIN_KEY;
  const hub = await createHub({
    config: parsed,
    dataDir,
    database,
    adminKey,
    logger: overrides.logger ?? pino({ level: process.env.TOKENHUB_TEST_LOG_LEVEL ?? 'silent' }),
    ...(overrides.otlpEndpoint ? { otlpEndpoint: overrides.otlpEndpoint } : {}),
    ...(overrides.secretKey ? { secretKey: overrides.secretKey } : {}),
    ...(overrides.previousSecretKeys ? { previousSecretKeys: overrides.previousSecretKeys } : {}),
    ...(overrides.upstreamReloadMs !== undefined ? { upstreamReloadMs: overrides.upstreamReloadMs } : {}),
    ...(overrides.e2bApiKey ? { e2bApiKey: overrides.e2bApiKey } : {}),
    ...(redisUrl ? { redisUrl, redisKeyPrefix: overrides.redisKeyPrefix ?? `tokenhub-test:${schema}:` } : {}),
  });
  const url = await hub.listen(0, '127.0.0.1');
  return {
    url,
    openaiBaseUrl: `${url}/v1`,
    adminKey,
    hub,
    dataDir,
    async close() {
      await hub.close();
      if (!overrides.database) {
        if (databaseUrl) await database.query(`drop schema if exists "${schema}" cascade`).catch(() => {});
        await database.close();
      }
      if (!overrides.dataDir) await rm(dataDir, { recursive: true, force: true });
    },
  };
}
