import { LATENCY_BUCKETS, LATENCY_THRESHOLDS_MS } from '../core/index.js';

/**
 * The SQL that keeps the usage rollups (`usage_hourly`, `usage_daily`) from ledger rows, shared by the
 * ledger's insert statement (over the rows it just inserted) and by the migration that rebuilt the rollups
 * from the ledger, so both count exactly alike. Ledger rows are aggregated once, into hourly rows; the daily
 * rows are aggregated from those (a handful of groups, not every row again).
 *
 * A rollup row counts every call (`requests`), the failed ones among them (`errors`: status ≥ 400, client
 * aborts included) and the latency histogram of the successful ones (`core/latency-histogram.ts`).
 */
export type RollupTable = 'usage_hourly' | 'usage_daily';

const TIME_COLUMN: Record<RollupTable, string> = { usage_hourly: 'hour', usage_daily: 'day' };

/** The key of a rollup row after its time: absent ids are '' so the primary key can hold them. */
const KEY_COLUMNS = ['tenant_id', 'project_id', 'key_id', 'model', 'agent'] as const;

const COUNT_COLUMNS = ['requests', 'errors', 'input_tokens', 'output_tokens', 'cached_tokens', 'cost_picos'] as const;

const THRESHOLDS = `'{${LATENCY_THRESHOLDS_MS.join(',')}}'::int[]`;
const bucketIndexes = Array.from({ length: LATENCY_BUCKETS }, (_, index) => index);

/** The columns of a rollup row, in the order the selects below produce them. */
export const rollupColumns = (table: RollupTable): string => [TIME_COLUMN[table], ...KEY_COLUMNS, ...COUNT_COLUMNS, 'latency_histogram'].join(', ');

/**
 * Hourly rollup rows of ledger-shaped rows in `source` (columns tenant_id, project_id, key_id, model_served,
 * agent, input_tokens, output_tokens, cached_tokens, cost_picos, latency_ms, status, created_at).
 */
export function hourlyOfLedgerRows(source: string): string {
  const histogram = bucketIndexes.map((bucket) => `count(*) filter (where latency_bucket = ${bucket} and status < 400)`).join(', ');
  return `select date_trunc('hour', created_at at time zone 'UTC') at time zone 'UTC' as hour, coalesce(tenant_id, '') as tenant_id,
             coalesce(project_id, '') as project_id, coalesce(key_id, '') as key_id, model_served as model, coalesce(agent, '') as agent,
             count(*) as requests, count(*) filter (where status >= 400) as errors, sum(input_tokens) as input_tokens,
             sum(output_tokens) as output_tokens, sum(cached_tokens) as cached_tokens, sum(cost_picos) as cost_picos,
             array[${histogram}]::bigint[] as latency_histogram
      from (select *, width_bucket(latency_ms, ${THRESHOLDS}) as latency_bucket from ${source}) measured
      group by 1, 2, 3, 4, 5, 6`;
}

/** Daily rollup rows of hourly rollup rows in `source`. */
export function dailyOfHourlyRows(source: string): string {
  const histogram = bucketIndexes.map((bucket) => `sum(latency_histogram[${bucket + 1}])`).join(', ');
  return `select date_trunc('day', hour at time zone 'UTC') at time zone 'UTC' as day, ${KEY_COLUMNS.join(', ')},
             ${COUNT_COLUMNS.map((column) => `sum(${column})`).join(', ')}, array[${histogram}]::bigint[] as latency_histogram
      from ${source}
      group by 1, 2, 3, 4, 5, 6`;
}

/** Adds the rollup rows that `select` produces into `table` (an upsert: counts and histograms add up). */
export function rollupUpsert(table: RollupTable, select: string): string {
  const merged = bucketIndexes
    .map((bucket) => `coalesce(${table}.latency_histogram[${bucket + 1}], 0) + excluded.latency_histogram[${bucket + 1}]`)
    .join(', ');
  return `insert into ${table} (${rollupColumns(table)})
      ${select}
      on conflict (${[...KEY_COLUMNS, TIME_COLUMN[table]].join(', ')}) do update set
        ${COUNT_COLUMNS.map((column) => `${column} = ${table}.${column} + excluded.${column}`).join(',\n        ')},
        latency_histogram = array[${merged}]::bigint[]`;
}

/** `sum(latency_histogram[1]) … sum(latency_histogram[41])` as h0…h40, for a query that adds histograms up. */
export const HISTOGRAM_SUMS_SQL = bucketIndexes.map((bucket) => `sum(latency_histogram[${bucket + 1}])::text as h${bucket}`).join(', ');
