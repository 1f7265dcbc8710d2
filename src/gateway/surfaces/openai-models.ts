import type { FastifyInstance } from 'fastify';
import { HubError } from '../../core/index.js';
import { hasScope, modelAllowed, type Principal } from '../../economy/index.js';
import type { CatalogModel } from '../../routing/index.js';
import { AGENT_MODEL_PREFIX, type AgentModels } from '../agent-models.js';
import type { SurfaceContext } from './surface-context.js';

function modelObject(model: CatalogModel) {
  return { id: model.name, object: 'model', created: model.created, owned_by: 'tokenhub' };
}

function visible(principal: Principal, model: CatalogModel): boolean {
  return modelAllowed(principal.allowedModels, model.name);
}

/**
 * `GET /v1/models` and `GET /v1/models/{id}`: the configured model names this key may use, and, for a key
 * with the `agents:run` scope, its tenant's agents as `agent/<name>`.
 */
export function registerOpenAIModels(app: FastifyInstance, surface: SurfaceContext, agentModels?: AgentModels): void {
  app.get('/v1/models', { config: { protocol: 'openai' } }, async (request, reply) => {
    const call = await surface.begin(request, reply, 'openai');
    const data = surface.catalog
      .list()
      .filter((model) => visible(call.principal, model))
      .map(modelObject);
    const canRunAgents = call.principal.kind !== 'admin' && call.principal.tenantId !== null && hasScope(call.principal, 'agents:run');
    if (agentModels?.list && canRunAgents) {
      const agents = await agentModels.list(call.principal);
      data.push(...agents.map((name) => ({ id: `${AGENT_MODEL_PREFIX}${name}`, object: 'model', created: 0, owned_by: 'tokenhub' })));
    }
    return { object: 'list', data };
  });

  app.get<{ Params: { '*': string } }>('/v1/models/*', { config: { protocol: 'openai' } }, async (request, reply) => {
    const call = await surface.begin(request, reply, 'openai');
    const name = decodeURIComponent(request.params['*']);
    const model = surface.catalog.find(name);
    if (!model || !visible(call.principal, model)) {
      throw new HubError('MODEL_NOT_FOUND', `The model \`${name}\` does not exist or you do not have access to it.`, {
        param: 'model',
        code: 'model_not_found',
      });
    }
    return modelObject(model);
  });
}
