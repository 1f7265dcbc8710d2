import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import type { AgentService } from '../agent-service.js';
import { parseDefinition } from '../agent-service.js';
import { AGENT_NAME_PATTERN } from '../definition.js';
import { agentDto, agentVersionsDto } from '../run-view.js';
import type { AuthenticateTenant } from './tenant-auth.js';

export const agentNameParams = z.object({ name: z.string().regex(AGENT_NAME_PATTERN, 'is not an agent name') });
export const activateBody = z.strictObject({ version: z.number().int().positive() });

const READ = ['agents:write', 'agents:run'] as const;
const WRITE = ['agents:write'] as const;

/** `/v1/agents`: a tenant's own agents, through a virtual key with the `agents:write` scope (reads: `agents:run` too). */
export function agentRoutes(deps: { agents: AgentService; authenticate: AuthenticateTenant }): FastifyPluginAsync {
  const { agents, authenticate } = deps;
  return async (app) => {
    app.get('/v1/agents', async (request) => {
      const caller = await authenticate(request, READ);
      return { object: 'list', data: (await agents.list(caller.tenantId)).map(agentDto) };
    });

    app.post('/v1/agents', async (request, reply) => {
      const caller = await authenticate(request, WRITE);
      const created = await agents.create(caller.tenantId, request.body);
      reply.code(201);
      return agentDto(created);
    });

    app.get('/v1/agents/:name', async (request) => {
      const caller = await authenticate(request, READ);
      const { name } = parseDefinition(agentNameParams, request.params);
      return agentDto(await agents.get(caller.tenantId, name));
    });

    app.put('/v1/agents/:name', async (request) => {
      const caller = await authenticate(request, WRITE);
      const { name } = parseDefinition(agentNameParams, request.params);
      return agentDto(await agents.update(caller.tenantId, name, request.body));
    });

    app.delete('/v1/agents/:name', async (request, reply) => {
      const caller = await authenticate(request, WRITE);
      const { name } = parseDefinition(agentNameParams, request.params);
      await agents.delete(caller.tenantId, name);
      return reply.code(204).send();
    });

    app.get('/v1/agents/:name/versions', async (request) => {
      const caller = await authenticate(request, READ);
      const { name } = parseDefinition(agentNameParams, request.params);
      return agentVersionsDto(await agents.versions(caller.tenantId, name));
    });

    app.post('/v1/agents/:name/activate', async (request) => {
      const caller = await authenticate(request, WRITE);
      const { name } = parseDefinition(agentNameParams, request.params);
      const { version } = parseDefinition(activateBody, request.body);
      return agentDto(await agents.activate(caller.tenantId, name, version));
    });
  };
}
