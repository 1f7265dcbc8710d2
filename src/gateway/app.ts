import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from 'fastify';
import type { ZodOpenApiPathsObject } from 'zod-openapi';
import type { ServerConfig } from '../config/index.js';
import { HubError, newId } from '../core/index.js';
import type { BodyRecorder, EconomyGate } from '../economy/index.js';
import type { HubMetrics } from '../observability/index.js';
import { listLocalModels } from '../providers/index.js';
import type { ModelCatalog, Router } from '../routing/index.js';
import type { AgentModels } from './agent-models.js';
import { defaultConsoleDir, registerConsole } from './console/console-routes.js';
import type { AccessLog } from './http/access-log.js';
import { answerClientError } from './http/client-error.js';
import { registerJsonBody } from './http/json-body.js';
import { lazyChildLogger } from './http/lazy-child-logger.js';
import { sendError } from './http/render-error.js';
import { applySlowSenderLimits } from './http/slow-senders.js';
import { meteredGate } from './metered-gate.js';
import { buildApiDocument } from './openapi/document.js';
import { gatewayApiPaths } from './openapi/gateway-paths.js';
import { registerApiReference } from './openapi/reference-routes.js';
import { ChatPipeline } from './pipeline/index.js';
import type { GatewayTracing } from './request-span.js';
import { registerAnthropicCountTokens } from './surfaces/anthropic-count-tokens.js';
import { registerAnthropicMessages } from './surfaces/anthropic-messages.js';
import { type Readiness, registerHealth } from './surfaces/health.js';
import { registerLocalModels } from './surfaces/local-models.js';
import { registerMetrics } from './surfaces/metrics.js';
import { registerOpenAIChat } from './surfaces/openai-chat.js';
import { registerOpenAICompletions } from './surfaces/openai-completions.js';
import { registerOpenAIEmbeddings } from './surfaces/openai-embeddings.js';
import { registerOpenAIModels } from './surfaces/openai-models.js';
import { registerResponses } from './surfaces/responses.js';
import type { ResponseStore } from './surfaces/responses-store.js';
import { clientRequestIdFor, createSurfaceContext, type SurfaceContext, timingOf } from './surfaces/surface-context.js';

export interface GatewayAppOptions {
  server: ServerConfig;
  catalog: ModelCatalog;
  router: Router;
  economy: EconomyGate;
  logger: FastifyBaseLogger;
  readiness: () => Promise<Readiness>;
  metrics: HubMetrics;
  /** One span per gateway request, admission to settlement (omitted: not traced). */
  tracing?: GatewayTracing;
  /** Stored responses for `/v1/responses` (omitted: the Responses API is not served). */
  responses?: { store: ResponseStore; config?: unknown; nativeProviders?: ReadonlySet<string> };
  /** More routes (admin API, console…) registered by the composition root. */
  extensions?: ((app: FastifyInstance, surface: SurfaceContext) => void | Promise<void>)[];
  /** OpenAPI descriptions of the routes the extensions add, for `/openapi.json` and `/docs`. */
  apiPaths?: ZodOpenApiPathsObject[];
  /**
   * Runs the tenant's agents for `model: "agent/<name>"` on `/v1/chat/completions` and `/v1/responses`
   * (key scope `agents:run`) and lists them on `/v1/models`; provided by the composition root from the agent
   * runtime, which the gateway may not import. Omitted: `agent/…` is an unknown model like any other.
   */
  agentModels?: AgentModels;
  /** One `info` line per request (`server.access_log`; omitted: none, and no per-request work for it). */
  accessLog?: AccessLog;
  /** The console's build folder, served at `/console` (null: the pages say how to build it; omitted: the built one, if any). */
  consoleDir?: string | null;
  /** Where the calls of keys that keep their bodies are recorded (the economy's body log; omitted: never kept). */
  bodyLog?: BodyRecorder;
}

export interface GatewayApp {
  app: FastifyInstance;
  pipeline: ChatPipeline;
  surface: SurfaceContext;
}

/** The HTTP app: body parsing, the error funnel, request ids, server-timing and every surface. */
export async function createGatewayApp(options: GatewayAppOptions): Promise<GatewayApp> {
  const app = Fastify({
    loggerInstance: options.logger,
    logController: new LogController({ disableRequestLogging: true }),
    childLoggerFactory: lazyChildLogger,
    bodyLimit: options.server.body_limit_bytes,
    requestTimeout: options.server.request_timeout_ms,
    // Streams may legitimately stay open for minutes; slow senders are bounded by requestTimeout.
    connectionTimeout: 0,
    keepAliveTimeout: 65_000,
    return503OnClosing: true,
    // Always minted here: the request id keys the ledger row and the reservation (see http/request-ids.ts).
    genReqId: () => newId('req'),
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 500 },
    // Malformed URLs and over-long parameters are answered in the protocol's shape like any other error.
    frameworkErrors: (error, request, reply) => {
      void sendError(request, reply, error);
    },
    clientErrorHandler: answerClientError,
  });
  applySlowSenderLimits(app.server, options.server.request_timeout_ms);
  registerJsonBody(app);
  options.accessLog?.register(app);

  // Callback hooks, not async ones: no promise per request per hook.
  app.addHook('onRequest', (request, reply, done) => {
    timingOf(request);
    reply.header('x-request-id', request.id);
    const clientRequestId = clientRequestIdFor(request);
    if (clientRequestId) reply.header('x-client-request-id', clientRequestId);
    done();
  });
  app.addHook('onSend', (request, reply, payload, done) => {
    if (!reply.hasHeader('server-timing')) reply.header('server-timing', timingOf(request).header());
    done(null, payload);
  });
  app.setErrorHandler((error, request, reply) => sendError(request, reply, error));
  app.setNotFoundHandler((request, reply) => {
    return sendError(request, reply, new HubError('NOT_FOUND', `Unknown route ${request.method} ${request.url.split('?')[0]}`));
  });

  const gate = options.accessLog ? options.accessLog.watch(options.economy) : options.economy;
  const economy = meteredGate(gate, options.metrics, options.tracing);
  const pipeline = new ChatPipeline(options.router, economy);
  const surface = createSurfaceContext(pipeline, options.catalog, economy, options.logger, options.bodyLog);
  registerHealth(app, options.readiness);
  registerMetrics(app, options.metrics);
  registerOpenAIChat(app, surface, options.agentModels);
  registerOpenAICompletions(app, surface);
  registerLocalModels(app, surface, listLocalModels);
  registerOpenAIEmbeddings(app, surface);
  registerOpenAIModels(app, surface, options.agentModels);
  registerAnthropicMessages(app, surface);
  registerAnthropicCountTokens(app, surface);
  if (options.responses) {
    registerResponses(app, surface, options.responses.store, {
      config: options.responses.config,
      ...(options.responses.nativeProviders ? { nativeProviders: options.responses.nativeProviders } : {}),
      ...(options.agentModels ? { agentModels: options.agentModels } : {}),
    });
  }
  for (const extend of options.extensions ?? []) await extend(app, surface);
  const ownPaths = gatewayApiPaths({ responses: options.responses !== undefined });
  registerApiReference(app, buildApiDocument([ownPaths, ...(options.apiPaths ?? [])]));
  await registerConsole(app, options.consoleDir === undefined ? defaultConsoleDir() : options.consoleDir);
  return { app, pipeline, surface };
}
