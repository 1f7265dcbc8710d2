import type { Database } from './database.js';
import { asDate, asNumber } from './values.js';

export type BodyLoggingScope = 'key' | 'project';

/** A key's or a project's own body-retention setting. */
export interface BodyLoggingSetting {
  scope: BodyLoggingScope;
  targetId: string;
  tenantId: string;
  enabled: boolean;
  retentionDays: number;
  updatedAt: Date;
}

interface SettingRow {
  scope: BodyLoggingScope;
  target_id: string;
  tenant_id: string;
  enabled: boolean;
  retention_days: unknown;
  updated_at: unknown;
}

const toSetting = (row: SettingRow): BodyLoggingSetting => ({
  scope: row.scope,
  targetId: row.target_id,
  tenantId: row.tenant_id,
  enabled: row.enabled,
  retentionDays: asNumber(row.retention_days),
  updatedAt: asDate(row.updated_at),
});

/** Body-retention settings of one tenant's keys and projects. */
export class BodyLoggingRepository {
  private readonly db: Database;
  readonly tenantId: string;

  constructor(db: Database, tenantId: string) {
    this.db = db;
    this.tenantId = tenantId;
  }

  async get(scope: BodyLoggingScope, targetId: string): Promise<BodyLoggingSetting | undefined> {
    const rows = await this.db.query<SettingRow>(
      'select * from body_logging_settings where tenant_id = $1 and scope = $2 and target_id = $3',
      [this.tenantId, scope, targetId],
    );
    return rows[0] ? toSetting(rows[0]) : undefined;
  }

  /** The key's own setting when it has one, else its project's (read when a key is loaded into the cache). */
  async effectiveFor(keyId: string, projectId: string | null): Promise<BodyLoggingSetting | undefined> {
    const rows = await this.db.query<SettingRow>(
      `select * from body_logging_settings
       where tenant_id = $1 and ((scope = 'key' and target_id = $2) or (scope = 'project' and target_id = $3))`,
      [this.tenantId, keyId, projectId],
    );
    const settings = rows.map(toSetting);
    return settings.find((setting) => setting.scope === 'key') ?? settings.find((setting) => setting.scope === 'project');
  }

  async set(
    scope: BodyLoggingScope,
    targetId: string,
    value: { enabled: boolean; retentionDays: number },
    at: Date,
  ): Promise<BodyLoggingSetting> {
    const rows = await this.db.query<SettingRow>(
      `insert into body_logging_settings (scope, target_id, tenant_id, enabled, retention_days, updated_at)
       values ($1, $2, $3, $4, $5, $6)
       on conflict (scope, target_id) do update set enabled = excluded.enabled, retention_days = excluded.retention_days, updated_at = excluded.updated_at
       where body_logging_settings.tenant_id = excluded.tenant_id
       returning *`,
      [scope, targetId, this.tenantId, value.enabled, value.retentionDays, at],
    );
    const row = rows[0];
    if (!row) throw new Error(`body logging setting of ${scope} ${targetId} belongs to another tenant`);
    return toSetting(row);
  }

  async clear(scope: BodyLoggingScope, targetId: string): Promise<boolean> {
    const rows = await this.db.query<{ target_id: string }>(
      'delete from body_logging_settings where tenant_id = $1 and scope = $2 and target_id = $3 returning target_id',
      [this.tenantId, scope, targetId],
    );
    return rows.length > 0;
  }
}

/** One call's kept bodies, already redacted and capped. */
export interface StoredBodies {
  requestId: string;
  tenantId: string;
  keyId: string | null;
  createdAt: Date;
  expiresAt: Date;
  requestBody: string;
  requestTruncated: boolean;
  responseBody: string;
  responseTruncated: boolean;
  responseKind: 'json' | 'stream' | 'text';
}

interface BodiesRow {
  request_id: string;
  tenant_id: string;
  key_id: string | null;
  created_at: unknown;
  expires_at: unknown;
  request_body: string;
  request_truncated: boolean;
  response_body: string;
  response_truncated: boolean;
  response_kind: StoredBodies['responseKind'];
}

const toBodies = (row: BodiesRow): StoredBodies => ({
  requestId: row.request_id,
  tenantId: row.tenant_id,
  keyId: row.key_id,
  createdAt: asDate(row.created_at),
  expiresAt: asDate(row.expires_at),
  requestBody: row.request_body,
  requestTruncated: row.request_truncated,
  responseBody: row.response_body,
  responseTruncated: row.response_truncated,
  responseKind: row.response_kind,
});

/**
 * Kept request and response bodies: written in batches (one statement per batch, idempotent by request id),
 * read per tenant (`tenantId` null: any tenant, for the admin API), and swept once expired.
 */
export class RequestBodiesRepository {
  private readonly db: Database;
  readonly tenantId: string | null;

  constructor(db: Database, tenantId: string | null) {
    this.db = db;
    this.tenantId = tenantId;
  }

  /** The bodies of one call, unless they expired by `now` (the sweep may not have run yet). */
  async get(requestId: string, now: Date): Promise<StoredBodies | undefined> {
    const rows = await this.db.query<BodiesRow>(
      'select * from request_bodies where ($1::text is null or tenant_id = $1) and request_id = $2 and expires_at > $3',
      [this.tenantId, requestId, now],
    );
    return rows[0] ? toBodies(rows[0]) : undefined;
  }
}

/** Appends kept bodies, any tenant's, in one statement per batch. */
export async function insertRequestBodies(db: Database, entries: readonly StoredBodies[]): Promise<number> {
  if (entries.length === 0) return 0;
  const column = <T>(read: (entry: StoredBodies) => T): T[] => entries.map(read);
  const rows = await db.query<{ request_id: string }>(
    `insert into request_bodies (request_id, tenant_id, key_id, created_at, expires_at, request_body, request_truncated,
                                 response_body, response_truncated, response_kind)
     select * from unnest($1::text[], $2::text[], $3::text[], $4::timestamptz[], $5::timestamptz[], $6::text[], $7::boolean[],
                          $8::text[], $9::boolean[], $10::text[])
     on conflict (request_id) do nothing
     returning request_id`,
    [
      column((entry) => entry.requestId),
      column((entry) => entry.tenantId),
      column((entry) => entry.keyId),
      column((entry) => entry.createdAt.toISOString()),
      column((entry) => entry.expiresAt.toISOString()),
      column((entry) => entry.requestBody),
      column((entry) => entry.requestTruncated),
      column((entry) => entry.responseBody),
      column((entry) => entry.responseTruncated),
      column((entry) => entry.responseKind),
    ],
  );
  return rows.length;
}

/** Deletes up to `batch` bodies expired at `now`; returns how many (call again while it returns `batch`). */
export async function deleteExpiredRequestBodies(db: Database, now: Date, batch = 1_000): Promise<number> {
  const rows = await db.query<{ request_id: string }>(
    `delete from request_bodies where request_id in (
       select request_id from request_bodies where expires_at <= $1 limit $2
     ) returning request_id`,
    [now, batch],
  );
  return rows.length;
}
