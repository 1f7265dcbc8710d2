import type { FastifyPluginAsync } from 'fastify';
import type { Dispatcher } from 'undici';
import { type Clock, HubError, type SecretBox } from '../core/index.js';
import type { Principal } from '../economy/index.js';
import type { GatewayClient } from '../gateway/client.js';
import type { HubMetrics, Tracer } from '../observability/index.js';
import { type RunBroadcast, RunEngine, type RunEngineLogger } from '../runs/index.js';
import type { SandboxService } from '../sandboxes/index.js';
import type { Database, RunRecord } from '../storage/index.js';
import { AgentService } from './agent-service.js';
import type { AgentDefinition } from './definition.js';
import { agentRoutes } from './routes/agent-routes.js';
import { mcpRoutes } from './routes/mcp-routes.js';
import { runRoutes } from './routes/run-routes.js';
import type { AuthenticateTenant } from './routes/tenant-auth.js';
import { threadRoutes } from './routes/thread-routes.js';
import { toolSecretRoutes } from './routes/tool-secret-routes.js';
import { AGENT_RUN_KIND, AgentRunHandler } from './run/agent-run-handler.js';
import { childRunId } from './run/child-runs.js';
import { RunTelemetry } from './run/run-telemetry.js';
import { RunService } from './run-service.js';
import { ThreadService } from './thread-service.js';
import { ToolSecrets } from './tool-secrets.js';
import { AppToolRegistry } from './tools/app-tools.js';
import { callToolOnBehalf, type OnBehalfCall } from './tools/call-on-behalf.js';
import { resolveTools } from './tools/resolve-tools.js';
import type { AgentTool } from './tools/tool.js';
import type { ToolDefinition } from './tools/tool-definitions.js';

export interface AgentRuntimeOptions {
  db: Database;
  broadcast: RunBroadcast;
  client: GatewayClient;
  configAgents: readonly AgentDefinition[];
  modelExists(name: string): boolean;
  urlProblem(url: string): Promise<string | undefined>;
  principalFor(tenantId: string, keyId: string): Promise<Principal>;
  authenticate: AuthenticateTenant;
  /** Carries every tool request (HTTP, MCP), with the upstream address policy on every connect. */
  dispatcher: Dispatcher;
  /** Seals tool secrets; without it tools can use none. */
  secretBox?: SecretBox | undefined;
  flushLedger(): Promise<void>;
  logger?: RunEngineLogger;
  clock?: Clock;
  /** Lease of a run on one replica (default 6 s): how soon another replica takes over the runs of one that died. */
  leaseMs?: number;
  /** Run, step and tool metrics (`tokenhub_agent_*`). */
  metrics?: HubMetrics;
  /** `invoke_agent` and `execute_tool` spans. */
  tracer?: Tracer;
  /** Where agents' `sandbox` tools run; the run's sandboxes end with it (`keep` ones outlive it). */
  sandboxes?: SandboxService;
}

export interface AgentRuntime {
  agents: AgentService;
  /** Where installed apps register their tools (`{ type: 'app', name }` in an agent). */
  appTools: AppToolRegistry;
  runs: RunService;
  /** Conversations across runs (`/v1/threads`); the human inbox adds people's replies through it. */
  threads: ThreadService;
  engine: RunEngine;
  /**
   * Told on this replica each time a run stops in a status (paused for a person, or final), after it is
   * recorded; the inbox opens its tasks from it. Listeners must not throw.
   */
  onRunSettled(listener: (run: RunRecord, status: string) => void): void;
  /**
   * Opens tools by their definitions for one run that is not an agent's (a workflow's tool step): builtin,
   * http, mcp and app tools, as an agent's run would have them. `close` ends MCP sessions.
   */
  openTools(request: { tenantId: string; runId: string; definitions: readonly ToolDefinition[]; signal: AbortSignal }): Promise<{
    tools: AgentTool[];
    close(): Promise<void>;
  }>;
  /** Calls one of an agent's tools for a person holding the conversation (the inbox's take-over). */
  callTool(call: Omit<OnBehalfCall, 'agent'> & { agent: string }): ReturnType<typeof callToolOnBehalf>;
  /** The tenant routes (`/v1/agents`, `/v1/runs`, `/mcp`), for the composition root to register. */
  routes: FastifyPluginAsync;
  start(): Promise<void>;
  /** Gives back the leases of runs in flight, so another replica resumes them at once. */
  stop(): Promise<void>;
}

/** The agent runtime: definitions, the run engine with the agent run handler, and their HTTP routes. */
/**
 * A run that ended (or was handed to a person) ends its sandboxes (their files gone, their storage billed); one that paused for a person
 * frees their processes, so a waiting run holds no memory (its sandboxes' files stay, and a resumed run's code
 * starts with fresh interpreter state).
 */
function settleRunSandboxes(sandboxes: SandboxService, run: RunRecord, status: string, logger: RunEngineLogger | undefined): void {
  const paused = status === 'waiting_approval' || status === 'waiting' || status === 'needs_attention';
  const work = paused ? sandboxes.releaseForRun(run.tenantId, run.id) : sandboxes.endForRun(run.tenantId, run.id);
  work.catch((error: unknown) =>
    logger?.warn({ err: error, runId: run.id }, "the run's sandboxes could not be ended; they expire by their timeout"),
  );
}

