import type { Database } from './database.js';
import { asDate, fromJsonb, toJsonb } from './values.js';

export interface AppInstallationRecord {
  id: string;
  tenantId: string;
  app: string;
  name: string;
  agent: string;
  keyId: string | null;
  config: Record<string, unknown>;
  createdAt: Date;
}

interface InstallationRow {
  id: string;
  tenant_id: string;
  app: string;
  name: string;
  agent: string;
  key_id: string | null;
  config: unknown;
  created_at: unknown;
}

const COLUMNS = 'id, tenant_id, app, name, agent, key_id, config, created_at';

const toInstallation = (row: InstallationRow): AppInstallationRecord => ({
  id: row.id,
  tenantId: row.tenant_id,
  app: row.app,
  name: row.name,
  agent: row.agent,
  keyId: row.key_id,
  config: (fromJsonb(row.config) ?? {}) as Record<string, unknown>,
  createdAt: asDate(row.created_at),
});

/** Installations of shipped apps; lookups by id are global (an installation id is the public pages' handle). */
export class AppInstallationsRepository {
  private readonly db: Database;

  constructor(db: Database) {
    this.db = db;
  }

  /** Undefined when the tenant has an installation of this app by that name already. */
  async create(installation: Omit<AppInstallationRecord, 'createdAt'>, now: Date): Promise<AppInstallationRecord | undefined> {
    const rows = await this.db.query<InstallationRow>(
      `insert into app_installations (id, tenant_id, app, name, agent, key_id, config, created_at)
       values ($1, $2, $3, $4, $5, $6, $7::jsonb, $8) on conflict do nothing returning ${COLUMNS}`,
      [
        installation.id,
        installation.tenantId,
        installation.app,
        installation.name,
        installation.agent,
        installation.keyId,
        toJsonb(installation.config),
        now,
      ],
    );
    return rows[0] ? toInstallation(rows[0]) : undefined;
  }

  async get(id: string): Promise<AppInstallationRecord | undefined> {
    const rows = await this.db.query<InstallationRow>(`select ${COLUMNS} from app_installations where id = $1`, [id]);
    return rows[0] ? toInstallation(rows[0]) : undefined;
  }

  async byAgent(tenantId: string, app: string, agent: string): Promise<AppInstallationRecord | undefined> {
    const rows = await this.db.query<InstallationRow>(
      `select ${COLUMNS} from app_installations where tenant_id = $1 and app = $2 and agent = $3`,
      [tenantId, app, agent],
    );
    return rows[0] ? toInstallation(rows[0]) : undefined;
  }

  async list(options: { tenantId?: string; app?: string } = {}): Promise<AppInstallationRecord[]> {
    const rows = await this.db.query<InstallationRow>(
      `select ${COLUMNS} from app_installations where ($1::text is null or tenant_id = $1) and ($2::text is null or app = $2)
       order by created_at, id`,
      [options.tenantId ?? null, options.app ?? null],
    );
    return rows.map(toInstallation);
  }

  async facts(tenantId: string, installationId: string, conversationId: string): Promise<Record<string, unknown>> {
    const rows = await this.db.query<{ facts: unknown }>(
      'select facts from app_conversation_facts where tenant_id = $1 and installation_id = $2 and conversation_id = $3',
      [tenantId, installationId, conversationId],
    );
    return (rows[0] ? fromJsonb(rows[0].facts) : {}) as Record<string, unknown>;
  }

  /** Merges `facts` into what the conversation knows (later keys win). */
  async addFacts(
    tenantId: string,
    installationId: string,
    conversationId: string,
    facts: Record<string, unknown>,
    now: Date,
  ): Promise<void> {
    await this.db.query(
      `insert into app_conversation_facts (tenant_id, installation_id, conversation_id, facts, updated_at)
       values ($1, $2, $3, $4::jsonb, $5)
       on conflict (tenant_id, installation_id, conversation_id)
       do update set facts = (app_conversation_facts.facts::jsonb || excluded.facts::jsonb), updated_at = excluded.updated_at`,
      [tenantId, installationId, conversationId, toJsonb(facts), now],
    );
  }
}
