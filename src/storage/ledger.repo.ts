import { type Picos, picos, type UsageAnomaly, type UsageSource } from '../core/index.js';
import type { Database, QueryOptions } from './database.js';
import { dailyOfHourlyRows, hourlyOfLedgerRows, rollupUpsert } from './usage-rollup-sql.js';
import { asBigInt, asDate, asNumber } from './values.js';

/** One request as the ledger records it. */
export interface LedgerEntry {
  /** Minted by the hub: unique, the replay key. */
  requestId: string;
  /** The client's own id for the request, when it sent one (correlation only, never unique). */
  clientRequestId: string | null;
  tenantId: string | null;
  projectId: string | null;
  keyId: string | null;
  surface: string;
  modelRequested: string;
  modelServed: string;
  providerId: string | null;
  upstreamModel: string | null;
  inputTokens: number;
  outputTokens: number;
  cachedTokens: number;
  cacheWriteTokens: number;
  usageSource: UsageSource;
  /** Set when the upstream's usage was not billed as reported (see `UsageAnomaly`). */
  usageAnomaly: UsageAnomaly | null;
  /** For agent traffic: the agent, run and thread the call was made for. */
  agent: string | null;
  runId: string | null;
  threadId: string | null;
  /** For workflow traffic: the workflow the call was made for (its run is `runId`). */
  workflow: string | null;
  costPicos: Picos;
  /** False when no price was known for the served model (cost recorded as 0). */
  priceKnown: boolean;
  latencyMs: number;
  ttfbMs: number | null;
  status: number;
  errorCode: string | null;
  stream: boolean;
  attempts: number;
  /** Admission time: the row falls in the budget period its reservation was charged to. */
  createdAt: Date;
  /** What the row bills: model tokens (default) or a sandbox's CPU time or storage. */
  usageKind?: UsageKind;
  /** For sandbox usage: the sandbox, its code's CPU time, and its files' bytes × seconds kept. */
  sandboxId?: string | null;
  cpuMs?: number | null;
  storageByteSeconds?: number | null;
}

export const USAGE_KINDS = ['tokens', 'sandbox'] as const;
export type UsageKind = (typeof USAGE_KINDS)[number];

export interface LedgerRow extends LedgerEntry {
  seq: bigint;
}

export interface LedgerFilter {
  projectId?: string;
  keyId?: string;
  model?: string;
  from?: Date;
  to?: Date;
  /** `success`: status below 400; `error`: 400 and above; a number: exactly that HTTP status. */
  status?: 'success' | 'error' | number;
  agent?: string;
  runId?: string;
  /** The hub's own request id, exactly. */
  requestId?: string;
  usageKind?: UsageKind;
  sandboxId?: string;
}

/** The status filter as bounds: `[at least, below, exactly]` (null: no bound). */
function statusBounds(status: LedgerFilter['status']): [number | null, number | null, number | null] {
  if (status === 'success') return [null, 400, null];
  if (status === 'error') return [400, null, null];
  return [null, null, status ?? null];
}

const INSERT_COLUMNS = [
  'request_id',
  'client_request_id',
  'tenant_id',
  'project_id',
  'key_id',
  'surface',
  'model_requested',
  'model_served',
  'provider_id',
  'upstream_model',
  'input_tokens',
  'output_tokens',
  'cached_tokens',
  'cache_write_tokens',
  'usage_source',
  'usage_anomaly',
  'cost_picos',
  'price_known',
  'latency_ms',
  'ttfb_ms',
  'status',
  'error_code',
  'stream',
  'attempts',
  'created_at',
  'agent',
  'run_id',
  'thread_id',
  'workflow',
  'usage_kind',
  'sandbox_id',
  'cpu_ms',
  'storage_byte_seconds',
] as const;

/** The element type of each column's array parameter in the `unnest` insert. */
const ARRAY_TYPES: Record<(typeof INSERT_COLUMNS)[number], string> = {
  request_id: 'text',
  client_request_id: 'text',
  tenant_id: 'text',
  project_id: 'text',
  key_id: 'text',
  surface: 'text',
  model_requested: 'text',
  model_served: 'text',
  provider_id: 'text',
  upstream_model: 'text',
  input_tokens: 'bigint',
  output_tokens: 'bigint',
  cached_tokens: 'bigint',
  cache_write_tokens: 'bigint',
  usage_source: 'text',
  usage_anomaly: 'text',
  cost_picos: 'numeric',
  price_known: 'boolean',
  latency_ms: 'int',
  ttfb_ms: 'int',
  status: 'int',
  error_code: 'text',
  stream: 'boolean',
  attempts: 'int',
  created_at: 'timestamptz',
  agent: 'text',
  run_id: 'text',
  thread_id: 'text',
  workflow: 'text',
  usage_kind: 'text',
  sandbox_id: 'text',
  cpu_ms: 'bigint',
  storage_byte_seconds: 'numeric',
};

