import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { adminRoutes, selfServiceRoutes } from './admin/index.js';
import type { HubConfig } from './config/index.js';
import { picosToUsd } from './core/index.js';
import { createEconomy, type Economy, generateAdminKey, hashSecret } from './economy/index.js';
import { createGatewayApp, createGatewayClient, type GatewayClient } from './gateway/index.js';
import { createLogger, createTracer, HubMetrics, type Tracer } from './observability/index.js';
import { createProvider, type Provider } from './providers/index.js';
import { ModelCatalog, Router } from './routing/index.js';
import { type Database, migrate, openDatabase, responsesStore, SettingsRepository } from './storage/index.js';

export interface HubOptions {
  config: HubConfig;
  /** Where PGlite and the usage journal live (default ./.tokenhub). */
  dataDir: string;
  /** postgres://… switches the store from PGlite to PostgreSQL. */
  databaseUrl?: string;
  /** PostgreSQL schema (tests isolate themselves in one each). */
  databaseSchema?: string;
  /** An already opened database (tests); the hub migrates it but does not close it. */
  database?: Database;
  redisUrl?: string;
  /** Prefix of every Redis key and channel (tests isolate themselves with one each). */
  redisKeyPrefix?: string;
  /** The admin key; when absent one is generated on first start, printed once and stored hashed. */
  adminKey?: string;
  logger?: Logger;
  /** Called with a newly generated admin key (default: printed to stderr). */
  onAdminKeyGenerated?: (key: string) => void;
  /** OTLP/HTTP traces URL (`TOKENHUB_OTLP_ENDPOINT`); absent: tracing off. */
  otlpEndpoint?: string;
}

export interface Hub {
  app: FastifyInstance;
  db: Database;
  client: GatewayClient;
  economy: Economy;
  logger: Logger;
  /** The no-op tracer unless `otlpEndpoint` was given. */
  tracer: Tracer;
  listen(port: number, host: string): Promise<string>;
  /** Stops accepting, drains in-flight requests up to the configured deadline, then closes everything. */
  close(): Promise<void>;
}

const ADMIN_KEY_SETTING = 'admin_key_sha256';

/** Composition root: builds the object graph from config. */
export async function createHub(options: HubOptions): Promise<Hub> {
  const logger = options.logger ?? createLogger();
  const db =
    options.database ??
    (await openDatabase({
      ...(options.databaseUrl ? { url: options.databaseUrl } : { dataDir: join(options.dataDir, 'pg') }),
      ...(options.databaseSchema ? { schema: options.databaseSchema } : {}),
    }));
  await migrate(db);
  const adminKeyHash = await resolveAdminKeyHash(db, options);

  const tracer = await createTracer({ endpoint: options.otlpEndpoint });
  const providers = new Map<string, Provider>();
  for (const providerConfig of options.config.providers) providers.set(providerConfig.id, createProvider(providerConfig));
  const catalog = new ModelCatalog(options.config);
  const router = new Router(catalog, providers, options.config.routing);
  let economyRef: Economy | undefined;
  const metrics = new HubMetrics({ breakerStates: () => router.breakerStates(), journalLag: () => economyRef?.journalLag() ?? 0 });
  const economy = await createEconomy({
    db,
    dataDir: options.dataDir,
    config: options.config,
    adminKeyHash,
    logger,
    ...(options.redisUrl ? { redisUrl: options.redisUrl } : {}),
    ...(options.redisKeyPrefix ? { redisKeyPrefix: options.redisKeyPrefix } : {}),
    onSettled: (entry) =>
      metrics.observeSpend({
        tenant: entry.tenantId ?? 'admin',
        model: entry.modelServed,
        provider: entry.providerId ?? 'none',
        inputTokens: entry.inputTokens,
        outputTokens: entry.outputTokens,
        cachedInputTokens: entry.cachedTokens,
        costUsd: picosToUsd(entry.costPicos),
      }),
  });
  economyRef = economy;
  const upstreams = upstreamAddresses(options.config);

  const { app, pipeline } = await createGatewayApp({
    server: options.config.server,
    catalog,
    router,
    economy: economy.gate,
    logger,
    metrics,
    ...(tracer.enabled ? { tracing: { tracer, upstreamOf: (providerId: string) => upstreams.get(providerId) } } : {}),
    readiness: async () => {
      const state = await economy.readiness();
      return { ok: state.ok, checks: { config: 'loaded', migrations: 'applied', ...state.checks } };
    },
    responses: { store: responsesStore(db), config: options.config.responses, providers: options.config.providers },
    extensions: [
      async (app) => {
        await app.register(adminRoutes({ economy, db }));
        await app.register(selfServiceRoutes({ economy }));
      },
    ],
  });

  let closed = false;
  return {
    app,
    db,
    client: createGatewayClient(pipeline),
    economy,
    logger,
    tracer,
    async listen(port, host) {
      return app.listen({ port, host });
    },
    async close() {
      if (closed) return;
      closed = true;
      await closeWithin(app, options.config.server.drain_timeout_ms);
      await economy.close().catch((error: unknown) => logger.error({ err: error }, 'economy close failed'));
      await Promise.allSettled([...providers.values()].map((provider) => provider.close()));
      await tracer.shutdown().catch((error: unknown) => logger.warn({ err: error }, 'trace export on close failed'));
      metrics.close();
      if (!options.database) await db.close();
    },
  };
}

/** `server.address`/`server.port` of each provider with a configured base URL. */
function upstreamAddresses(config: HubConfig): Map<string, { address: string; port?: number }> {
  const addresses = new Map<string, { address: string; port?: number }>();
  for (const provider of config.providers) {
    if (!provider.base_url) continue;
    const url = new URL(provider.base_url);
    addresses.set(provider.id, { address: url.hostname, ...(url.port ? { port: Number(url.port) } : {}) });
  }
  return addresses;
}

async function resolveAdminKeyHash(db: Database, options: HubOptions): Promise<string> {
  if (options.adminKey) return hashSecret(options.adminKey);
  const settings = new SettingsRepository(db);
  const stored = await settings.get(ADMIN_KEY_SETTING);
  if (stored) return stored;
  const key = generateAdminKey();
  const winner = await settings.setIfAbsent(ADMIN_KEY_SETTING, hashSecret(key));
  if (winner === hashSecret(key)) {
    (
      options.onAdminKeyGenerated ??
      ((generated) => process.stderr.write(`\nTokenHub admin key (shown once, stored hashed): ${generated}\n\n`))
    )(key);
  }
  return winner;
}

/** Graceful close: in-flight requests get until the deadline, then connections are cut. */
async function closeWithin(app: FastifyInstance, deadlineMs: number): Promise<void> {
  const timer = setTimeout(() => app.server.closeAllConnections(), deadlineMs);
  try {
    app.server.closeIdleConnections();
    await app.close();
  } finally {
    clearTimeout(timer);
  }
}
