import type { Database } from './database.js';
import type { JsonRecord } from './runs.repo.js';
import { asDate, asNumber, fromJsonb, toJsonb } from './values.js';

export interface AgentRecord {
  tenantId: string;
  name: string;
  activeVersion: number;
  latestVersion: number;
  createdAt: Date;
  updatedAt: Date;
}

export interface AgentVersionRecord {
  tenantId: string;
  name: string;
  version: number;
  /** The agent's definition as validated by the agents domain (never changed once written). */
  definition: JsonRecord;
  createdAt: Date;
}

interface AgentRow {
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
  definition: unknown;
  created_at: unknown;
}

const toAgent = (row: AgentRow): AgentRecord => ({
  tenantId: row.tenant_id,
  name: row.name,
  activeVersion: asNumber(row.active_version),
  latestVersion: asNumber(row.latest_version),
  createdAt: asDate(row.created_at),
  updatedAt: asDate(row.updated_at),
});

const toVersion = (row: VersionRow): AgentVersionRecord => ({
  tenantId: row.tenant_id,
  name: row.name,
  version: asNumber(row.version),
  definition: fromJsonb(row.definition) as JsonRecord,
  createdAt: asDate(row.created_at),
});

/** One tenant's agents and their immutable versions; every query carries the tenant. */
export class AgentsRepository {
  private readonly db: Database;
  readonly tenantId: string;

  constructor(db: Database, tenantId: string) {
    this.db = db;
    this.tenantId = tenantId;
  }

  async list(): Promise<AgentRecord[]> {
    const rows = await this.db.query<AgentRow>('select * from agents where tenant_id = $1 order by name', [this.tenantId]);
    return rows.map(toAgent);
  }

  async get(name: string): Promise<AgentRecord | undefined> {
    const rows = await this.db.query<AgentRow>('select * from agents where tenant_id = $1 and name = $2', [this.tenantId, name]);
    return rows[0] ? toAgent(rows[0]) : undefined;
  }

  async version(name: string, version: number): Promise<AgentVersionRecord | undefined> {
    const rows = await this.db.query<VersionRow>('select * from agent_versions where tenant_id = $1 and name = $2 and version = $3', [
      this.tenantId,
      name,
      version,
    ]);
    return rows[0] ? toVersion(rows[0]) : undefined;
  }

  async versions(name: string): Promise<AgentVersionRecord[]> {
    const rows = await this.db.query<VersionRow>('select * from agent_versions where tenant_id = $1 and name = $2 order by version', [
      this.tenantId,
      name,
    ]);
    return rows.map(toVersion);
  }

  /** The active version of every agent of the tenant (the definitions runs are made from). */
  async activeDefinitions(): Promise<AgentVersionRecord[]> {
    const rows = await this.db.query<VersionRow>(
      `select v.* from agents a join agent_versions v on v.tenant_id = a.tenant_id and v.name = a.name and v.version = a.active_version
       where a.tenant_id = $1 order by a.name`,
      [this.tenantId],
    );
    return rows.map(toVersion);
  }

  /**
   * Creates the agent at version 1, or adds the next version of an existing one and makes it active; in one
   * transaction, so two writers never make the same version. `expectNew`: refuse (undefined) when it exists.
   */
  async putVersion(name: string, definition: JsonRecord, now: Date, expectNew: boolean): Promise<AgentVersionRecord | undefined> {
    return this.db.transaction(async (tx) => {
      const inserted = await tx.query<AgentRow>(
        `insert into agents (tenant_id, name, active_version, latest_version, created_at, updated_at) values ($1, $2, 1, 1, $3, $3)
         on conflict (tenant_id, name) do nothing returning *`,
        [this.tenantId, name, now],
      );
      let version = 1;
      if (inserted.length === 0) {
        if (expectNew) return undefined;
        const bumped = await tx.query<AgentRow>(
          `update agents set latest_version = latest_version + 1, active_version = latest_version + 1, updated_at = $3
           where tenant_id = $1 and name = $2 returning *`,
          [this.tenantId, name, now],
        );
        version = asNumber(bumped[0]?.latest_version);
      }
      const rows = await tx.query<VersionRow>(
        'insert into agent_versions (tenant_id, name, version, definition, created_at) values ($1, $2, $3, $4::jsonb, $5) returning *',
        [this.tenantId, name, version, toJsonb(definition), now],
      );
      return toVersion(rows[0] as VersionRow);
    });
  }

  /** Serves an existing version (rollback or roll forward); undefined when the agent or version does not exist. */
  async activate(name: string, version: number, now: Date): Promise<AgentRecord | undefined> {
    const rows = await this.db.query<AgentRow>(
      `update agents set active_version = $3, updated_at = $4
       where tenant_id = $1 and name = $2 and exists (select 1 from agent_versions where tenant_id = $1 and name = $2 and version = $3)
       returning *`,
      [this.tenantId, name, version, now],
    );
    return rows[0] ? toAgent(rows[0]) : undefined;
  }

  async delete(name: string): Promise<boolean> {
    const rows = await this.db.query('delete from agents where tenant_id = $1 and name = $2 returning name', [this.tenantId, name]);
    return rows.length > 0;
  }
}
