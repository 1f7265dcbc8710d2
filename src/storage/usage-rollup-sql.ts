import { LATENCY_BUCKET_DIGITS, LATENCY_BUCKETS, LATENCY_THRESHOLDS_MS } from '../core/index.js';

/**
 * The SQL that keeps the usage rollups (`usage_hourly`, `usage_daily`) from ledger rows, shared by the
 * ledger's insert statement (over the rows it just inserted) and by the migration that rebuilt the rollups
 * from the ledger, so both count exactly alike. Ledger rows are aggregated once, into hourly rows; the daily
 * rows are aggregated from those (a handful of groups, not every row again).
 *
 * A rollup row counts every call (`requests`), the failed ones among them (`errors`: status ≥ 400, client
 * aborts included) and the latency histogram of the successful ones, packed into one decimal
 * (`core/latency-histogram.ts`): so histograms add with `+` and `sum()` like every other count.
 */
export type RollupTable = 'usage_hourly' | 'usage_daily';

const TIME_COLUMN: Record<RollupTable, string> = { usage_hourly: 'hour', usage_daily: 'day' };

/** The key of a rollup row after its time: absent ids are '' so the primary key can hold them. */
const KEY_COLUMNS = ['tenant_id', 'project_id', 'key_id', 'model', 'agent'] as const;

/** Every column that adds up when rows merge. */
const COUNT_COLUMNS = ['requests', 'errors', 'input_tokens', 'output_tokens', 'cached_tokens', 'cost_picos', 'latency_histogram'] as const;

const THRESHOLDS = `'{${LATENCY_THRESHOLDS_MS.join(',')}}'::int[]`;
/** What one call adds to a packed histogram, per bucket: 10^(15·b). */
const BUCKET_WEIGHTS = `'{${Array.from({ length: LATENCY_BUCKETS }, (_, bucket) => `1e${bucket * LATENCY_BUCKET_DIGITS}`).join(',')}}'::numeric[]`;

/** The columns of a rollup row, in the order the selects below produce them. */
export const rollupColumns = (table: RollupTable): string => [TIME_COLUMN[table], ...KEY_COLUMNS, ...COUNT_COLUMNS].join(', ');

/**
 * Hourly rollup rows of ledger-shaped rows in `source` (columns tenant_id, project_id, key_id, model_served,
 * agent, input_tokens, output_tokens, cached_tokens, cost_picos, latency_ms, status, created_at).
 */
export function hourlyOfLedgerRows(source: string): string {
  return `select date_trunc('hour', created_at at time zone 'UTC') at time zone 'UTC' as hour, coalesce(tenant_id, '') as tenant_id,
             coalesce(project_id, '') as project_id, coalesce(key_id, '') as key_id, model_served as model, coalesce(agent, '') as agent,
             count(*) as requests, count(*) filter (where status >= 400) as errors, sum(input_tokens) as input_tokens,
             sum(output_tokens) as output_tokens, sum(cached_tokens) as cached_tokens, sum(cost_picos) as cost_picos,
             coalesce(sum((${BUCKET_WEIGHTS})[width_bucket(latency_ms, ${THRESHOLDS}) + 1]) filter (where status < 400), 0) as latency_histogram
      from ${source}
      group by 1, 2, 3, 4, 5, 6`;
}

/** Daily rollup rows of hourly rollup rows in `source`. */
export function dailyOfHourlyRows(source: string): string {
  return `select date_trunc('day', hour at time zone 'UTC') at time zone 'UTC' as day, ${KEY_COLUMNS.join(', ')},
             ${COUNT_COLUMNS.map((column) => `sum(${column})`).join(', ')}
      from ${source}
      group by 1, 2, 3, 4, 5, 6`;
}

/** Adds the rollup rows that `select` produces into `table` (an upsert: counts and histograms add up). */
export function rollupUpsert(table: RollupTable, select: string): string {
  return `insert into ${table} (${rollupColumns(table)})
      ${select}
      on conflict (${[...KEY_COLUMNS, TIME_COLUMN[table]].join(', ')}) do update set
        ${COUNT_COLUMNS.map((column) => `${column} = ${table}.${column} + excluded.${column}`).join(',\n        ')}`;
}
