import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import {
  adminApiPaths,
  adminRoutes,
  appApiPaths,
  ledgerApiPaths,
  playgroundApiPaths,
  playgroundRoutes,
  selfServiceRoutes,
  tenantScopedApiPaths,
  tenantScopedRoutes,
  UpstreamControl,
  usageApiPaths,
} from './admin/index.js';
import { type AgentRuntime, agentApiPaths, resealToolSecrets } from './agents/index.js';
import { agentModelsOf, composeAgents, tenantAuthenticator } from './app-agents.js';
import { composeInbox } from './app-inbox.js';
import { composeSandboxes, type HubSandboxes } from './app-sandboxes.js';
import { supplierMatchEmbeddings } from './app-supplier-match.js';
import { composeWorkflows, type HubWorkflows } from './app-workflows.js';
import { SiteBuilderApp, siteBuilderApiPaths, siteBuildRoutes, siteRoutes } from './apps/site-builder/index.js';
import { SupplierMatchApp } from './apps/supplier-match/index.js';
import { SupportApp, supportChatRoutes } from './apps/support/index.js';
import { StartError } from './cli/start-error.js';
import { ConfigError, type HubConfig, type UpstreamUrlPolicyConfig } from './config/index.js';
import { createSecretBox, picosToUsd } from './core/index.js';
import { createEconomy, type Economy, generateAdminKey, hashSecret, VIRTUAL_KEY_PREFIX } from './economy/index.js';
import { AccessLog, createGatewayApp, createGatewayClient, type GatewayClient } from './gateway/index.js';
import { Identity, identityApiPaths, identityRoutes } from './identity/index.js';
import { type Inbox, inboxApiPaths, inboxWebhookApiPaths } from './inbox/index.js';
import { createLogger, createTracer, HubMetrics, type Tracer } from './observability/index.js';
import {
  allowEntryProblems,
  createProvider,
  isScriptedProvider,
  type Provider,
  type ScriptedProvider,
  type UpstreamAddressPolicy,
} from './providers/index.js';
import { ModelCatalog, Router, UpstreamRegistry } from './routing/index.js';
import { sandboxApiPaths } from './sandboxes/index.js';
import { type Database, migrate, openDatabase, responsesStore, SettingsRepository } from './storage/index.js';
import { workflowApiPaths } from './workflows/index.js';

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
  /** Seals provider secrets stored through the admin API (`TOKENHUB_SECRET_KEY`, at least 32 characters). */
  secretKey?: string;
  /** Earlier secret keys, still opening what they sealed until `POST /admin/v1/secrets/rotate` (`TOKENHUB_SECRET_KEY_PREVIOUS`). */
  previousSecretKeys?: string[];
  /** E2B's API key (`E2B_API_KEY`): with it, sandboxes can run on E2B (`sandboxes.provider: e2b`, per tenant or per request). */
  e2bApiKey?: string;
  /** How often admin-managed providers and models are fully re-read from the database (default 60 s). */
  upstreamReloadMs?: number;
  /** Told as each start-up stage begins, for the CLI's progress lines. */
  onStage?: (stage: StartStage) => void;
}

export type StartStage = 'database' | 'migrations' | 'journal' | 'providers';

export interface Hub {
  app: FastifyInstance;
  db: Database;
  client: GatewayClient;
  /** Agent definitions, runs and the engine that executes them. */
  agents: AgentRuntime;
  /** Workflow definitions and their versions. */
  workflows: HubWorkflows;
  sandboxes: HubSandboxes;
  /** People: users, roles, sessions, and the permission guard. */
  identity: Identity;
  /** The human inbox: tasks, claims, take-over, webhooks. */
  inbox: Inbox;
  /** The support app: installations, their stores and tools. */
  support: SupportApp;
  economy: Economy;
  logger: Logger;
  /** The no-op tracer unless `otlpEndpoint` was given. */
  tracer: Tracer;
  /** A `type: scripted` provider of the config file, to set its script at run time (tests, demos); throws for any other id. */
  scripted(providerId: string): ScriptedProvider;
  listen(port: number, host: string): Promise<string>;
  /** Stops accepting, drains in-flight requests up to the configured deadline, then closes everything. */
  close(): Promise<void>;
}