/**
 * Rows per statement. The statement's size does not grow with its rows (one array parameter per
 * column). Where the database runs on the event loop (PGlite in process), slices of 128 rows (~5 ms
 * each: ~30 µs a row plus ~1.5 ms a statement) with a yield between them keep a flush from stalling
 * requests; PostgreSQL and PGlite on its own thread do the work elsewhere, so fewer, larger statements
 * (not too large: PGlite runs one statement at a time, and a query behind a slice waits for it).
 */
const sliceRows = (db: Database): number => (db.onEventLoop ? 128 : 500);

function entryParams(entry: LedgerEntry): unknown[] {
  return [
    entry.requestId,
    entry.clientRequestId,
    entry.tenantId,
    entry.projectId,
    entry.keyId,
    entry.surface,
    entry.modelRequested,
    entry.modelServed,
    entry.providerId,
    entry.upstreamModel,
    entry.inputTokens,
    entry.outputTokens,
    entry.cachedTokens,
    entry.cacheWriteTokens,
    entry.usageSource,
    entry.usageAnomaly,
    entry.costPicos.toString(),
    entry.priceKnown,
    Math.round(entry.latencyMs),
    entry.ttfbMs === null ? null : Math.round(entry.ttfbMs),
    entry.status,
    entry.errorCode,
    entry.stream,
    entry.attempts,
    entry.createdAt.toISOString(),
    entry.agent,
    entry.runId,
    entry.threadId,
    entry.workflow,
    entry.usageKind ?? 'tokens',
    entry.sandboxId ?? null,
    entry.cpuMs === undefined || entry.cpuMs === null ? null : Math.round(entry.cpuMs),
    entry.storageByteSeconds === undefined || entry.storageByteSeconds === null ? null : Math.round(entry.storageByteSeconds),
  ];
}

/** One array per column (the statement below unnests them back into rows). */
function columnArrays(entries: readonly LedgerEntry[]): unknown[][] {
  const columns: unknown[][] = INSERT_COLUMNS.map(() => new Array<unknown>(entries.length));
  entries.forEach((entry, row) => {
    entryParams(entry).forEach((value, column) => {
      (columns[column] as unknown[])[row] = value;
    });
  });
  return columns;
}

/**
 * One statement per slice, whatever its size: the rows arrive as one array per column and are unnested,
 * and the usage rollups are upserts over the rows this statement actually inserted — so replaying a journal
 * (request ids already in the ledger) never double-counts. The inserted rows are aggregated once, into hourly
 * rows (`rolled`); the daily rollup adds those up, so a slice costs one grouping of its rows and two upserts
 * of a few grouped rows, never a query per row.
 */
const INSERT_STATEMENT = `
    with inserted as (
      insert into ledger (${INSERT_COLUMNS.join(', ')})
      select * from unnest(${INSERT_COLUMNS.map((column, index) => `$${index + 1}::${ARRAY_TYPES[column]}[]`).join(', ')})
      on conflict (request_id) do nothing
      returning tenant_id, project_id, key_id, model_served, agent, input_tokens, output_tokens, cached_tokens, cost_picos, latency_ms, status,
                created_at
    ), rolled as (
      ${hourlyOfLedgerRows('inserted')}
    ), hourly as (
      ${rollupUpsert('usage_hourly', 'select * from rolled')}
      returning 1
    ), daily as (
      ${rollupUpsert('usage_daily', dailyOfHourlyRows('rolled'))}
      returning 1
    )
    select (select count(*) from inserted)::int as inserted`;

const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Appends ledger rows and their hourly rollups; idempotent by request id. */
export class LedgerWriter {
  private readonly db: Database;

  constructor(db: Database) {
    this.db = db;
  }

  /**
   * Inserts the entries not yet in the ledger; returns how many were new. `background`: no request waits
   * for these rows (the journal holds them), so the database may run them behind every request.
   */
  async append(entries: readonly LedgerEntry[], options: QueryOptions = {}): Promise<number> {
    const slice = sliceRows(this.db);
    let inserted = 0;
    for (let start = 0; start < entries.length; start += slice) {
      // Requests that arrived during the last slice run before the next one.
      if (start > 0) await yieldToEventLoop();
      const rows = await this.db.query<{ inserted: unknown }>(INSERT_STATEMENT, columnArrays(entries.slice(start, start + slice)), options);
      inserted += asNumber(rows[0]?.inserted);
    }
    return inserted;
  }
}

interface LedgerDbRow {
  seq: unknown;
  request_id: string;
  client_request_id: string | null;
  tenant_id: string | null;
  project_id: string | null;
  key_id: string | null;
  surface: string;
  model_requested: string;
  model_served: string;
  provider_id: string | null;
  upstream_model: string | null;
  input_tokens: unknown;
  output_tokens: unknown;
  cached_tokens: unknown;
  cache_write_tokens: unknown;
  usage_source: UsageSource;
  usage_anomaly: UsageAnomaly | null;
  agent: string | null;
  run_id: string | null;
  thread_id: string | null;
  workflow?: string | null;
  usage_kind?: UsageKind;
  sandbox_id?: string | null;
  cpu_ms?: unknown;
  storage_byte_seconds?: unknown;
  cost_picos: unknown;
  price_known: boolean;
  latency_ms: unknown;
  ttfb_ms: unknown;
  status: unknown;
  error_code: string | null;
  stream: boolean;
  attempts: unknown;
  created_at: unknown;
}

