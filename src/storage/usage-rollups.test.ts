/**
 * The usage rollups the console's overview reads (migration 19): agent, failed calls and a latency histogram
 * per row, hourly and daily, kept by the ledger's own insert statement and rebuilt from the ledger for
 * history; series over them equal the ledger's sums exactly; percentiles stay within the stated bound.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { TEST_DATABASE_URL, TEST_ENGINES } from '../../test/support/test-db.js';
import { LATENCY_RELATIVE_ERROR, LATENCY_THRESHOLDS_MS, latencyBucket, latencyPercentile, type Picos, picos } from '../core/index.js';
import { type Database, type LedgerEntry, LedgerWriter, MIGRATIONS, migrate, openDatabase, UsageRepository } from './index.js';

const entry = (overrides: Partial<LedgerEntry>): LedgerEntry => ({
  requestId: 'req_x',
  clientRequestId: null,
  tenantId: 'ten_a',
  projectId: null,
  keyId: 'key_1',
  surface: 'openai',
  modelRequested: 'gpt-4o',
  modelServed: 'gpt-4o',
  providerId: 'openai',
  upstreamModel: 'gpt-4o',
  inputTokens: 10,
  outputTokens: 5,
  cachedTokens: 1,
  cacheWriteTokens: 0,
  usageSource: 'upstream',
  usageAnomaly: null,
  agent: null,
  runId: null,
  threadId: null,
  workflow: null,
  costPicos: picos(1_000n),
  priceKnown: true,
  latencyMs: 120,
  ttfbMs: null,
  status: 200,
  errorCode: null,
  stream: false,
  attempts: 1,
  createdAt: new Date('2026-03-01T10:15:00Z'),
  ...overrides,
});

/** A fresh database (PGlite in memory, or a PostgreSQL schema of its own), migrated up to `until` (inclusive). */
async function freshDb(engine: 'pglite' | 'postgres', until = Number.POSITIVE_INFINITY): Promise<{ db: Database; close(): Promise<void> }> {
  const migrations = MIGRATIONS.filter((migration) => migration.version <= until);
  if (engine === 'pglite') {
    const db = await openDatabase({});
    await migrate(db, migrations);
    return { db, close: () => db.close() };
  }
  const url = TEST_DATABASE_URL as string;
  const schema = `test_rollups_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
  const db = await openDatabase({ url, schema });
  await migrate(db, migrations);
  return {
    db,
    close: async () => {
      await db.close();
      const admin = new pg.Client({ connectionString: url });
      await admin.connect();
      await admin.query(`drop schema if exists "${schema}" cascade`).finally(() => admin.end());
    },
  };
}

/** A deterministic pseudo-random sequence (mulberry32), so a failure is reproducible. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let value = Math.imul(state ^ (state >>> 15), 1 | state);
    value = (value + Math.imul(value ^ (value >>> 7), 61 | value)) ^ value;
    return ((value ^ (value >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const HOUR_MS = 3_600_000;
const dayOf = (date: Date): string => `${date.toISOString().slice(0, 10)}T00:00:00.000Z`;
const monthOf = (date: Date): string => `${date.toISOString().slice(0, 7)}-01T00:00:00.000Z`;

/** What the ledger says, summed in TypeScript: per bucket and group, cost exact. */
function expected(
  entries: LedgerEntry[],
  from: Date,
  to: Date,
  bucketOf: (date: Date) => string,
  groupOf: (entry: LedgerEntry) => string | null,
) {
  const sums = new Map<string, { requests: number; errors: number; input: number; cost: bigint }>();
  for (const row of entries) {
    if (row.createdAt < from || row.createdAt >= to) continue;
    const key = `${bucketOf(row.createdAt)} ${groupOf(row)}`;
    const sum = sums.get(key) ?? { requests: 0, errors: 0, input: 0, cost: 0n };
    sum.requests += 1;
    sum.errors += row.status >= 400 ? 1 : 0;
    sum.input += row.inputTokens;
    sum.cost += row.costPicos;
    sums.set(key, sum);
  }
  return Object.fromEntries([...sums.entries()].sort(([a], [b]) => a.localeCompare(b)));
}

// Opening and migrating a database takes seconds on a busy machine: one per engine, each test in its own tenant.
const SLOW = { timeout: 180_000 };

describe.each(TEST_ENGINES)('usage rollups (%s)', (engine) => {
  const closers: (() => Promise<void>)[] = [];
  let shared: Promise<Database> | undefined;
  afterAll(async () => {
    for (const close of closers) await close();
  });
  const openFresh = async (until?: number) => {
    const opened = await freshDb(engine, until);
    closers.push(opened.close);
    return opened.db;
  };
  const open = () => {
    shared ??= openFresh();
    return shared;
  };

  it('buckets latencies in SQL exactly as latencyBucket does', SLOW, async () => {
    const db = await open();
    const probes = [0, 1, 2, 3, 4, 5, 6, 7, 8, 11, 12, 16, 23, 1_000, 741_455, 741_456, 2_000_000_000];
    for (let value = 0; value < 5_000; value += 1) probes.push(value);
    const rows = await db.query<{ latency: number; bucket: number }>(
      `select latency, width_bucket(latency, '{${LATENCY_THRESHOLDS_MS.join(',')}}'::int[]) as bucket from unnest($1::int[]) latency`,
      [probes],
    );
    expect(rows.filter((row) => Number(row.bucket) !== latencyBucket(row.latency))).toEqual([]);
    expect(latencyBucket(0)).toBe(0);
    expect(latencyBucket(2_000_000_000)).toBe(40);
  });

  it('counts failed calls as errors, apart from the rest, and only successful calls in the latency histogram', SLOW, async () => {
    const db = await open();
    const tenantId = 'ten_errors';
    const rows = [
      entry({ tenantId, requestId: 'ok1', latencyMs: 100 }),
      entry({ tenantId, requestId: 'ok2', latencyMs: 300 }),
      entry({ tenantId, requestId: 'bad1', status: 502, errorCode: 'UPSTREAM_ERROR', latencyMs: 30_000, costPicos: picos(0n) }),
      entry({ tenantId, requestId: 'bad2', status: 429, errorCode: 'RATE_LIMITED', latencyMs: 5 }),
      entry({ tenantId, requestId: 'gone', status: 499, errorCode: 'CLIENT_CLOSED', latencyMs: 9_000, outputTokens: 3 }),
    ];
    const writer = new LedgerWriter(db);
    expect(await writer.append(rows)).toBe(5);
    expect(await writer.append(rows)).toBe(0); // a replayed journal counts nothing twice
    const usage = new UsageRepository(db, tenantId);
    const [totals] = await usage.summarize({}, 'none');
    expect(totals).toMatchObject({ requests: 5, errors: 3, costPicos: 4_000n });
    const [point] = await usage.series({}, { from: new Date('2026-03-01T00:00:00Z'), to: new Date('2026-03-02T00:00:00Z') }, 'day', 'none');
    expect(point).toMatchObject({ requests: 5, errors: 3, inputTokens: 50, outputTokens: 23 });
    const histogram = point?.latencyHistogram ?? [];
    expect(histogram.reduce((sum, count) => sum + count, 0)).toBe(2);
    expect(histogram[latencyBucket(100)]).toBe(1);
    expect(histogram[latencyBucket(300)]).toBe(1);
    // The daily rollup holds exactly what the hourly one does.
    const sums = (table: string) =>
      db.query(
        `select sum(requests)::text as requests, sum(errors)::text as errors, sum(cost_picos)::text as cost from ${table} where tenant_id = $1`,
        [tenantId],
      );
    expect(await sums('usage_daily')).toEqual(await sums('usage_hourly'));
  });

  it(
    'answers series whose every bucket equals the ledger, days from the daily rollup and the partial days at the ends from the hourly one',
    SLOW,
    async () => {
      const db = await open();
      const next = random(7);
      const models = ['gpt-4o', 'gpt-4o-mini', 'claude'];
      const entries: LedgerEntry[] = [];
      const start = Date.parse('2026-02-20T00:00:00Z');
      for (let index = 0; index < 900; index += 1) {
        entries.push(
          entry({
            requestId: `r${index}`,
            createdAt: new Date(start + Math.floor(next() * 20 * 24 * HOUR_MS)),
            modelServed: models[index % 3] as string,
            keyId: index % 5 === 0 ? null : `key_${index % 4}`,
            agent: index % 7 === 0 ? 'triage' : null,
            runId: index % 7 === 0 ? `run_${index}` : null,
            status: index % 11 === 0 ? 500 : 200,
            inputTokens: 1 + Math.floor(next() * 5_000),
            costPicos: picos(BigInt(Math.floor(next() * 1e9)) * 1_000_003n) as Picos,
            latencyMs: Math.floor(next() * 4_000),
          }),
        );
      }
      entries.push(entry({ requestId: 'other-tenant', tenantId: 'ten_b', createdAt: new Date('2026-03-01T12:00:00Z') }));
      await new LedgerWriter(db).append(entries);
      const mine = entries.filter((row) => row.tenantId === 'ten_a');
      const usage = new UsageRepository(db, 'ten_a');
      const from = new Date('2026-02-21T07:00:00Z');
      const to = new Date('2026-03-08T13:00:00Z');
      const shaped = (points: Awaited<ReturnType<UsageRepository['series']>>) =>
        Object.fromEntries(
          points.map((point) => [
            `${point.bucket.toISOString()} ${point.group}`,
            { requests: point.requests, errors: point.errors, input: point.inputTokens, cost: point.costPicos as bigint },
          ]),
        );
      const byModel = (row: LedgerEntry) => row.modelServed;
      expect(shaped(await usage.series({}, { from, to }, 'day', 'model'))).toEqual(expected(mine, from, to, dayOf, byModel));
      expect(shaped(await usage.series({}, { from, to }, 'month', 'key'))).toEqual(expected(mine, from, to, monthOf, (row) => row.keyId));
      expect(shaped(await usage.series({}, { from, to }, 'day', 'agent'))).toEqual(expected(mine, from, to, dayOf, (row) => row.agent));
      const hourOf = (date: Date) => new Date(Math.floor(date.getTime() / HOUR_MS) * HOUR_MS).toISOString();
      expect(shaped(await usage.series({}, { from, to }, 'hour', 'none'))).toEqual(expected(mine, from, to, hourOf, () => 'all'));
      // Filters apply to both rollups alike.
      expect(shaped(await usage.series({ model: 'claude', keyId: 'key_1' }, { from, to }, 'day', 'none'))).toEqual(
        expected(
          mine.filter((row) => row.modelServed === 'claude' && row.keyId === 'key_1'),
          from,
          to,
          dayOf,
          () => 'all',
        ),
      );
      // top: the biggest spender's rows as they are, every other group's added up per bucket into one `other` row.
      const byKey = await usage.series({}, { from, to }, 'day', 'key');
      const folded = await usage.series({}, { from, to }, 'day', 'key', { top: 1 });
      const spend = new Map<string | null, bigint>();
      for (const point of byKey) spend.set(point.group, (spend.get(point.group) ?? 0n) + point.costPicos);
      const [biggestKey] = [...spend.entries()].sort((a, b) => (a[1] > b[1] ? -1 : 1))[0] ?? [];
      expect(new Set(folded.filter((point) => !point.other).map((point) => point.group))).toEqual(new Set([biggestKey]));
      expect(folded.filter((point) => point.other).every((point) => point.group === null)).toBe(true);
      const perBucket = (points: typeof byKey) => {
        const sums = new Map<string, bigint>();
        for (const point of points) sums.set(point.bucket.toISOString(), (sums.get(point.bucket.toISOString()) ?? 0n) + point.costPicos);
        return Object.fromEntries(sums);
      };
      expect(perBucket(folded)).toEqual(perBucket(byKey));
      expect(folded.reduce((sum, point) => sum + point.requests, 0)).toBe(byKey.reduce((sum, point) => sum + point.requests, 0));
      // Totals over the same range, and the biggest spenders first with top.
      const [total] = await usage.summarize({ from, to }, 'none');
      const inRange = mine.filter((row) => row.createdAt >= from && row.createdAt < to);
      expect(total?.costPicos).toBe(inRange.reduce((sum, row) => sum + row.costPicos, 0n));
      expect(total?.errors).toBe(inRange.filter((row) => row.status >= 400).length);
      const ranked = await usage.summarize({ from, to }, 'key', { top: 2 });
      const all = await usage.summarize({ from, to }, 'key');
      const biggest = [...all].sort((a, b) => (a.costPicos > b.costPicos ? -1 : 1)).slice(0, 2);
      expect(ranked).toEqual(biggest);
      // Agent totals (rollups, agent traffic only).
      expect((await usage.summarize({ from, to }, 'agent')).map((row) => [row.group, row.requests])).toEqual([
        ['triage', inRange.filter((row) => row.agent === 'triage').length],
      ]);
    },
  );

  it('estimates p50 and p99 latency within the stated bound of the exact nearest-rank percentiles', SLOW, async () => {
    const db = await open();
    const next = random(11);
    // Log-uniform from 1 ms to 200 s, plus a cluster of fast ones: all parts of the bucket range.
    const latencies = Array.from({ length: 3_000 }, (_, index) =>
      index % 10 === 0 ? 1 + Math.floor(next() * 3) : Math.floor(Math.exp(next() * Math.log(200_000))),
    );
    await new LedgerWriter(db).append(
      latencies.map((latencyMs, index) =>
        entry({
          tenantId: 'ten_latency',
          requestId: `l${index}`,
          latencyMs,
          createdAt: new Date(Date.parse('2026-03-01T00:00:00Z') + index * 60_000),
        }),
      ),
    );
    const sorted = [...latencies].sort((a, b) => a - b);
    const exact = (quantile: number) => sorted[Math.max(1, Math.ceil(quantile * sorted.length)) - 1] as number;
    const points = await new UsageRepository(db, 'ten_latency').series(
      {},
      { from: new Date('2026-03-01T00:00:00Z'), to: new Date('2026-03-04T00:00:00Z') },
      'month',
      'none',
    );
    expect(points).toHaveLength(1);
    const histogram = points[0]?.latencyHistogram ?? [];
    for (const quantile of [0.5, 0.9, 0.99, 0.999]) {
      const estimate = latencyPercentile(histogram, quantile) as number;
      const truth = exact(quantile);
      expect(Math.abs(estimate - truth) / truth, `p${quantile * 100}: ${estimate} vs ${truth}`).toBeLessThanOrEqual(LATENCY_RELATIVE_ERROR);
    }
    expect(latencyPercentile([], 0.5)).toBeNull();
    // Up to 3 ms the estimate is exact.
    for (const latency of [0, 1, 2, 3]) {
      const single = new Array<number>(41).fill(0);
      single[latencyBucket(latency)] = 1;
      expect(latencyPercentile(single, 0.5)).toBe(latency);
    }
  });

  it('rebuilds the rollups from the ledger at migration 19, so history has its agents, errors and latencies', SLOW, async () => {
    const db = await openFresh(17);
    // History written before migration 19: ledger rows, and the rollup as it was then (no agent, errors or latency).
    await db.query(
      `insert into ledger (request_id, tenant_id, project_id, key_id, surface, model_requested, model_served, input_tokens, output_tokens,
                           cached_tokens, cache_write_tokens, usage_source, cost_picos, price_known, latency_ms, status, stream, attempts,
                           created_at, agent, run_id)
       values ('h1', 'ten_a', null, 'key_1', 'openai', 'm', 'm', 10, 5, 0, 0, 'upstream', 1000, true, 80, 200, false, 1, '2026-01-05T10:20:00Z', 'triage', 'run_1'),
              ('h2', 'ten_a', null, 'key_1', 'openai', 'm', 'm', 20, 5, 0, 0, 'upstream', 2000, true, 900, 200, false, 1, '2026-01-05T10:40:00Z', null, null),
              ('h3', 'ten_a', null, 'key_1', 'openai', 'm', 'm', 0, 0, 0, 0, 'tokenizer', 0, true, 15, 503, false, 3, '2026-01-06T23:59:59Z', null, null)`,
    );
    await db.query(
      `insert into usage_hourly (hour, tenant_id, project_id, key_id, model, requests, input_tokens, output_tokens, cached_tokens, cost_picos)
       values ('2026-01-05T10:00:00Z', 'ten_a', '', 'key_1', 'm', 2, 30, 10, 0, 3000), ('2026-01-06T23:00:00Z', 'ten_a', '', 'key_1', 'm', 1, 0, 0, 0, 0)`,
    );
    await migrate(db);
    const usage = new UsageRepository(db, 'ten_a');
    expect((await usage.summarize({}, 'agent')).map((row) => [row.group, row.requests, row.costPicos])).toEqual([['triage', 1, 1000n]]);
    const points = await usage.series({}, { from: new Date('2026-01-01T00:00:00Z'), to: new Date('2026-02-01T00:00:00Z') }, 'day', 'none');
    expect(points.map((point) => [point.bucket.toISOString(), point.requests, point.errors, point.costPicos])).toEqual([
      ['2026-01-05T00:00:00.000Z', 2, 0, 3000n],
      ['2026-01-06T00:00:00.000Z', 1, 1, 0n],
    ]);
    expect(latencyPercentile(points[0]?.latencyHistogram ?? [], 0.99)).toBeGreaterThan(900 / (1 + LATENCY_RELATIVE_ERROR));
    // New rows add to the rebuilt rows (same key, agent '' included).
    await new LedgerWriter(db).append([
      entry({ requestId: 'n1', keyId: 'key_1', modelServed: 'm', createdAt: new Date('2026-01-05T10:50:00Z') }),
    ]);
    const [day] = await usage.series({}, { from: new Date('2026-01-05T00:00:00Z'), to: new Date('2026-01-06T00:00:00Z') }, 'day', 'none');
    expect(day).toMatchObject({ requests: 3, costPicos: 4000n });
  });
});
