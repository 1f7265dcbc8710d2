import type { ListResponse, Project, Tenant } from '@contract';
import { api, apiBase } from '../../api/client';

export const projectsKey = (tenantId: string | null) => ['tenants', 'projects', apiBase(), tenantId] as const;

/** The hub admin lists any tenant's projects by id; a person's route answers for their own tenant. */
export const listProjects = (tenantId: string | null) =>
  api<ListResponse<Project>>(`${apiBase()}/projects`, { query: apiBase() === '/admin/v1' && tenantId ? { tenant_id: tenantId } : undefined });

export const createTenant = (name: string) => api<Tenant>('/admin/v1/tenants', { method: 'POST', body: { name } });

export const createProject = (tenantId: string | null, name: string) =>
  api<Project>(`${apiBase()}/projects`, { method: 'POST', body: apiBase() === '/admin/v1' ? { tenant_id: tenantId, name } : { name } });
