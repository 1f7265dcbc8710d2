import type { FastifyInstance } from 'fastify';
import type { Economy } from '../economy/index.js';
import type * as Api from './contract.js';
import { projectDto, tenantDto } from './dto.js';
import { createProjectBody, createTenantBody, parse, tenantQuery } from './validation.js';

export function registerTenantRoutes(app: FastifyInstance, economy: Economy): void {
  app.post('/admin/v1/tenants', async (request, reply): Promise<Api.Tenant> => {
    const body = parse(createTenantBody, request.body);
    reply.code(201);
    return tenantDto(await economy.tenancy.createTenant(body.name));
  });

  app.get(
    '/admin/v1/tenants',
    async (): Promise<Api.ListResponse<Api.Tenant>> => ({
      object: 'list',
      data: (await economy.tenancy.listTenants()).map(tenantDto),
    }),
  );

  app.post('/admin/v1/projects', async (request, reply): Promise<Api.Project> => {
    const body = parse(createProjectBody, request.body);
    reply.code(201);
    return projectDto(await economy.tenancy.createProject(body.tenant_id, body.name));
  });

  app.get('/admin/v1/projects', async (request): Promise<Api.ListResponse<Api.Project>> => {
    const query = parse(tenantQuery, request.query);
    if (!query.tenant_id) return { object: 'list', data: await allProjects(economy) };
    return { object: 'list', data: (await economy.tenancy.listProjects(query.tenant_id)).map(projectDto) };
  });
}

async function allProjects(economy: Economy): Promise<Api.Project[]> {
  const projects: Api.Project[] = [];
  for (const tenant of await economy.tenancy.listTenants())
    projects.push(...(await economy.tenancy.listProjects(tenant.id)).map(projectDto));
  return projects;
}
