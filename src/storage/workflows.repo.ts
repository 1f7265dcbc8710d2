import type { Database } from './database.js';
import type { JsonRecord } from './runs.repo.js';
import { asDate, asNumber, fromJsonb, toJsonb } from './values.js';

export interface WorkflowRecord {
  tenantId: string;
  name: string;
  activeVersion: number;
  latestVersion: number;
  createdAt: Date;
  updatedAt: Date;
}

export interface WorkflowVersionRecord {
  tenantId: string;
  name: string;
  version: number;
  /** The workflow document as loaded by the workflows domain (never changed once written). */
  document: JsonRecord;
  createdAt: Date;
}

interface WorkflowRow {
  tenant_id: string;
  name: string;
  active_version: unknown;
  latest_version: unknown;
  created_at: unknown;
  updated_at: unknown;
}

interface VersionRow {
  tenant_id: string;
  name: string;
  version: unknown;
  document: unknown;
  created_at: unknown;
}

const toWorkflow = (row: WorkflowRow): WorkflowRecord => ({
  tenantId: row.tenant_id,
  name: row.name,
  activeVersion: asNumber(row.active_version),
  latestVersion: asNumber(row.latest_version),
  createdAt: asDate(row.created_at),
  updatedAt: asDate(row.updated_at),
});

const toVersion = (row: VersionRow): WorkflowVersionRecord => ({
  tenantId: row.tenant_id,
  name: row.name,
  version: asNumber(row.version),
  document: fromJsonb(row.document) as JsonRecord,
  createdAt: asDate(row.created_at),
});

const INSERT_VERSION =
  'insert into workflow_versions (tenant_id, name, version, document, created_at) values ($1, $2, $3, $4::jsonb, $5) returning *';

/** One tenant's workflows and their immutable versions; every query carries the tenant. */
export class WorkflowsRepository {
  private readonly db: Database;
  readonly tenantId: string;

  constructor(db: Database, tenantId: string) {
    this.db = db;
    this.tenantId = tenantId;
  }

  async list(): Promise<WorkflowRecord[]> {
    const rows = await this.db.query<WorkflowRow>('select * from workflows where tenant_id = $1 order by name', [this.tenantId]);
    return rows.map(toWorkflow);
  }

  async get(name: string): Promise<WorkflowRecord | undefined> {
    const rows = await this.db.query<WorkflowRow>('select * from workflows where tenant_id = $1 and name = $2', [this.tenantId, name]);
    return rows[0] ? toWorkflow(rows[0]) : undefined;
  }

  async version(name: string, version: number): Promise<WorkflowVersionRecord | undefined> {
    const rows = await this.db.query<VersionRow>('select * from workflow_versions where tenant_id = $1 and name = $2 and version = $3', [
      this.tenantId,
      name,
      version,
    ]);
    return rows[0] ? toVersion(rows[0]) : undefined;
  }

  /** Every version of a workflow, oldest first. */
  async versions(name: string): Promise<WorkflowVersionRecord[]> {
    const rows = await this.db.query<VersionRow>('select * from workflow_versions where tenant_id = $1 and name = $2 order by version', [
      this.tenantId,
      name,
    ]);
    return rows.map(toVersion);
  }

  /** The active version of every workflow of the tenant, by name. */
  async activeDocuments(): Promise<WorkflowVersionRecord[]> {
    const rows = await this.db.query<VersionRow>(
      `select v.* from workflows w join workflow_versions v on v.tenant_id = w.tenant_id and v.name = w.name and v.version = w.active_version
       where w.tenant_id = $1 order by w.name`,
      [this.tenantId],
    );
    return rows.map(toVersion);
  }

  /** Creates the workflow at version 1; undefined when the tenant has a workflow of that name already. */
  async create(name: string, document: JsonRecord, now: Date): Promise<WorkflowVersionRecord | undefined> {
    return this.db.transaction(async (tx) => {
      const inserted = await tx.query<WorkflowRow>(
        `insert into workflows (tenant_id, name, active_version, latest_version, created_at, updated_at) values ($1, $2, 1, 1, $3, $3)
         on conflict (tenant_id, name) do nothing returning *`,
        [this.tenantId, name, now],
      );
      if (inserted.length === 0) return undefined;
      const rows = await tx.query<VersionRow>(INSERT_VERSION, [this.tenantId, name, 1, toJsonb(document), now]);
      return toVersion(rows[0] as VersionRow);
    });
  }

  /**
   * Adds the next version of an existing workflow and makes it active; undefined when there is no such
   * workflow. The bump and the insert share one transaction and the bump locks the row, so two writers
   * never make the same version number.
   */
  async addVersion(name: string, document: JsonRecord, now: Date): Promise<WorkflowVersionRecord | undefined> {
    return this.db.transaction(async (tx) => {
      const bumped = await tx.query<WorkflowRow>(
        `update workflows set latest_version = latest_version + 1, active_version = latest_version + 1, updated_at = $3
         where tenant_id = $1 and name = $2 returning *`,
        [this.tenantId, name, now],
      );
      const row = bumped[0];
      if (!row) return undefined;
      const rows = await tx.query<VersionRow>(INSERT_VERSION, [this.tenantId, name, asNumber(row.latest_version), toJsonb(document), now]);
      return toVersion(rows[0] as VersionRow);
    });
  }

  /** Serves an existing version (rollback or roll forward); undefined when the workflow or version does not exist. */
  async activate(name: string, version: number, now: Date): Promise<WorkflowRecord | undefined> {
    const rows = await this.db.query<WorkflowRow>(
      `update workflows set active_version = $3, updated_at = $4
       where tenant_id = $1 and name = $2 and exists (select 1 from workflow_versions where tenant_id = $1 and name = $2 and version = $3)
       returning *`,
      [this.tenantId, name, version, now],
    );
    return rows[0] ? toWorkflow(rows[0]) : undefined;
  }

  /** Deletes the workflow with all its versions; false when there was none. */
  async delete(name: string): Promise<boolean> {
    const rows = await this.db.query('delete from workflows where tenant_id = $1 and name = $2 returning name', [this.tenantId, name]);
    return rows.length > 0;
  }
}
