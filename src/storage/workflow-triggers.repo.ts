import type { Database } from './database.js';
import type { JsonRecord } from './runs.repo.js';
import { asDate, asNumber, fromJsonb } from './values.js';

/** A workflow's active version as its triggers see it: whose key its triggered runs bill, and the document. */
export interface TriggeredWorkflowRecord {
  tenantId: string;
  name: string;
  version: number;
  keyId: string | null;
  document: JsonRecord;
}

export interface WorkflowHookRecord {
  id: string;
  tenantId: string;
  workflow: string;
  secret: string;
  createdAt: Date;
}

interface TriggeredRow {
  tenant_id: string;
  name: string;
  version: unknown;
  trigger_key_id: string | null;
  document: unknown;
}

const toTriggered = (row: TriggeredRow): TriggeredWorkflowRecord => ({
  tenantId: row.tenant_id,
  name: row.name,
  version: asNumber(row.version),
  keyId: row.trigger_key_id,
  document: fromJsonb(row.document) as JsonRecord,
});

const ACTIVE = `select w.tenant_id, w.name, v.version, w.trigger_key_id, v.document
  from workflows w join workflow_versions v on v.tenant_id = w.tenant_id and v.name = w.name and v.version = w.active_version`;

/** Workflows' triggers across tenants (the scheduler's and the event router's view), and their webhooks. */
export class WorkflowTriggersRepository {
  private readonly db: Database;

  constructor(db: Database) {
    this.db = db;
  }

  /** Every tenant's workflows whose active version declares schedules. */
  async scheduled(): Promise<TriggeredWorkflowRecord[]> {
    const rows = await this.db.query<TriggeredRow>(
      `${ACTIVE} where v.document -> 'spec' -> 'triggers' ? 'schedules' order by w.tenant_id, w.name`,
    );
    return rows.map(toTriggered);
  }

  /** A tenant's workflows whose active version declares event triggers. */
  async withEvents(tenantId: string): Promise<TriggeredWorkflowRecord[]> {
    const rows = await this.db.query<TriggeredRow>(
      `${ACTIVE} where w.tenant_id = $1 and v.document -> 'spec' -> 'triggers' ? 'events' order by w.name`,
      [tenantId],
    );
    return rows.map(toTriggered);
  }

  async active(tenantId: string, name: string): Promise<TriggeredWorkflowRecord | undefined> {
    const rows = await this.db.query<TriggeredRow>(`${ACTIVE} where w.tenant_id = $1 and w.name = $2`, [tenantId, name]);
    return rows[0] ? toTriggered(rows[0]) : undefined;
  }

  /** The key a workflow's triggered runs bill from now on (the tenant key that saved or activated it). */
  async setKey(tenantId: string, name: string, keyId: string): Promise<void> {
    await this.db.query('update workflows set trigger_key_id = $3 where tenant_id = $1 and name = $2', [tenantId, name, keyId]);
  }

  /** Makes (or remakes, with a new id and secret) the workflow's webhook; undefined when there is no such workflow. */
  async replaceHook(hook: WorkflowHookRecord): Promise<WorkflowHookRecord | undefined> {
    return this.db.transaction(async (tx) => {
      const found = await tx.query('select 1 from workflows where tenant_id = $1 and name = $2 for update', [hook.tenantId, hook.workflow]);
      if (found.length === 0) return undefined;
      await tx.query('delete from workflow_hooks where tenant_id = $1 and workflow = $2', [hook.tenantId, hook.workflow]);
      await tx.query('insert into workflow_hooks (id, tenant_id, workflow, secret, created_at) values ($1, $2, $3, $4, $5)', [
        hook.id,
        hook.tenantId,
        hook.workflow,
        hook.secret,
        hook.createdAt,
      ]);
      return hook;
    });
  }

  async hook(id: string): Promise<WorkflowHookRecord | undefined> {
    const rows = await this.db.query<{ id: string; tenant_id: string; workflow: string; secret: string; created_at: unknown }>(
      'select * from workflow_hooks where id = $1',
      [id],
    );
    const row = rows[0];
    return row
      ? { id: row.id, tenantId: row.tenant_id, workflow: row.workflow, secret: row.secret, createdAt: asDate(row.created_at) }
      : undefined;
  }
}
