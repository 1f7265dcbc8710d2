import { HubError } from '../core/index.js';
import { type Database, type ProjectRecord, ProjectsRepository, type TenantRecord, TenantsRepository } from '../storage/index.js';

export const notFound = (what: string, id: string, param: string): HubError =>
  new HubError('NOT_FOUND', `No ${what} with id \`${id}\`.`, { param, code: `${what.replaceAll(' ', '_')}_not_found` });

/** Tenants and their projects, for the admin API. */
export class TenancyService {
  private readonly db: Database;
  private readonly tenants: TenantsRepository;

  constructor(db: Database) {
    this.db = db;
    this.tenants = new TenantsRepository(db);
  }

  createTenant(name: string): Promise<TenantRecord> {
    return this.tenants.create(name);
  }

  listTenants(): Promise<TenantRecord[]> {
    return this.tenants.list();
  }

  /** The tenant, or 404 naming `param`. */
  async requireTenant(tenantId: string, param = 'tenant_id'): Promise<TenantRecord> {
    const tenant = await this.tenants.get(tenantId);
    if (!tenant) throw notFound('tenant', tenantId, param);
    return tenant;
  }

  async createProject(tenantId: string, name: string): Promise<ProjectRecord> {
    await this.requireTenant(tenantId);
    return new ProjectsRepository(this.db, tenantId).create(name);
  }

  async listProjects(tenantId: string): Promise<ProjectRecord[]> {
    await this.requireTenant(tenantId);
    return new ProjectsRepository(this.db, tenantId).list();
  }

  /** The project within this tenant, or 404: a project of another tenant does not exist for it. */
  async requireProject(tenantId: string, projectId: string, param = 'project_id'): Promise<ProjectRecord> {
    const project = await new ProjectsRepository(this.db, tenantId).get(projectId);
    if (!project) throw notFound('project', projectId, param);
    return project;
  }
}
