import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import {
  activateWorkflowBody,
  parseRequest,
  registerYamlBody,
  sendApplied,
  type WorkflowService,
  workflowDto,
  workflowNameParams,
  workflowVersionsDto,
} from '../workflows/index.js';

const tenantOf = z.object({ tenant_id: z.string().regex(/^[A-Za-z0-9_-]{1,200}$/, 'is not a TokenHub id') });

/**
 * `/admin/v1/workflows`: any tenant's workflows, for the admin key (`tenant_id` in the query: the body is
 * the document itself, JSON or YAML). Same service, validation and versions as the tenant's own API.
 */
export function workflowAdminRoutes(workflows: WorkflowService): FastifyPluginAsync {
  return async (app) => {
    registerYamlBody(app);

    app.get('/admin/v1/workflows', async (request) => {
      const { tenant_id } = parseRequest(tenantOf, request.query);
      return { object: 'list', data: (await workflows.list(tenant_id)).map(workflowDto) };
    });

    app.post('/admin/v1/workflows', async (request, reply) => {
      const { tenant_id } = parseRequest(tenantOf, request.query);
      return sendApplied(reply, await workflows.apply(tenant_id, request.body));
    });

    app.get('/admin/v1/workflows/:name', async (request) => {
      const { tenant_id } = parseRequest(tenantOf, request.query);
      const { name } = parseRequest(workflowNameParams, request.params);
      return workflowDto(await workflows.get(tenant_id, name));
    });

    app.put('/admin/v1/workflows/:name', async (request, reply) => {
      const { tenant_id } = parseRequest(tenantOf, request.query);
      const { name } = parseRequest(workflowNameParams, request.params);
      return sendApplied(reply, await workflows.replace(tenant_id, name, request.body));
    });

    app.delete('/admin/v1/workflows/:name', async (request, reply) => {
      const { tenant_id } = parseRequest(tenantOf, request.query);
      const { name } = parseRequest(workflowNameParams, request.params);
      await workflows.delete(tenant_id, name);
      return reply.code(204).send();
    });

    app.get('/admin/v1/workflows/:name/versions', async (request) => {
      const { tenant_id } = parseRequest(tenantOf, request.query);
      const { name } = parseRequest(workflowNameParams, request.params);
      return workflowVersionsDto(await workflows.versions(tenant_id, name));
    });

    app.post('/admin/v1/workflows/:name/activate', async (request) => {
      const { tenant_id } = parseRequest(tenantOf, request.query);
      const { name } = parseRequest(workflowNameParams, request.params);
      const { version } = parseRequest(activateWorkflowBody, request.body);
      return workflowDto(await workflows.activate(tenant_id, name, version));
    });
  };
}
