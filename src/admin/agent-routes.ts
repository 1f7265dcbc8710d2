import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { type AgentService, activateBody, agentDto, agentNameParams, agentVersionsDto, parseDefinition } from '../agents/index.js';

const tenantOf = z.object({ tenant_id: z.string().regex(/^[A-Za-z0-9_-]{1,200}$/, 'is not a TokenHub id') });

/**
 * `/admin/v1/agents`: any tenant's agents, for the admin key (`tenant_id` names the tenant: in the body
 * of a create, in the query otherwise). Same service, validation and versions as the tenant's own API.
 */
export function registerAgentRoutes(app: FastifyInstance, agents: AgentService): void {
  app.get('/admin/v1/agents', async (request) => {
    const { tenant_id } = parseDefinition(tenantOf, request.query);
    return { object: 'list', data: (await agents.list(tenant_id)).map(agentDto) };
  });

  app.post('/admin/v1/agents', async (request, reply) => {
    const { tenant_id: tenantId, ...definition } = (request.body ?? {}) as Record<string, unknown>;
    const { tenant_id } = parseDefinition(tenantOf, { tenant_id: tenantId });
    const created = await agents.create(tenant_id, definition);
    reply.code(201);
    return agentDto(created);
  });

  app.get('/admin/v1/agents/:name', async (request) => {
    const { tenant_id } = parseDefinition(tenantOf, request.query);
    const { name } = parseDefinition(agentNameParams, request.params);
    return agentDto(await agents.get(tenant_id, name));
  });

  app.put('/admin/v1/agents/:name', async (request) => {
    const { tenant_id } = parseDefinition(tenantOf, request.query);
    const { name } = parseDefinition(agentNameParams, request.params);
    return agentDto(await agents.update(tenant_id, name, request.body));
  });

  app.delete('/admin/v1/agents/:name', async (request, reply) => {
    const { tenant_id } = parseDefinition(tenantOf, request.query);
    const { name } = parseDefinition(agentNameParams, request.params);
    await agents.delete(tenant_id, name);
    return reply.code(204).send();
  });

  app.get('/admin/v1/agents/:name/versions', async (request) => {
    const { tenant_id } = parseDefinition(tenantOf, request.query);
    const { name } = parseDefinition(agentNameParams, request.params);
    return agentVersionsDto(await agents.versions(tenant_id, name));
  });

  app.post('/admin/v1/agents/:name/activate', async (request) => {
    const { tenant_id } = parseDefinition(tenantOf, request.query);
    const { name } = parseDefinition(agentNameParams, request.params);
    const { version } = parseDefinition(activateBody, request.body);
    return agentDto(await agents.activate(tenant_id, name, version));
  });
}