const toLedgerRow = (row: LedgerDbRow): LedgerRow => ({
  seq: asBigInt(row.seq),
  requestId: row.request_id,
  clientRequestId: row.client_request_id ?? null,
  tenantId: row.tenant_id,
  projectId: row.project_id,
  keyId: row.key_id,
  surface: row.surface,
  modelRequested: row.model_requested,
  modelServed: row.model_served,
  providerId: row.provider_id,
  upstreamModel: row.upstream_model,
  inputTokens: asNumber(row.input_tokens),
  outputTokens: asNumber(row.output_tokens),
  cachedTokens: asNumber(row.cached_tokens),
  cacheWriteTokens: asNumber(row.cache_write_tokens),
  usageSource: row.usage_source,
  usageAnomaly: row.usage_anomaly ?? null,
  agent: row.agent ?? null,
  runId: row.run_id ?? null,
  threadId: row.thread_id ?? null,
  workflow: row.workflow ?? null,
  costPicos: picos(asBigInt(row.cost_picos)),
  priceKnown: row.price_known,
  latencyMs: asNumber(row.latency_ms),
  ttfbMs: row.ttfb_ms === null || row.ttfb_ms === undefined ? null : asNumber(row.ttfb_ms),
  status: asNumber(row.status),
  errorCode: row.error_code,
  stream: row.stream,
  attempts: asNumber(row.attempts),
  createdAt: asDate(row.created_at),
  usageKind: row.usage_kind ?? 'tokens',
  sandboxId: row.sandbox_id ?? null,
  cpuMs: row.cpu_ms === null || row.cpu_ms === undefined ? null : asNumber(row.cpu_ms),
  storageByteSeconds:
    row.storage_byte_seconds === null || row.storage_byte_seconds === undefined ? null : asNumber(row.storage_byte_seconds),
});

/**
 * Reads the ledger for one tenant, newest first, with a cursor (the last `seq` seen).
 * `tenantId` null reads every tenant's rows and the admin's own: only the admin API builds it so.
 */
export class LedgerRepository {
  private readonly db: Database;
  readonly tenantId: string | null;

  constructor(db: Database, tenantId: string | null) {
    this.db = db;
    this.tenantId = tenantId;
  }

  /**
   * Unnamed statements are planned with their parameters' values, so each `$n is null or …` whose value is
   * given folds to its condition and the indexes of `schema/request-log.ts` apply (a status of 400 and up
   * implies the partial error index's predicate).
   */
  async page(filter: LedgerFilter, options: { before?: bigint; limit: number }): Promise<LedgerRow[]> {
    const [statusAtLeast, statusBelow, statusExactly] = statusBounds(filter.status);
    const rows = await this.db.query<LedgerDbRow>(
      `select seq::text as seq, ${INSERT_COLUMNS.filter((column) => column !== 'cost_picos').join(', ')}, cost_picos::text as cost_picos
       from ledger
       where ($15::text is null or usage_kind = $15) and ($16::text is null or sandbox_id = $16) and ($1::text is null or tenant_id = $1) and ($2::text is null or project_id = $2) and ($3::text is null or key_id = $3)
         and ($4::text is null or model_served = $4) and ($5::timestamptz is null or created_at >= $5)
         and ($6::timestamptz is null or created_at < $6) and ($7::bigint is null or seq < $7)
         and ($9::int is null or status >= $9) and ($10::int is null or status < $10) and ($11::int is null or status = $11)
         and ($12::text is null or agent = $12) and ($13::text is null or run_id = $13) and ($14::text is null or request_id = $14)
       order by ledger.seq desc
       limit $8`,
      [
        this.tenantId,
        filter.projectId ?? null,
        filter.keyId ?? null,
        filter.model ?? null,
        filter.from ?? null,
        filter.to ?? null,
        options.before === undefined ? null : options.before.toString(),
        options.limit,
        statusAtLeast,
        statusBelow,
        statusExactly,
        filter.agent ?? null,
        filter.runId ?? null,
        filter.requestId ?? null,
        filter.usageKind ?? null,
        filter.sandboxId ?? null,
      ],
    );
    return rows.map(toLedgerRow);
  }

  async get(requestId: string): Promise<LedgerRow | undefined> {
    const rows = await this.db.query<LedgerDbRow>(
      `select seq::text as seq, ${INSERT_COLUMNS.filter((column) => column !== 'cost_picos').join(', ')}, cost_picos::text as cost_picos
       from ledger where ($1::text is null or tenant_id = $1) and request_id = $2`,
      [this.tenantId, requestId],
    );
    return rows[0] ? toLedgerRow(rows[0]) : undefined;
  }
}
