import { type Picos, picos, unpackHistogram } from '../core/index.js';
import type { Database } from './database.js';
import { asBigInt, asDate, asNumber } from './values.js';

/** `agent` and `run` group agent traffic only (the ledger rows that carry an agent and a run). */
export type UsageGroupBy = 'model' | 'key' | 'project' | 'day' | 'hour' | 'none' | 'agent' | 'run' | 'usage_kind';

/** What a usage series is split by (every call falls in one group; null where the call has no such value). */
export type UsageSeriesGroupBy = 'model' | 'key' | 'project' | 'agent' | 'none';

/** The width of a series' buckets (UTC). */
export type UsageInterval = 'hour' | 'day' | 'month';

export interface UsageFilter {
  projectId?: string;
  keyId?: string;
  model?: string;
  /** Agent traffic of this agent. */
  agent?: string;
  /** Agent traffic of this run (read from the ledger: the rollups have no run). */
  runId?: string;
  /** Inclusive; rollups are hourly, so this is rounded down to the hour (exact when read from the ledger). */
  from?: Date;
  /** Exclusive; rounded up to the hour (exact when read from the ledger). */
  to?: Date;
}

export interface UsageTotals {
  /** The value of the group-by dimension ('all' when not grouped); null for the admin's own traffic. */
  group: string | null;
  /** Every call, the failed ones included. */
  requests: number;
  /** Failed calls (status 400 and above, client aborts included). */
  errors: number;
  inputTokens: number;
  outputTokens: number;
  cachedTokens: number;
  costPicos: Picos;
}

/** One bucket of one group of a series, with the latency histogram of its successful calls. */
export interface UsageSeriesRow extends UsageTotals {
  bucket: Date;
  /** The groups past `top`, added up (group null). */
  other: boolean;
  latencyHistogram: number[];
}

/** The scope a budget's spend is summed over. */
export interface SpendScope {
  tenantId: string;
  projectId?: string | null;
  keyId?: string | null;
}

/** Rollup columns per group-by: absent ids are '' in the rollups, null in answers. */
const DIMENSIONS: Record<UsageSeriesGroupBy, string> = {
  model: 'model',
  key: "nullif(key_id, '')",
  project: "nullif(project_id, '')",
  agent: "nullif(agent, '')",
  none: `'all'`,
};

const totalsGroup = (groupBy: Exclude<UsageGroupBy, 'run'>, time: string): string => {
  switch (groupBy) {
    case 'day':
      return `to_char(${time} at time zone 'UTC', 'YYYY-MM-DD')`;
    case 'hour':
      return `to_char(${time} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:00:00"Z"')`;
    // Sandbox usage is rolled up under its `sandbox:*` model names.
    case 'usage_kind':
      return "case when model like 'sandbox:%' then 'sandbox' else 'tokens' end";
    default:
      return DIMENSIONS[groupBy];
  }
};

// The ledger's own columns: it stores null where the rollup stores ''.
const LEDGER_GROUP_EXPRESSIONS: Record<UsageGroupBy, string> = {
  model: 'model_served',
  key: 'key_id',
  project: 'project_id',
  day: `to_char(created_at at time zone 'UTC', 'YYYY-MM-DD')`,
  hour: `to_char(created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:00:00"Z"')`,
  none: `'all'`,
  agent: 'agent',
  run: 'run_id',
  usage_kind: 'usage_kind',
};

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
export const floorHour = (date: Date): Date => new Date(Math.floor(date.getTime() / HOUR_MS) * HOUR_MS);
export const ceilHour = (date: Date): Date => new Date(Math.ceil(date.getTime() / HOUR_MS) * HOUR_MS);
const floorDay = (date: Date): Date => new Date(Math.floor(date.getTime() / DAY_MS) * DAY_MS);
const ceilDay = (date: Date): Date => new Date(Math.ceil(date.getTime() / DAY_MS) * DAY_MS);

const COUNTS = ['requests', 'errors', 'input_tokens', 'output_tokens', 'cached_tokens', 'cost_picos'];
const COUNT_COLUMNS = COUNTS.join(', ');
const SERIES_COLUMNS = [...COUNTS, 'latency_histogram'];
/** Sums read as text (bigint and numeric alike on both engines). */
const textSums = (columns: readonly string[]): string => columns.map((column) => `sum(${column})::text as ${column}`).join(', ');
const SUMS = textSums(COUNTS);
/** Every count of a series row, added up (kept numeric until the answer is read). */
const SUM_COLUMNS = SERIES_COLUMNS.map((column) => `sum(${column}) as ${column}`).join(', ');
/** Every count of a series row, added up and read as text. */
const TEXT_COLUMNS = textSums(SERIES_COLUMNS);

