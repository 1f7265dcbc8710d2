import type { Database } from './database.js';
import { asDate, asJson, asNumber, asOptionalDate } from './values.js';

export interface KeyRateLimits {
  /** Requests per minute. */
  rpm?: number;
  /** Tokens (prompt + worst-case output) per minute. */
  tpm?: number;
  maxConcurrency?: number;
}

export interface ApiKeyRecord {
  id: string;
  tenantId: string;
  projectId: string | null;
  name: string | null;
  keyHash: string;
  /** The first characters of the secret, for recognising a key in lists. */
  keyPrefix: string;
  /** Model names this key may use; null means all. */
  models: string[] | null;
  rateLimits: KeyRateLimits;
  /** What the key may do (`inference`, `agents:write`, `agents:run`); rows older than scopes hold `['inference']`. */
  scopes: string[];
  /** The person a personal key belongs to; null for a service key. */
  userId: string | null;
  createdAt: Date;
  revokedAt: Date | null;
}

export interface NewApiKey {
  id: string;
  projectId: string | null;
  name: string | null;
  keyHash: string;
  keyPrefix: string;
  models: string[] | null;
  rateLimits: KeyRateLimits;
  /** Absent: the column's default, `['inference']`. */
  scopes?: string[];
  userId?: string | null;
}

export interface ApiKeyPatch {
  name?: string | null;
  models?: string[] | null;
  rateLimits?: KeyRateLimits;
  scopes?: string[];
}

interface ApiKeyRow {
  id: string;
  tenant_id: string;
  project_id: string | null;
  name: string | null;
  key_hash: string;
  key_prefix: string;
  models: unknown;
  rate_limits: unknown;
  scopes: unknown;
  user_id: string | null;
  created_at: unknown;
  revoked_at: unknown;
}

const COLUMNS = 'id, tenant_id, project_id, name, key_hash, key_prefix, models, rate_limits, scopes, user_id, created_at, revoked_at';

function toRateLimits(value: unknown): KeyRateLimits {
  const raw = asJson(value);
  if (typeof raw !== 'object' || raw === null) return {};
  const record = raw as Record<string, unknown>;
  const limits: KeyRateLimits = {};
  if (record.rpm !== undefined && record.rpm !== null) limits.rpm = asNumber(record.rpm);
  if (record.tpm !== undefined && record.tpm !== null) limits.tpm = asNumber(record.tpm);
  if (record.max_concurrency !== undefined && record.max_concurrency !== null) limits.maxConcurrency = asNumber(record.max_concurrency);
  return limits;
}

function rateLimitsJson(limits: KeyRateLimits): string {
  return JSON.stringify({ rpm: limits.rpm, tpm: limits.tpm, max_concurrency: limits.maxConcurrency });
}

/** Both engines parse text[] into an array; the literal form (`{a,b}`) is read too, should a driver hand it over as text. */
function toScopes(value: unknown): string[] {
  if (Array.isArray(value)) return value.map(String);
  if (typeof value === 'string' && value.startsWith('{') && value.endsWith('}')) {
    return value.length > 2 ? value.slice(1, -1).split(',') : [];
  }
  return ['inference'];
}

function toApiKey(row: ApiKeyRow): ApiKeyRecord {
  const models = asJson(row.models);
  return {
    id: row.id,
    tenantId: row.tenant_id,
    projectId: row.project_id,
    name: row.name,
    keyHash: row.key_hash,
    keyPrefix: row.key_prefix,
    models: Array.isArray(models) ? models.map(String) : null,
    rateLimits: toRateLimits(row.rate_limits),
    scopes: toScopes(row.scopes),
    userId: row.user_id ?? null,
    createdAt: asDate(row.created_at),
    revokedAt: asOptionalDate(row.revoked_at),
  };
}

/** One tenant's virtual keys; every query carries the tenant filter. */
export class ApiKeysRepository {
  private readonly db: Database;
  readonly tenantId: string;

  constructor(db: Database, tenantId: string) {
    this.db = db;
    this.tenantId = tenantId;
  }

  async create(key: NewApiKey): Promise<ApiKeyRecord> {
    const rows = await this.db.query<ApiKeyRow>(
      `insert into api_keys (id, tenant_id, project_id, name, key_hash, key_prefix, models, rate_limits, scopes, user_id)
       values ($1, $2, $3, $4, $5, $6, $7::jsonb, $8::jsonb, coalesce($9::text[], '{inference}'), $10) returning ${COLUMNS}`,
      [
        key.id,
        this.tenantId,
        key.projectId,
        key.name,
        key.keyHash,
        key.keyPrefix,
        key.models === null ? null : JSON.stringify(key.models),
        rateLimitsJson(key.rateLimits),
        key.scopes ?? null,
        key.userId ?? null,
      ],
    );
    const row = rows[0];
    if (!row) throw new Error('insert into api_keys returned no row');
    return toApiKey(row);
  }

