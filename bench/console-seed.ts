/**
 * Seeds the usage rollups for the console benchmark straight in SQL (`generate_series`), hour by hour for
 * `days` days up to the current hour, for every key × model: the rows the ledger's own insert would have left,
 * without the ledger rows themselves (the overview never reads those). The daily rollup is then derived from
 * the hourly one with the same SQL the migration uses, so the two agree exactly.
 */
import { LATENCY_BUCKET_DIGITS } from '../src/core/index.js';
import type { Database } from '../src/storage/index.js';
import { dailyOfHourlyRows, rollupColumns } from '../src/storage/usage-rollup-sql.js';

export interface SeedShape {
  days: number;
  keys: number;
  models: number;
  /** The last hour seeded is the current one; the first `days × 24 − 1` hours before it. */
  now: number;
}

export interface SeedResult {
  hourlyRows: number;
  dailyRows: number;
  hourlySeconds: number;
  dailySeconds: number;
}

const HOUR_MS = 3_600_000;
const HOURS_PER_STATEMENT = 24;

/**
 * Every key × model × hour gets 1–7 calls, one in 13 of them failed, costs that vary by key and model, and a
 * latency histogram (all successful calls of a row in one bucket, 10–25, i.e. ~23 ms to ~4 s, by key and model).
 * Keys are `keyIds[k]`, in projects `projectIds[k % projects]`; every tenth key's traffic is an agent's.
 */
export async function seedRollups(
  db: Database,
  tenantId: string,
  keyIds: readonly string[],
  projectIds: readonly string[],
  shape: SeedShape,
  log: (line: string) => void,
): Promise<SeedResult> {
  const lastHour = Math.floor(shape.now / HOUR_MS) * HOUR_MS;
  const firstHour = lastHour - (shape.days * 24 - 1) * HOUR_MS;
  const hours = shape.days * 24;
  // The histogram of a row: `ok` successful calls in bucket `10 + center`, packed as the rollups keep it.
  await db.exec(`
    create temporary table bench_histograms as
      select center, ok, ok * ('1e' || (${LATENCY_BUCKET_DIGITS} * (10 + center)))::numeric as histogram
      from generate_series(0, 15) center, generate_series(0, 7) ok;
  `);
  const started = Date.now();
  for (let offset = 0; offset < hours; offset += HOURS_PER_STATEMENT) {
    await db.query(
      `insert into usage_hourly (${rollupColumns('usage_hourly')})
       select $1::timestamptz + make_interval(hours => h), $2, ($4::text[])[1 + k % array_length($4::text[], 1)], ($3::text[])[1 + k],
              'model-' || m, case when k % 10 = 0 then 'agent-' || (k / 10) else '' end,
              calls, failed, calls * (200 + (k * 37 + m * 11) % 800), calls * (50 + (k + m * 7) % 300), 0,
              calls * (1000000 + ((k * 7919 + m * 104729 + h) % 50000) * 1000)::numeric, histogram.histogram
       from generate_series($5::int, $6::int) h, generate_series(0, $7::int - 1) k, generate_series(0, $8::int - 1) m,
            lateral (select 1 + (h + k + m) % 7 as calls, case when (h * 31 + k * 7 + m) % 13 = 0 then 1 else 0 end as failed) counts,
            lateral (select histogram from bench_histograms where center = (k + m) % 16 and ok = counts.calls - counts.failed) histogram`,
      [
        new Date(firstHour),
        tenantId,
        keyIds,
        projectIds,
        offset,
        Math.min(hours, offset + HOURS_PER_STATEMENT) - 1,
        keyIds.length,
        shape.models,
      ],
    );
    if (offset % (HOURS_PER_STATEMENT * 15) === 0) log(`  seeded ${offset + HOURS_PER_STATEMENT} of ${hours} hours`);
  }
  const hourlySeconds = (Date.now() - started) / 1000;
  const dailyStarted = Date.now();
  await db.exec(`insert into usage_daily (${rollupColumns('usage_daily')}) ${dailyOfHourlyRows('usage_hourly')}`);
  const dailySeconds = (Date.now() - dailyStarted) / 1000;
  await db.exec('drop table bench_histograms; analyze usage_hourly; analyze usage_daily;');
  const [counts] = await db.query<{ hourly: unknown; daily: unknown }>(
    'select (select count(*) from usage_hourly) as hourly, (select count(*) from usage_daily) as daily',
  );
  return { hourlyRows: Number(counts?.hourly ?? 0), dailyRows: Number(counts?.daily ?? 0), hourlySeconds, dailySeconds };
}
