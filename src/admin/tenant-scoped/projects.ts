import type { FastifyInstance } from 'fastify';
import type * as Api from '../contract.js';
import { projectDto } from '../dto.js';
import { parse } from '../validation.js';
import { scoped } from './scoped-schemas.js';
import type { TenantScopedDeps } from './tenant-scoped-routes.js';

/** `/v1/projects`: the caller's tenant's projects, read with `projects:read` and created with `projects:write`. */
export function registerScopedProjectRoutes(app: FastifyInstance, { economy, identity }: TenantScopedDeps): void {
  app.get('/v1/projects', async (request): Promise<Api.ListResponse<Api.Project>> => {
    const caller = await identity.tenantCaller(request, 'projects:read');
    return { object: 'list', data: (await economy.tenancy.listProjects(caller.tenantId)).map(projectDto) };
  });

  app.post(
    '/v1/projects',
    { config: { audit: { action: 'project.create', targetType: 'project' } } },
    async (request, reply): Promise<Api.Project> => {
      const caller = await identity.tenantCaller(request, 'projects:write');
      const body = parse(scoped.createProject, request.body);
      reply.code(201);
      return projectDto(await economy.tenancy.createProject(caller.tenantId, body.name));
    },
  );
}
