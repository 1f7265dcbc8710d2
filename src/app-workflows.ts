import type { FastifyPluginAsync } from 'fastify';
import type { Logger } from 'pino';
import { AGENT_RUN_KIND, type AgentRuntime, type AuthenticateTenant } from './agents/index.js';
import { HubError, systemClock } from './core/index.js';
import type { Economy } from './economy/index.js';
import type { GatewayClient } from './gateway/index.js';
import type { ModelCatalog } from './routing/index.js';
import { type Database, type InboxEventRecord, type InboxTaskRecord, WorkflowsRepository } from './storage/index.js';
import {
  type WorkflowCatalogue,
  WorkflowRunHandler,
  WorkflowRunService,
  WorkflowService,
  WorkflowTriggerService,
  workflowHookRoutes,
  workflowRoutes,
  workflowRunRoutes,
} from './workflows/index.js';

/** Workflows as the hub holds them: the definitions and their tenant routes. */
export interface HubWorkflows {
  service: WorkflowService;
  runs: WorkflowRunService;
  /** Schedules, events and webhooks. */
  triggers: WorkflowTriggerService;
  /** The inbox tells of task changes here (`inbox_task.resolved` triggers). */
  taskChanged(task: InboxTaskRecord, event: InboxEventRecord): void;
  /** `/v1/workflows` and `/v1/workflow-runs`, for the composition root to register. */
  routes: FastifyPluginAsync;
  /** Starts waking the runs whose wait ended (every replica sweeps; each run is woken once). */
  start(): void;
  /** Stops waking and scheduling, once a scheduler tick in flight has ended. */
  stop(): Promise<void>;
}

/** What a tenant's workflow may name, looked up where each thing lives: the agent runtime, the model catalog, the saved workflows. */
export function workflowCatalogue(
  parts: { db: Database; runtime: AgentRuntime; catalog: ModelCatalog },
  tenantId: string,
): WorkflowCatalogue {
  return {
    agentExists: async (name) => {
      try {
        await parts.runtime.agents.resolve(tenantId, name);
        return true;
      } catch (error) {
        if (error instanceof HubError && error.details.code === 'agent_not_found') return false;
        throw error;
      }
    },
    modelExists: (name) => parts.catalog.find(name) !== undefined,
    appToolExists: (name) => parts.runtime.appTools.has(name),
    workflowInputs: async (name) => {
      const repository = new WorkflowsRepository(parts.db, tenantId);
      const workflow = await repository.get(name);
      const active = workflow ? await repository.version(name, workflow.activeVersion) : undefined;
      if (!active) return undefined;
      const spec = active.document.spec as { inputs?: Record<string, unknown> } | undefined;
      return spec?.inputs ?? {};
    },
  };
}

/** Composition of workflows from the hub's parts: the database, the agent runtime (its engine runs workflow runs too), the gateway client, the model catalog. */
export function composeWorkflows(parts: {
  db: Database;
  runtime: AgentRuntime;
  catalog: ModelCatalog;
  economy: Economy;
  client: GatewayClient;
  authenticate: AuthenticateTenant;
  logger: Logger;
  /** How often this replica queues the workflow runs whose wait ended (default 1 s). */
  wakeEveryMs?: number;
}): HubWorkflows {
  const service = new WorkflowService({ db: parts.db, catalogue: (tenantId) => workflowCatalogue(parts, tenantId) });
  const runs = new WorkflowRunService({
    db: parts.db,
    runtime: parts.runtime,
    workflows: service,
    flushLedger: () => parts.economy.flush(),
  });
  parts.runtime.engine.addHandler(
    new WorkflowRunHandler({
      client: parts.client,
      principalFor: (tenantId, keyId) => parts.economy.principalForKey(tenantId, keyId),
      runtime: parts.runtime,
      loadVersion: async (tenantId, name, version) => {
        try {
          return await service.resolve(tenantId, name, version);
        } catch (error) {
          if (error instanceof HubError && error.code === 'NOT_FOUND') return undefined;
          throw error;
        }
      },
      clock: systemClock,
    }),
  );
  const triggers = new WorkflowTriggerService({ db: parts.db, runs, logger: parts.logger });
  parts.runtime.onRunSettled((run, status) => {
    void runs
      .childSettled(run, status)
      .catch((error: unknown) => parts.logger.warn({ err: error, runId: run.id }, 'waking a parent workflow failed'));
    if (run.kind === AGENT_RUN_KIND) {
      void triggers
        .agentRunSettled(run, status)
        .catch((error: unknown) => parts.logger.warn({ err: error, runId: run.id }, 'workflow event triggers failed'));
    }
  });
  let timer: NodeJS.Timeout | undefined;
  let sweeping = false;
  const sweep = (): void => {
    if (sweeping) return;
    sweeping = true;
    void runs
      .wakeDue()
      .catch((error: unknown) => parts.logger.warn({ err: error }, 'waking workflow runs failed; will retry'))
      .finally(() => {
        sweeping = false;
      });
  };
  return {
    service,
    runs,
    triggers,
    routes: async (app) => {
      await app.register(
        workflowRoutes({
          workflows: service,
          authenticate: parts.authenticate,
          onSaved: (tenantId, name, keyId) => triggers.keySaved(tenantId, name, keyId),
        }),
      );
      await app.register(workflowRunRoutes({ runs, engineRuns: parts.runtime.runs, authenticate: parts.authenticate }));
      await app.register(workflowHookRoutes({ triggers, runs, authenticate: parts.authenticate }));
    },
    taskChanged: (task, event) => {
      if (event.type !== 'task.resolved') return;
      void triggers
        .taskResolved(task)
        .catch((error: unknown) => parts.logger.warn({ err: error, taskId: task.id }, 'workflow event triggers failed'));
    },
    start: () => {
      timer ??= setInterval(sweep, parts.wakeEveryMs ?? 1_000);
      timer.unref();
      triggers.start();
    },
    stop: async () => {
      if (timer) clearInterval(timer);
      timer = undefined;
      await triggers.stop();
    },
  };
}
