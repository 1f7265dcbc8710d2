import type { FastifyPluginAsync } from 'fastify';
import type { AgentRuntime, AuthenticateTenant } from './agents/index.js';
import { HubError } from './core/index.js';
import type { ModelCatalog } from './routing/index.js';
import { type Database, WorkflowsRepository } from './storage/index.js';
import { type WorkflowCatalogue, WorkflowService, workflowRoutes } from './workflows/index.js';

/** Workflows as the hub holds them: the definitions and their tenant routes. */
export interface HubWorkflows {
  service: WorkflowService;
  /** `/v1/workflows`, for the composition root to register. */
  routes: FastifyPluginAsync;
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

/** Composition of workflows from the hub's parts: the database, the agent runtime (agents, app tools) and the model catalog. */
export function composeWorkflows(parts: {
  db: Database;
  runtime: AgentRuntime;
  catalog: ModelCatalog;
  authenticate: AuthenticateTenant;
}): HubWorkflows {
  const service = new WorkflowService({ db: parts.db, catalogue: (tenantId) => workflowCatalogue(parts, tenantId) });
  return { service, routes: workflowRoutes({ workflows: service, authenticate: parts.authenticate }) };
}
