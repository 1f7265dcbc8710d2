import type { Database } from './database.js';
import { asBigInt, asDate, asJson, asNumber } from './values.js';

/** One admin action as the audit log records it. */
export interface AuditEntry {
  id: string;
  at: Date;
  /** Who acted: `admin:<hash prefix>` for the admin key; never a secret. */
  actor: string;
  /** `<target type>.<verb>`, e.g. `key.create`, `budget.update`. */
  action: string;
  targetType: string;
  targetId: string | null;
  tenantId: string | null;
  requestId: string;
  method: string;
  path: string;
  /** HTTP status the admin got: failed attempts are recorded too. */
  status: number;
  errorCode: string | null;
  /** The entity before the action (as the admin API renders it), secrets stripped. */
  before: unknown;
  /** The entity after the action (the response body), secrets stripped. */
  after: unknown;
}

export interface AuditRow extends AuditEntry {
  seq: bigint;
}

export interface AuditFilter {
  tenantId?: string;
  action?: string;
  from?: Date;
  to?: Date;
  /** Exactly: `admin:<hash prefix>`, `user:<id>`, `key:<id>`. */
  actor?: string;
  targetType?: string;
  targetId?: string;
}

interface AuditDbRow {
  seq: unknown;
  id: string;
  at: unknown;
  actor: string;
  action: string;
  target_type: string;
  target_id: string | null;
  tenant_id: string | null;
  request_id: string;
  method: string;
  path: string;
  status: unknown;
  error_code: string | null;
  before: unknown;
  after: unknown;
}

const toAuditRow = (row: AuditDbRow): AuditRow => ({
  seq: asBigInt(row.seq),
  id: row.id,
  at: asDate(row.at),
  actor: row.actor,
  action: row.action,
  targetType: row.target_type,
  targetId: row.target_id,
  tenantId: row.tenant_id,
  requestId: row.request_id,
  method: row.method,
  path: row.path,
  status: asNumber(row.status),
  errorCode: row.error_code,
  before: row.before === null ? null : asJson(row.before),
  after: row.after === null ? null : asJson(row.after),
});

const jsonParam = (value: unknown): string | null => (value === null || value === undefined ? null : JSON.stringify(value));

/** Appends admin actions and reads them back newest first, with a cursor (the last `seq` seen). Admin only. */
export class AuditLogRepository {
  private readonly db: Database;

  constructor(db: Database) {
    this.db = db;
  }

  async append(entry: AuditEntry): Promise<void> {
    await this.db.query(
      `insert into audit_log (id, at, actor, action, target_type, target_id, tenant_id, request_id, method, path, status, error_code, before, after)
       values ($1, $2::timestamptz, $3, $4, $5, $6, $7, $8, $9, $10, $11::int, $12, $13::jsonb, $14::jsonb)`,
      [
        entry.id,
        entry.at,
        entry.actor,
        entry.action,
        entry.targetType,
        entry.targetId,
        entry.tenantId,
        entry.requestId,
        entry.method,
        entry.path,
        entry.status,
        entry.errorCode,
        jsonParam(entry.before),
        jsonParam(entry.after),
      ],
    );
  }

  /** Newest first. Ordered by the column, not the selected text alias (which would sort `10` before `9`). */
  async page(filter: AuditFilter, options: { before?: bigint; limit: number }): Promise<AuditRow[]> {
    const rows = await this.db.query<AuditDbRow>(
      `select seq::text as seq, id, at, actor, action, target_type, target_id, tenant_id, request_id, method, path, status, error_code, before, after
       from audit_log
       where ($1::text is null or tenant_id = $1) and ($2::text is null or action = $2)
         and ($3::timestamptz is null or at >= $3) and ($4::timestamptz is null or at < $4)
         and ($5::bigint is null or seq < $5)
         and ($7::text is null or actor = $7) and ($8::text is null or target_type = $8) and ($9::text is null or target_id = $9)
       order by audit_log.seq desc
       limit $6`,
      [
        filter.tenantId ?? null,
        filter.action ?? null,
        filter.from ?? null,
        filter.to ?? null,
        options.before === undefined ? null : options.before.toString(),
        options.limit,
        filter.actor ?? null,
        filter.targetType ?? null,
        filter.targetId ?? null,
      ],
    );
    return rows.map(toAuditRow);
  }
}
