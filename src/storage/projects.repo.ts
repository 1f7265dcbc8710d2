import { newId } from '../core/index.js';
import type { Database } from './database.js';
import { asDate } from './values.js';

export interface ProjectRecord {
  id: string;
  tenantId: string;
  name: string;
  createdAt: Date;
}

interface ProjectRow {
  id: string;
  tenant_id: string;
  name: string;
  created_at: unknown;
}

const COLUMNS = 'id, tenant_id, name, created_at';
const toProject = (row: ProjectRow): ProjectRecord => ({
  id: row.id,
  tenantId: row.tenant_id,
  name: row.name,
  createdAt: asDate(row.created_at),
});

/** One tenant's projects; every query carries the tenant filter. */
export class ProjectsRepository {
  private readonly db: Database;
  readonly tenantId: string;

  constructor(db: Database, tenantId: string) {
    this.db = db;
    this.tenantId = tenantId;
  }

  async create(name: string): Promise<ProjectRecord> {
    const rows = await this.db.query<ProjectRow>(`insert into projects (id, tenant_id, name) values ($1, $2, $3) returning ${COLUMNS}`, [
      newId('prj'),
      this.tenantId,
      name,
    ]);
    const row = rows[0];
    if (!row) throw new Error('insert into projects returned no row');
    return toProject(row);
  }

  async get(id: string): Promise<ProjectRecord | undefined> {
    const rows = await this.db.query<ProjectRow>(`select ${COLUMNS} from projects where tenant_id = $1 and id = $2`, [this.tenantId, id]);
    return rows[0] ? toProject(rows[0]) : undefined;
  }

  async list(): Promise<ProjectRecord[]> {
    const rows = await this.db.query<ProjectRow>(`select ${COLUMNS} from projects where tenant_id = $1 order by created_at, id`, [
      this.tenantId,
    ]);
    return rows.map(toProject);
  }
}

/** Finds a project's tenant from its id alone (admin requests name a project, not its tenant). */
export async function findProjectTenant(db: Database, projectId: string): Promise<string | undefined> {
  const rows = await db.query<{ tenant_id: string }>('select tenant_id from projects where id = $1', [projectId]);
  return rows[0]?.tenant_id;
}