const ADMIN_KEY_SETTING = 'admin_key_sha256';

/** Composition root: builds the object graph from config. */
export async function createHub(options: HubOptions): Promise<Hub> {
  // Settings that can be wrong fail before anything is opened.
  const secretBox = options.secretKey ? createSecretBox(options.secretKey, options.previousSecretKeys ?? []) : undefined;
  const policy = upstreamAddressPolicy(options.config.security.upstream_urls);
  if (options.adminKey?.startsWith(VIRTUAL_KEY_PREFIX)) {
    throw new StartError(
      `TOKENHUB_ADMIN_KEY starts with "${VIRTUAL_KEY_PREFIX}", the prefix of virtual keys, so it would never be accepted as the admin key: choose another`,
      2,
    );
  }
  const logger = options.logger ?? createLogger();
  const stage = options.onStage ?? (() => {});
  stage('database');
  const db =
    options.database ??
    (await openDatabase({
      ...(options.databaseUrl ? { url: options.databaseUrl } : { dataDir: join(options.dataDir, 'pg') }),
      ...(options.databaseSchema ? { schema: options.databaseSchema } : {}),
    }));
  stage('migrations');
  await migrate(db);
  const adminKeyHash = await resolveAdminKeyHash(db, options);

  const tracer = await createTracer({ endpoint: options.otlpEndpoint });
  const providers = new Map<string, Provider>();
  for (const providerConfig of options.config.providers) providers.set(providerConfig.id, createProvider(providerConfig));
  const catalog = new ModelCatalog(options.config);
  const registry = new UpstreamRegistry(catalog, providers);
  const router = new Router(catalog, providers, options.config.routing);
  let economyRef: Economy | undefined;
  let upstreamsRef: UpstreamControl | undefined;
  // Below info (benchmarks run at warn) the lines would be dropped anyway: then not even the bookkeeping runs.
  const accessLog = options.config.server.access_log && logger.isLevelEnabled('info') ? new AccessLog(logger) : undefined;
  const metrics = new HubMetrics({
    breakerStates: () => router.breakerStates(),
    journalLag: () => economyRef?.journalLag() ?? 0,
    ledgerQuarantined: () => economyRef?.ledgerQuarantined() ?? 0,
    unavailableProviders: () => upstreamsRef?.providers.unavailable() ?? [],
  });
  stage('journal');
  const economy = await createEconomy({
    db,
    dataDir: options.dataDir,
    config: options.config,
    adminKeyHash,
    logger,
    ...(options.redisUrl ? { redisUrl: options.redisUrl } : {}),
    ...(options.redisKeyPrefix ? { redisKeyPrefix: options.redisKeyPrefix } : {}),
    onSettled: (entry) => {
      metrics.observeSpend({
        tenant: entry.tenantId ?? 'admin',
        model: entry.modelServed,
        provider: entry.providerId ?? 'none',
        inputTokens: entry.inputTokens,
        outputTokens: entry.outputTokens,
        cachedInputTokens: entry.cachedTokens,
        costUsd: picosToUsd(entry.costPicos),
        ...(entry.usageAnomaly ? { usageAnomaly: entry.usageAnomaly } : {}),
      });
      if (entry.runId) metrics.observeAgentRunCost(entry.tenantId ?? 'admin', picosToUsd(entry.costPicos));
      accessLog?.settled(entry);
    },
  });
  economyRef = economy;
  stage('providers');
  const upstreams = await UpstreamControl.start({
    db,
    registry,
    prices: economy.prices,
    broadcast: economy.broadcast,
    secretBox,
    policy,
    configured: options.config,
    logger,
    ...(options.upstreamReloadMs !== undefined ? { reloadIntervalMs: options.upstreamReloadMs } : {}),
    breakers: () => router.breakerSnapshots(),
  });
  upstreamsRef = upstreams;

  // The gateway client needs the pipeline, which the app builds: agents reach it through this reference.
  let clientRef: GatewayClient | undefined;
  const lateClient: GatewayClient = {
    chat: (request, call) => (clientRef as GatewayClient).chat(request, call),
    streamChat: (request, call) => (clientRef as GatewayClient).streamChat(request, call),
    embeddings: (request, call) => (clientRef as GatewayClient).embeddings(request, call),
  };
  const oidc = options.config.auth.oidc;
  const identity = new Identity({
    db,
    economy,
    ...(oidc
      ? {
          sso: {
            issuer: oidc.issuer,
            clientId: oidc.client_id,
            ...(oidc.client_secret ? { clientSecret: oidc.client_secret } : {}),
            ...(oidc.redirect_uri ? { redirectUri: oidc.redirect_uri } : {}),
            scopes: oidc.scopes,
            ...(oidc.provision ? { provision: { tenantId: oidc.provision.tenant_id, role: oidc.provision.role } } : {}),
            allowHttp: oidc.allow_http,
          },
        }
      : {}),
  });
  const sandboxes = composeSandboxes({ db, config: options.config, economy, identity, policy, logger, e2bApiKey: options.e2bApiKey });
  const agentRuntime = composeAgents({
    db,
    config: options.config,
    economy,
    identity,
    client: lateClient,
    catalog,
    policy,
    secretBox,
    logger,
    metrics,
    tracer,
    sandboxes: sandboxes.service,
  });
  const workflows = composeWorkflows({
    db,
    runtime: agentRuntime,
    catalog,
    economy,
    client: lateClient,
    logger,
    authenticate: tenantAuthenticator(identity, 'workflows'),
  });
  const support = new SupportApp({ db, runtime: agentRuntime });
  const siteBuilder = new SiteBuilderApp({
    db,
    runtime: agentRuntime,
    workflows: workflows.service,
    sandboxes: sandboxes.service,
    chromium: options.config.apps.site_builder.chromium,
  });
  const supplierMatch = new SupplierMatchApp({
    db,
    runtime: agentRuntime,
    workflows: workflows.service,
    embeddings: supplierMatchEmbeddings({ economy, client: lateClient }),
  });
  const inbox = composeInbox({
    db,
    economy,
    identity,
    runtime: agentRuntime,
    client: lateClient,
    policy,
    secretBox,
    logger,
    metrics,
    onTaskChanged: (task, event) => workflows.taskChanged(task, event),
  });

  const { app, pipeline } = await createGatewayApp({
    server: options.config.server,
    catalog,
    router,
    economy: economy.gate,
    bodyLog: economy.bodies,
    logger,
    metrics,
    ...(accessLog ? { accessLog } : {}),
    ...(tracer.enabled
      ? { tracing: { tracer, upstreamOf: (providerId: string) => upstreamAddress(upstreams.providers, providerId) } }
      : {}),
    readiness: async () => {
      const state = await economy.readiness();
      const upstreamHealth = upstreams.health();
      return {
        ok: state.ok,
        degraded: state.degraded === true || upstreamHealth.startsWith('degraded'),
        checks: { config: 'loaded', migrations: 'applied', ...state.checks, upstreams: upstreamHealth },
      };
    },
    responses: { store: responsesStore(db), config: options.config.responses, nativeProviders: registry.nativeResponses },
    agentModels: agentModelsOf(agentRuntime),
    extensions: [
      async (app) => {
        identity.guardRoutes(app);
        await app.register(
          adminRoutes({
            economy,
            db,
            upstreams,
            agents: agentRuntime.agents,
            workflows: workflows.service,
            identity,
            support,
            supplierMatch,
            siteBuilder,
            inboxStats: inbox.stats,
            ...(secretBox ? { resealToolSecrets: () => resealToolSecrets(db, secretBox) } : {}),
          }),
        );
        await app.register(selfServiceRoutes({ economy }));
        await app.register(tenantScopedRoutes({ economy, identity, db }));
        await app.register(playgroundRoutes({ economy, identity, db }));
        await app.register(agentRuntime.routes);
        await app.register(workflows.routes);
        await app.register(sandboxes.routes);
        await app.register(identityRoutes(identity, db));
        await app.register(inbox.routes);
        await app.register(supportChatRoutes({ support, threads: agentRuntime.threads }));
        await app.register(siteRoutes({ siteBuilder }));
        await app.register(
          siteBuildRoutes({ siteBuilder, workflowRuns: workflows.runs, authenticate: tenantAuthenticator(identity, 'workflows') }),
        );
      },
    ],
    apiPaths: [
      adminApiPaths(),
      tenantScopedApiPaths(),
      ledgerApiPaths(),
      usageApiPaths(),
      appApiPaths(),
      siteBuilderApiPaths(),
      playgroundApiPaths(),
      agentApiPaths(),
      workflowApiPaths(),
      sandboxApiPaths(),
      identityApiPaths(),
      inboxApiPaths(),
      inboxWebhookApiPaths(),
    ],
  });

  const client = createGatewayClient(pipeline);
  clientRef = client;
  await agentRuntime.start();
  workflows.start();
  await inbox.start();
  sandboxes.start();

  let closed = false;
  return {
    app,
    db,
    client,
    agents: agentRuntime,
    workflows,
    sandboxes,
    identity,
    inbox,
    support,
    economy,
    logger,
    tracer,
    scripted(providerId) {
      const provider = providers.get(providerId);
      if (!isScriptedProvider(provider)) throw new Error(`no scripted provider "${providerId}" in the config`);
      return provider;
    },
    async listen(port, host) {
      return app.listen({ port, host });
    },
    async close() {
      if (closed) return;
      closed = true;
      await closeWithin(app, options.config.server.drain_timeout_ms);
      await inbox.stop();
      await workflows.stop();
      await agentRuntime.stop();
      await sandboxes.stop();
      await upstreams.close();
      await economy.close().catch((error: unknown) => logger.error({ err: error }, 'economy close failed'));
      await Promise.allSettled([...providers.values()].map((provider) => provider.close()));
      await tracer.shutdown().catch((error: unknown) => logger.warn({ err: error }, 'trace export on close failed'));
      metrics.close();
      if (!options.database) await db.close();
    },
  };
}

