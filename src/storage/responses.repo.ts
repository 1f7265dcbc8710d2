import { isStorableText } from '../core/index.js';
import type { Database } from './database.js';
import { asDate, asOptionalDate, fromJsonb, toJsonb } from './values.js';

export interface StoredResponseRecord {
  id: string;
  /** Null: the admin key's namespace. */
  tenantId: string | null;
  previousResponseId: string | null;
  model: string;
  status: string;
  /** The Response object as the client received it. */
  response: Record<string, unknown>;
  /** This turn's input items, normalised with ids. */
  inputItems: Record<string, unknown>[];
  createdAt: Date;
  expiresAt: Date | null;
}

export type NewStoredResponse = Omit<StoredResponseRecord, 'tenantId' | 'createdAt'>;

interface ResponseRow {
  id: string;
  tenant_id: string | null;
  previous_response_id: string | null;
  model: string;
  status: string;
  response: unknown;
  input_items: unknown;
  created_at: unknown;
  expires_at: unknown;
}

const COLUMNS = 'id, tenant_id, previous_response_id, model, status, response, input_items, created_at, expires_at';

const toRecord = (row: ResponseRow): StoredResponseRecord => ({
  id: row.id,
  tenantId: row.tenant_id,
  previousResponseId: row.previous_response_id,
  model: row.model,
  status: row.status,
  response: fromJsonb(row.response) as Record<string, unknown>,
  inputItems: fromJsonb(row.input_items) as Record<string, unknown>[],
  createdAt: asDate(row.created_at),
  expiresAt: asOptionalDate(row.expires_at),
});

/** A safety bound on `previous_response_id` chains (ids are generated, so a cycle cannot occur). */
const MAX_CHAIN = 10_000;

/**
 * One tenant's stored responses (null: the admin namespace). Every query carries the tenant filter,
 * so an id from another tenant reads as absent; expired rows read as absent before the sweep runs. An
 * id the database cannot hold (NUL, an unpaired surrogate) was never stored, so it reads as absent too.
 */
export class ResponsesRepository {
  private readonly db: Database;
  readonly tenantId: string | null;
  private readonly now: () => Date;

  constructor(db: Database, tenantId: string | null, now: () => Date = () => new Date()) {
    this.db = db;
    this.tenantId = tenantId;
    this.now = now;
  }

  /** Whether the response was stored: false when its id is another tenant's. */
  async save(record: NewStoredResponse): Promise<boolean> {
    // An id is global; a pass-through upstream's id reused by another tenant must not overwrite theirs.
    const rows = await this.db.query<{ id: string }>(
      `insert into responses (id, tenant_id, previous_response_id, model, status, response, input_items, expires_at)
       values ($1, $2, $3, $4, $5, $6::jsonb, $7::jsonb, $8)
       on conflict (id) do update set status = excluded.status, response = excluded.response,
         input_items = excluded.input_items, expires_at = excluded.expires_at
       where responses.tenant_id is not distinct from excluded.tenant_id
       returning id`,
      [
        record.id,
        this.tenantId,
        record.previousResponseId,
        record.model,
        record.status,
        // The client's input and metadata may hold NUL or unpaired surrogates, stored as sent.
        toJsonb(record.response),
        toJsonb(record.inputItems),
        record.expiresAt,
      ],
    );
    return rows.length > 0;
  }

  async get(id: string): Promise<StoredResponseRecord | undefined> {
    if (!isStorableText(id)) return undefined;
    const rows = await this.db.query<ResponseRow>(
      `select ${COLUMNS} from responses
       where id = $1 and tenant_id is not distinct from $2 and (expires_at is null or expires_at > $3)`,
      [id, this.tenantId, this.now()],
    );
    return rows[0] ? toRecord(rows[0]) : undefined;
  }

  /**
   * The conversation ending with `id`, oldest turn first, in one round trip. A turn whose ancestor was
   * deleted or expired starts there: the chain is what is still stored.
   */
  async conversation(id: string): Promise<StoredResponseRecord[]> {
    if (!isStorableText(id)) return [];
    const rows = await this.db.query<ResponseRow & { depth: unknown }>(
      `with recursive chain (id, previous_response_id, depth) as (
         select id, previous_response_id, 0 from responses
         where id = $1 and tenant_id is not distinct from $2 and (expires_at is null or expires_at > $3)
         union all
         select r.id, r.previous_response_id, chain.depth + 1
         from responses r join chain on r.id = chain.previous_response_id
         where r.tenant_id is not distinct from $2 and (r.expires_at is null or r.expires_at > $3) and chain.depth < $4
       )
       select ${COLUMNS.split(', ')
         .map((column) => `r.${column}`)
         .join(', ')}, chain.depth
       from chain join responses r on r.id = chain.id
       order by chain.depth desc`,
      [id, this.tenantId, this.now(), MAX_CHAIN],
    );
    return rows.map(toRecord);
  }

  async delete(id: string): Promise<boolean> {
    if (!isStorableText(id)) return false;
    const rows = await this.db.query<{ id: string }>(
      `delete from responses where id = $1 and tenant_id is not distinct from $2 and (expires_at is null or expires_at > $3) returning id`,
      [id, this.tenantId, this.now()],
    );
    return rows.length > 0;
  }
}

/** Deletes up to `batch` expired responses of every tenant; returns how many went. */
export async function deleteExpiredResponses(db: Database, now: Date = new Date(), batch = 1_000): Promise<number> {
  const rows = await db.query<{ id: string }>(
    `delete from responses where id in (
       select id from responses where expires_at is not null and expires_at <= $1 limit $2
     ) returning id`,
    [now, batch],
  );
  return rows.length;
}

/** The tenant-bound repositories and the sweep, in the shape the gateway's Responses surface takes. */
export function responsesStore(db: Database, now: () => Date = () => new Date()) {
  return {
    forTenant: (tenantId: string | null) => new ResponsesRepository(db, tenantId, now),
    sweep: (at: Date) => deleteExpiredResponses(db, at),
  };
}