interface TotalsRow {
  grp: string | null;
  requests: unknown;
  errors: unknown;
  input_tokens: unknown;
  output_tokens: unknown;
  cached_tokens: unknown;
  cost_picos: unknown;
}

type SeriesDbRow = TotalsRow & { bucket: unknown; other: unknown; latency_histogram: string | null };

/** Positional parameters, numbered as they are added. */
class Params {
  readonly values: unknown[] = [];
  add(value: unknown, type: string): string {
    this.values.push(value);
    return `$${this.values.length}::${type}`;
  }
}

/**
 * Where a range's rows live: whole UTC days in `usage_daily`, the hours before the first and after the last
 * whole day in `usage_hourly` (all of it there when `hourly` is asked for, or the range has no whole day).
 * Either bound may be open. Returns one `select … from <rollup> where …` per part, to be unioned.
 */
function rollupParts(
  range: { from: Date | null; to: Date | null },
  hourlyOnly: boolean,
  select: (time: 'hour' | 'day') => string,
  where: string,
  params: Params,
): string[] {
  const { from, to } = range;
  const hourly = (start: Date | null, end: Date | null): string => {
    const bounds = [start ? `hour >= ${params.add(start, 'timestamptz')}` : null, end ? `hour < ${params.add(end, 'timestamptz')}` : null];
    return `select ${select('hour')} from usage_hourly where ${[where, ...bounds].filter(Boolean).join(' and ')}`;
  };
  const firstDay = from ? ceilDay(from) : null;
  const lastDay = to ? floorDay(to) : null;
  if (hourlyOnly || (firstDay && lastDay && firstDay >= lastDay)) return [hourly(from, to)];
  const days = [
    firstDay ? `day >= ${params.add(firstDay, 'timestamptz')}` : null,
    lastDay ? `day < ${params.add(lastDay, 'timestamptz')}` : null,
  ];
  const parts = [`select ${select('day')} from usage_daily where ${[where, ...days].filter(Boolean).join(' and ')}`];
  if (from && firstDay && from < firstDay) parts.push(hourly(from, firstDay));
  if (to && lastDay && lastDay < to) parts.push(hourly(lastDay, to));
  return parts;
}

/**
 * Usage from the rollups (`usage_hourly`, `usage_daily`). `tenantId` null reads across tenants (admin API
 * only); otherwise every query carries the tenant filter.
 */
export class UsageRepository {
  private readonly db: Database;
  readonly tenantId: string | null;

  constructor(db: Database, tenantId: string | null) {
    this.db = db;
    this.tenantId = tenantId;
  }

  /**
   * Totals per group over a range (hour-aligned: `from` rounded down, `to` up). `agent` groups agent traffic
   * only. Grouped by run or filtered by one, usage is read from the run's ledger rows (exact bounds; the
   * rollups have no run column, and a run's rows are indexed). `top`: only the groups that spent the most.
   */
  async summarize(filter: UsageFilter, groupBy: UsageGroupBy, options: { top?: number } = {}): Promise<UsageTotals[]> {
    if (groupBy === 'run' || filter.runId !== undefined) return this.summarizeRunTraffic(filter, groupBy, options);
    const params = new Params();
    const where = this.rollupWhere(filter, params, groupBy === 'agent');
    const parts = rollupParts(
      { from: filter.from ? floorHour(filter.from) : null, to: filter.to ? ceilHour(filter.to) : null },
      groupBy === 'hour',
      (time) => `${totalsGroup(groupBy, time)} as grp, ${COUNT_COLUMNS}`,
      where,
      params,
    );
    const order =
      options.top === undefined
        ? 'order by 1'
        : `order by sum(cost_picos) desc, sum(requests) desc, 1 limit ${params.add(options.top, 'int')}`;
    const rows = await this.db.query<TotalsRow>(
      `select grp, ${SUMS} from (${parts.join(' union all ')}) rollup group by 1 ${order}`,
      params.values,
    );
    return rows.map(totalsOf);
  }