  async get(id: string): Promise<ApiKeyRecord | undefined> {
    const rows = await this.db.query<ApiKeyRow>(`select ${COLUMNS} from api_keys where tenant_id = $1 and id = $2`, [this.tenantId, id]);
    return rows[0] ? toApiKey(rows[0]) : undefined;
  }

  async list(options: { projectId?: string; includeRevoked?: boolean } = {}): Promise<ApiKeyRecord[]> {
    const rows = await this.db.query<ApiKeyRow>(
      `select ${COLUMNS} from api_keys
       where tenant_id = $1 and ($2::text is null or project_id = $2) and ($3::boolean or revoked_at is null)
       order by created_at, id`,
      [this.tenantId, options.projectId ?? null, options.includeRevoked ?? true],
    );
    return rows.map(toApiKey);
  }

  async update(id: string, patch: ApiKeyPatch): Promise<ApiKeyRecord | undefined> {
    const rows = await this.db.query<ApiKeyRow>(
      `update api_keys set
         name = case when $3::boolean then $4 else name end,
         models = case when $5::boolean then $6::jsonb else models end,
         rate_limits = case when $7::boolean then $8::jsonb else rate_limits end,
         scopes = case when $9::boolean then $10::text[] else scopes end
       where tenant_id = $1 and id = $2
       returning ${COLUMNS}`,
      [
        this.tenantId,
        id,
        patch.name !== undefined,
        patch.name ?? null,
        patch.models !== undefined,
        patch.models ? JSON.stringify(patch.models) : null,
        patch.rateLimits !== undefined,
        rateLimitsJson(patch.rateLimits ?? {}),
        patch.scopes !== undefined,
        patch.scopes ?? null,
      ],
    );
    return rows[0] ? toApiKey(rows[0]) : undefined;
  }

  /** A person's keys, revoked ones included, oldest first. */
  async forUser(userId: string): Promise<ApiKeyRecord[]> {
    const rows = await this.db.query<ApiKeyRow>(
      `select ${COLUMNS} from api_keys where tenant_id = $1 and user_id = $2 order by created_at, id`,
      [this.tenantId, userId],
    );
    return rows.map(toApiKey);
  }

  /** Sets the scopes of every key of a person (their role changed); returns the keys changed. */
  async setUserScopes(userId: string, scopes: readonly string[]): Promise<ApiKeyRecord[]> {
    const rows = await this.db.query<ApiKeyRow>(
      `update api_keys set scopes = $3::text[] where tenant_id = $1 and user_id = $2 returning ${COLUMNS}`,
      [this.tenantId, userId, [...scopes]],
    );
    return rows.map(toApiKey);
  }

  /** Revokes every key of a person (they were disabled); returns the keys revoked now. */
  async revokeForUser(userId: string, at: Date): Promise<ApiKeyRecord[]> {
    const rows = await this.db.query<ApiKeyRow>(
      `update api_keys set revoked_at = $3 where tenant_id = $1 and user_id = $2 and revoked_at is null returning ${COLUMNS}`,
      [this.tenantId, userId, at],
    );
    return rows.map(toApiKey);
  }

  /** Marks the key revoked (idempotent: the first revocation time is kept). */
  async revoke(id: string, at: Date): Promise<ApiKeyRecord | undefined> {
    const rows = await this.db.query<ApiKeyRow>(
      `update api_keys set revoked_at = coalesce(revoked_at, $3) where tenant_id = $1 and id = $2 returning ${COLUMNS}`,
      [this.tenantId, id, at],
    );
    return rows[0] ? toApiKey(rows[0]) : undefined;
  }
}

/**
 * Lookups that do not know the tenant yet: authentication (by the secret's hash) and admin requests
 * that name a key by id. Callers build the tenant-bound repository from the record's tenant.
 */
export class ApiKeyLookup {
  private readonly db: Database;

  constructor(db: Database) {
    this.db = db;
  }

  async byHash(keyHash: string): Promise<ApiKeyRecord | undefined> {
    const rows = await this.db.query<ApiKeyRow>(`select ${COLUMNS} from api_keys where key_hash = $1`, [keyHash]);
    return rows[0] ? toApiKey(rows[0]) : undefined;
  }

  async byId(id: string): Promise<ApiKeyRecord | undefined> {
    const rows = await this.db.query<ApiKeyRow>(`select ${COLUMNS} from api_keys where id = $1`, [id]);
    return rows[0] ? toApiKey(rows[0]) : undefined;
  }
}