/** `server.address`/`server.port` of a provider with a base URL, for trace attributes. */
function upstreamAddress(providers: UpstreamControl['providers'], providerId: string): { address: string; port?: number } | undefined {
  const baseUrl = providers.baseUrlOf(providerId);
  if (!baseUrl) return undefined;
  const url = new URL(baseUrl);
  return { address: url.hostname, ...(url.port ? { port: Number(url.port) } : {}) };
}

/** The config's policy for admin-given upstream URLs; a bad `allow` entry fails the start. */
function upstreamAddressPolicy(config: UpstreamUrlPolicyConfig): UpstreamAddressPolicy {
  const problems = allowEntryProblems(config.allow);
  if (problems.length > 0) throw new ConfigError('(config)', problems);
  return {
    allow: config.allow,
    allowPrivate: config.allow_private,
    allowLoopback: config.allow_loopback,
    allowLinkLocal: config.allow_link_local,
    requireHttps: config.require_https,
  };
}

/**
 * A given admin key replaces the stored one (the recovery path for a lost key): its hash is stored, so
 * the key it replaced stays refused after the variable is unset again.
 */
async function resolveAdminKeyHash(db: Database, options: HubOptions): Promise<string> {
  const settings = new SettingsRepository(db);
  const stored = await settings.get(ADMIN_KEY_SETTING);
  if (options.adminKey) {
    const given = hashSecret(options.adminKey);
    if (stored !== given) await settings.set(ADMIN_KEY_SETTING, given);
    return given;
  }
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