  /**
   * A time series: one row per bucket and group that saw calls (buckets without calls are absent), over
   * [from, to) — both whole hours. Buckets start at their UTC hour, day or month; the first and last may be
   * partial when the range does not start or end on the interval's boundary.
   */
  async series(
    filter: Omit<UsageFilter, 'runId' | 'from' | 'to'>,
    range: { from: Date; to: Date },
    interval: UsageInterval,
    groupBy: UsageSeriesGroupBy,
    options: { top?: number } = {},
  ): Promise<UsageSeriesRow[]> {
    const params = new Params();
    const where = this.rollupWhere(filter, params, false);
    const bucketOf = (time: 'hour' | 'day'): string =>
      (interval === 'hour' && time === 'hour') || (interval === 'day' && time === 'day')
        ? time
        : `date_trunc('${interval}', ${time} at time zone 'UTC') at time zone 'UTC'`;
    const parts = rollupParts(
      range,
      interval === 'hour',
      (time) => `${bucketOf(time)} as bucket, ${DIMENSIONS[groupBy]} as grp, ${COUNT_COLUMNS}, latency_histogram`,
      where,
      params,
    );
    const rollup = `(${parts.join(' union all ')}) rollup`;
    // With `top`, each group is placed by what it spent over the range and the groups past `top` are added up
    // here, so only the kept groups' rows (and one `other` row per bucket) leave the database.
    const top = options.top === undefined ? undefined : params.add(options.top, 'int');
    const sql =
      top === undefined
        ? `select bucket, grp, false as other, ${TEXT_COLUMNS} from ${rollup} group by 1, 2 order by 1, 2`
        : `with grouped as (select bucket, grp, ${SUM_COLUMNS} from ${rollup} group by 1, 2),
           totals as (select *, sum(cost_picos) over (partition by grp) as group_cost, sum(requests) over (partition by grp) as group_requests
                      from grouped),
           placed as (select *, dense_rank() over (order by group_cost desc, group_requests desc, grp collate "C" nulls last) as place from totals)
           select bucket, case when place <= ${top} then grp end as grp, place > ${top} as other,
                  ${TEXT_COLUMNS}
           from placed
           group by 1, 2, 3
           order by 1, 3, 2`;
    const rows = await this.db.query<SeriesDbRow>(sql, params.values);
    return rows.map((row) => ({
      ...totalsOf(row),
      bucket: asDate(row.bucket),
      other: row.other === true,
      latencyHistogram: unpackHistogram(row.latency_histogram),
    }));
  }

  /** The spend of each project and key of this repository's tenant in [from, to) (whole hours). */
  async spendByKey(range: { from: Date; to: Date }): Promise<{ projectId: string | null; keyId: string | null; costPicos: Picos }[]> {
    if (this.tenantId === null) throw new TypeError('spendByKey needs a tenant');
    const rows = await this.db.query<{ project_id: string | null; key_id: string | null; cost_picos: unknown }>(
      `select nullif(project_id, '') as project_id, nullif(key_id, '') as key_id, sum(cost_picos)::text as cost_picos
       from usage_hourly where tenant_id = $1 and hour >= $2 and hour < $3
       group by 1, 2`,
      [this.tenantId, range.from, range.to],
    );
    return rows.map((row) => ({ projectId: row.project_id, keyId: row.key_id, costPicos: picos(asBigInt(row.cost_picos)) }));
  }

  private rollupWhere(filter: Omit<UsageFilter, 'runId' | 'from' | 'to'>, params: Params, agentTrafficOnly: boolean): string {
    const conditions: string[] = ['true'];
    if (this.tenantId !== null) conditions.push(`tenant_id = ${params.add(this.tenantId, 'text')}`);
    if (filter.projectId !== undefined) conditions.push(`project_id = ${params.add(filter.projectId, 'text')}`);
    if (filter.keyId !== undefined) conditions.push(`key_id = ${params.add(filter.keyId, 'text')}`);
    if (filter.model !== undefined) conditions.push(`model = ${params.add(filter.model, 'text')}`);
    if (filter.agent !== undefined) conditions.push(`agent = ${params.add(filter.agent, 'text')}`);
    else if (agentTrafficOnly) conditions.push(`agent <> ''`);
    return conditions.join(' and ');
  }