export function createAgentRuntime(options: AgentRuntimeOptions): AgentRuntime {
  const appTools = new AppToolRegistry();
  const agents = new AgentService({
    db: options.db,
    appTools,
    configAgents: options.configAgents,
    modelExists: options.modelExists,
    urlProblem: options.urlProblem,
    ...(options.clock ? { clock: options.clock } : {}),
  });
  const telemetry = new RunTelemetry({ metrics: options.metrics, tracer: options.tracer });
  const settledListeners: ((run: RunRecord, status: string) => void)[] = [];
  const onRunLeft = (run: RunRecord, status: string): void => {
    if (run.kind === AGENT_RUN_KIND) options.metrics?.observeAgentRun(status);
    if (run.kind === AGENT_RUN_KIND && options.sandboxes) settleRunSandboxes(options.sandboxes, run, status, options.logger);
    for (const listener of settledListeners) listener(run, status);
  };
  const toolsFor = (tenantId: string) => ({
    dispatcher: options.dispatcher,
    resolveSecret: async (name: string) =>
      options.secretBox ? new ToolSecrets(options.db, options.secretBox, tenantId).resolve(name) : undefined,
    ...(options.clock ? { clock: options.clock } : {}),
  });
  const handler = new AgentRunHandler({
    agents,
    telemetry,
    client: options.client,
    principalFor: options.principalFor,
    toolsFor,
    // Bound late: the thread service stands on the run service, which stands on the engine running this handler.
    recordReply: (run, text): Promise<void> => threads.recordReply(run, text),
    appTools,
    ...(options.sandboxes ? { sandboxes: options.sandboxes } : {}),
    children: {
      run: async (request, signal): Promise<RunRecord> => {
        const child = await agents.resolve(request.parent.tenantId, request.agent);
        const id = childRunId(request.idempotencyKey);
        await engine.enqueue({
          id,
          tenantId: request.parent.tenantId,
          kind: AGENT_RUN_KIND,
          subject: child.name,
          version: child.version,
          parentRunId: request.parent.id,
          threadId: null,
          input: {
            v: 1,
            key_id: request.keyId,
            messages: [{ role: 'user', content: request.input }],
            ancestor_budgets: request.ancestorBudgets,
          },
          state: { v: 1 },
          metadata: { parent_run_id: request.parent.id },
        });
        return runs.settled(request.parent.tenantId, id, signal);
      },
    },
    ...(options.clock ? { clock: options.clock } : {}),
  });
  const engine = new RunEngine({
    db: options.db,
    cluster: options.broadcast,
    handlers: [handler],
    onRunLeft,
    ...(options.leaseMs !== undefined ? { leaseMs: options.leaseMs } : {}),
    ...(options.logger ? { logger: options.logger } : {}),
    ...(options.clock ? { clock: options.clock } : {}),
  });
  const runs = new RunService({
    db: options.db,
    engine,
    agents,
    flushLedger: options.flushLedger,
    onRunLeft,
    ...(options.clock ? { clock: options.clock } : {}),
  });
  const threads = new ThreadService({ db: options.db, runs, ...(options.clock ? { clock: options.clock } : {}) });
  return {
    agents,
    appTools,
    runs,
    threads,
    engine,
    onRunSettled: (listener) => {
      settledListeners.push(listener);
    },
    openTools: async ({ tenantId, runId, definitions, signal }) => {
      const apps: AgentTool[] = [];
      for (const definition of definitions) {
        if (definition.type === 'agent') {
          throw new HubError('INVALID_REQUEST', `Tool \`${definition.name}\`: run another agent with an agent step, not a tool.`, {
            param: 'tool',
          });
        }
        if (definition.type === 'sandbox') {
          throw new HubError(
            'UNSUPPORTED_FEATURE',
            `Tool \`${definition.name}\`: sandbox tools run in an agent's run; use an agent step whose agent has one.`,
            {
              param: 'tool',
            },
          );
        }
        if (definition.type !== 'app') continue;
        const created = await appTools.create(definition.name, { tenantId, runId });
        if (!created)
          throw new HubError('UNSUPPORTED_FEATURE', `Tool \`${definition.name}\`: no installed app provides it.`, { param: 'tool' });
        apps.push(created);
      }
      const resolved = await resolveTools(
        definitions.filter((definition) => definition.type !== 'app'),
        { ...toolsFor(tenantId), signal },
      );
      return { tools: [...resolved.tools, ...apps], close: resolved.close };
    },
    callTool: async (call) => {
      const agent = await agents.resolve(call.tenantId, call.agent);
      return callToolOnBehalf({ ...call, agent }, { tools: toolsFor(call.tenantId), appTools });
    },
    routes: async (app) => {
      await app.register(agentRoutes({ agents, authenticate: options.authenticate }));
      await app.register(runRoutes({ runs, authenticate: options.authenticate }));
      await app.register(threadRoutes({ threads, authenticate: options.authenticate }));
      await app.register(mcpRoutes({ agents, runs, authenticate: options.authenticate }));
      await app.register(toolSecretRoutes({ db: options.db, secretBox: options.secretBox, authenticate: options.authenticate }));
    },
    start: () => engine.start(),
    stop: () => engine.stop(),
  };
}
