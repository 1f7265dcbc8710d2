import { type Picos, picos, type UsageAnomaly, type UsageSource } from '../core/index.js';
import type { Database } from './database.js';
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
}

export interface LedgerRow extends LedgerEntry {
  seq: bigint;
}

export interface LedgerFilter {
  projectId?: string;
  keyId?: string;
  model?: string;
  from?: Date;
  to?: Date;
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
};

/**
 * Rows per statement. The statement's size does not grow with its rows (one array parameter per
 * column), but on PGlite it runs on the event loop: slices of this many rows (~5 ms each, ~30 µs a row plus ~1.5 ms a statement) with a yield
 * between them keep a flush from stalling requests. A PostgreSQL server does the work elsewhere.
 */
const SLICE_ROWS: Record<Database['engine'], number> = { pglite: 128, postgres: 1_000 };

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
 * and the hourly rollup is one aggregated upsert over the rows this statement actually inserted — so
 * replaying a journal (request ids already in the ledger) never double-counts.
 */
const INSERT_STATEMENT = `
    with inserted as (
      insert into ledger (${INSERT_COLUMNS.join(', ')})
      select * from unnest(${INSERT_COLUMNS.map((column, index) => `$${index + 1}::${ARRAY_TYPES[column]}[]`).join(', ')})
      on conflict (request_id) do nothing
      returning tenant_id, project_id, key_id, model_served, input_tokens, output_tokens, cached_tokens, cost_picos, created_at
    ), rolled as (
      insert into usage_hourly (hour, tenant_id, project_id, key_id, model, requests, input_tokens, output_tokens, cached_tokens, cost_picos)
      select date_trunc('hour', created_at at time zone 'UTC') at time zone 'UTC', coalesce(tenant_id, ''), coalesce(project_id, ''),
             coalesce(key_id, ''), model_served, count(*), sum(input_tokens), sum(output_tokens), sum(cached_tokens), sum(cost_picos)
      from inserted
      group by 1, 2, 3, 4, 5
      on conflict (tenant_id, project_id, key_id, model, hour) do update set
        requests = usage_hourly.requests + excluded.requests,
        input_tokens = usage_hourly.input_tokens + excluded.input_tokens,
        output_tokens = usage_hourly.output_tokens + excluded.output_tokens,
        cached_tokens = usage_hourly.cached_tokens + excluded.cached_tokens,
        cost_picos = usage_hourly.cost_picos + excluded.cost_picos
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

  /** Inserts the entries not yet in the ledger; returns how many were new. */
  async append(entries: readonly LedgerEntry[]): Promise<number> {
    const slice = SLICE_ROWS[this.db.engine];
    let inserted = 0;
    for (let start = 0; start < entries.length; start += slice) {
      // Requests that arrived during the last slice run before the next one.
      if (start > 0) await yieldToEventLoop();
      const rows = await this.db.query<{ inserted: unknown }>(INSERT_STATEMENT, columnArrays(entries.slice(start, start + slice)));
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
  costPicos: picos(asBigInt(row.cost_picos)),
  priceKnown: row.price_known,
  latencyMs: asNumber(row.latency_ms),
  ttfbMs: row.ttfb_ms === null || row.ttfb_ms === undefined ? null : asNumber(row.ttfb_ms),
  status: asNumber(row.status),
  errorCode: row.error_code,
  stream: row.stream,
  attempts: asNumber(row.attempts),
  createdAt: asDate(row.created_at),
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

  async page(filter: LedgerFilter, options: { before?: bigint; limit: number }): Promise<LedgerRow[]> {
    const rows = await this.db.query<LedgerDbRow>(
      `select seq::text as seq, ${INSERT_COLUMNS.filter((column) => column !== 'cost_picos').join(', ')}, cost_picos::text as cost_picos
       from ledger
       where ($1::text is null or tenant_id = $1) and ($2::text is null or project_id = $2) and ($3::text is null or key_id = $3)
         and ($4::text is null or model_served = $4) and ($5::timestamptz is null or created_at >= $5)
         and ($6::timestamptz is null or created_at < $6) and ($7::bigint is null or seq < $7)
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