  private async summarizeRunTraffic(filter: UsageFilter, groupBy: UsageGroupBy, options: { top?: number }): Promise<UsageTotals[]> {
    const order = options.top === undefined ? 'order by 1' : 'order by sum(cost_picos) desc, count(*) desc, 1 limit $9';
    const rows = await this.db.query<TotalsRow>(
      `select ${LEDGER_GROUP_EXPRESSIONS[groupBy]} as grp, count(*)::text as requests, count(*) filter (where status >= 400)::text as errors,
              sum(input_tokens)::text as input_tokens, sum(output_tokens)::text as output_tokens, sum(cached_tokens)::text as cached_tokens,
              sum(cost_picos)::text as cost_picos
       from ledger
       where run_id is not null and agent is not null
         and ($1::text is null or tenant_id = $1) and ($2::text is null or project_id = $2) and ($3::text is null or key_id = $3)
         and ($4::text is null or model_served = $4) and ($5::timestamptz is null or created_at >= $5) and ($6::timestamptz is null or created_at < $6)
         and ($7::text is null or agent = $7) and ($8::text is null or run_id = $8)
       group by 1
       ${order}`,
      [
        this.tenantId,
        filter.projectId ?? null,
        filter.keyId ?? null,
        filter.model ?? null,
        filter.from ?? null,
        filter.to ?? null,
        filter.agent ?? null,
        filter.runId ?? null,
        ...(options.top === undefined ? [] : [options.top]),
      ],
    );
    return rows.map(totalsOf);
  }
}

function totalsOf(row: TotalsRow): UsageTotals {
  return {
    group: row.grp,
    requests: asNumber(row.requests),
    errors: asNumber(row.errors),
    inputTokens: asNumber(row.input_tokens),
    outputTokens: asNumber(row.output_tokens),
    cachedTokens: asNumber(row.cached_tokens),
    costPicos: picos(asBigInt(row.cost_picos)),
  };
}

/**
 * What a budget's scope has spent in [from, to) according to the ledger rollups: the starting
 * point of the spend counters after a restart. Periods are whole UTC hours, so this is exact.
 */
export async function spentInPeriod(db: Database, scope: SpendScope, from: Date | null, to: Date | null): Promise<Picos> {
  const rows = await db.query<{ spent: unknown }>(
    `select coalesce(sum(cost_picos), 0)::text as spent from usage_hourly
     where tenant_id = $1 and ($2::text is null or project_id = $2) and ($3::text is null or key_id = $3)
       and ($4::timestamptz is null or hour >= $4) and ($5::timestamptz is null or hour < $5)`,
    [scope.tenantId, scope.projectId ?? null, scope.keyId ?? null, from, to],
  );
  return picos(asBigInt(rows[0]?.spent));
}

/** A run and every run it started, at any depth (child runs of agent tools). */
const RUN_TREE = `with recursive tree as (
    select id from runs where tenant_id = $1 and id = $2
    union all
    select child.id from runs child join tree on child.parent_run_id = tree.id
  )`;

/** What a run and the runs it started have spent so far, from their ledger rows (seeds the run's budget counter). */
export async function spentOnRun(db: Database, tenantId: string, runId: string): Promise<Picos> {
  const rows = await db.query<{ spent: unknown }>(
    `${RUN_TREE}
     select coalesce(sum(cost_picos), 0)::text as spent from ledger
     where tenant_id = $1 and (run_id = $2 or run_id in (select id from tree))`,
    [tenantId, runId],
  );
  return picos(asBigInt(rows[0]?.spent));
}

export interface RunUsage {
  inputTokens: number;
  outputTokens: number;
  costPicos: Picos;
  /** Ledger rows (model calls) of the run. */
  calls: number;
}

/** A run's usage: exactly its ledger rows and those of the runs it started (agent tools). */
export async function runUsage(db: Database, tenantId: string, runId: string): Promise<RunUsage> {
  const rows = await db.query<{ input: unknown; output: unknown; cost: unknown; calls: unknown }>(
    `${RUN_TREE}
     select coalesce(sum(input_tokens), 0)::text as input, coalesce(sum(output_tokens), 0)::text as output,
            coalesce(sum(cost_picos), 0)::text as cost, count(*)::int as calls
     from ledger where tenant_id = $1 and (run_id = $2 or run_id in (select id from tree))`,
    [tenantId, runId],
  );
  const row = rows[0];
  return {
    inputTokens: Number(row?.input ?? 0),
    outputTokens: Number(row?.output ?? 0),
    costPicos: picos(asBigInt(row?.cost)),
    calls: Number(row?.calls ?? 0),
  };
}
