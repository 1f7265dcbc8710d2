/**
 * `npm run bench:console` (and the end of `npm run bench`): is the console fast on months of data?
 *
 * 1. Seeds 90 days × 50 keys × 10 models of hourly usage rollups (1.08 M rows, and their 45 k daily rows) into
 *    the hub's own PGlite (or PostgreSQL with `--postgres <url>`), times the seeding.
 * 2. Times the overview's API calls for "last 90 days, daily" through the real HTTP API (median of N, one at a
 *    time after warm-up): the series split by model and by key, the top keys and top agents, the budgets'
 *    burn-down, and a whole view (its four calls at once). Budget: p50 ≤ 300 ms per call.
 * 3. The ledger flush with the rollups: CPU per 128-row slice (PGlite), traffic on 4 and on 64 groups.
 * 4. The console's initial JS (entry + the login and overview routes), gzipped. Budget: ≤ 200 KB.
 *
 *   tsx bench/console.ts [--quick] [--postgres postgres://…]
 *
 * Writes bench/results/console-latest.{md,json} (PostgreSQL: console-postgres-latest; `--quick`: console-quick.json,
 * and prints the report).
 */
import { writeFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { picos } from '../src/core/index.js';
import { type Database, type LedgerEntry, LedgerWriter, migrate, openDatabase } from '../src/storage/index.js';
import { createKey, createTenant } from '../test/support/economy.js';
import { startTestHub } from '../test/support/hub.js';
import { type BundleSize, measureConsoleBundle } from './console-bundle.js';
import { type SeedResult, seedRollups } from './console-seed.js';
import { machineFacts } from './machine.js';
import { round, type Spread, spread } from './stats.js';

const { values } = parseArgs({ options: { quick: { type: 'boolean', default: false }, postgres: { type: 'string' } } });

interface ConsoleProfile {
  name: 'full' | 'quick';
  days: number;
  keys: number;
  models: number;
  samples: number;
  warmup: number;
  flushSlices: number;
}

const FULL: ConsoleProfile = { name: 'full', days: 90, keys: 50, models: 10, samples: 15, warmup: 3, flushSlices: 100 };
const QUICK: ConsoleProfile = { name: 'quick', days: 90, keys: 10, models: 5, samples: 7, warmup: 2, flushSlices: 30 };
const profile = values.quick ? QUICK : FULL;
const CALL_BUDGET_MS = 300;
const JS_BUDGET_BYTES = 200 * 1024;

const benchDir = dirname(fileURLToPath(import.meta.url));
const rootDir = resolve(benchDir, '..');
const startedAt = Date.now();
const log = (line: string): void => {
  process.stdout.write(`[${((Date.now() - startedAt) / 1000).toFixed(1).padStart(6)} s] ${line}\n`);
};

interface CallTiming {
  name: string;
  path: string;
  ms: Spread;
  rows: number;
  withinBudget: boolean;
}

interface FlushTiming {
  groups: number;
  cpuMsPerSlice: number;
  wallMsPerSlice: number;
}

interface ConsoleResults {
  profile: ConsoleProfile;
  generatedAt: string;
  wallS: number;
  engine: 'pglite' | 'postgres';
  machine: ReturnType<typeof machineFacts>;
  seed: SeedResult;
  calls: CallTiming[];
  view: { ms: Spread; calls: number; withinBudget: boolean; names: string[] };
  flush: FlushTiming[];
  bundle: BundleSize;
  budgets: { callP50Ms: number; initialJsGzipBytes: number };
}

async function openBenchDatabase(): Promise<{ db: Database; engine: 'pglite' | 'postgres'; close(): Promise<void> }> {
  if (values.postgres) {
    const schema = `bench_console_${Date.now().toString(36)}`;
    const db = await openDatabase({ url: values.postgres, schema });
    return {
      db,
      engine: 'postgres',
      close: async () => {
        await db.query(`drop schema if exists "${schema}" cascade`).catch(() => {});
        await db.close();
      },
    };
  }
  const db = await openDatabase({});
  return { db, engine: 'pglite', close: () => db.close() };
}

/** A fetch that tries once more when a kept-alive connection was closed under it (after the long seeding). */
async function fetchAgain(url: string, init?: RequestInit): Promise<Response> {
  try {
    return await fetch(url, init);
  } catch (error) {
    if ((error as { cause?: { code?: string } }).cause?.code !== 'ECONNRESET') throw error;
    return fetch(url, init);
  }
}

async function timeCalls(url: string, adminKey: string, calls: { name: string; path: string }[]): Promise<CallTiming[]> {
  const get = async (path: string): Promise<number> => {
    const response = await fetchAgain(`${url}${path}`, { headers: { authorization: `Bearer ${adminKey}` } });
    const body = (await response.json()) as { data?: unknown[] };
    if (!response.ok) throw new Error(`${path} → ${response.status}: ${JSON.stringify(body)}`);
    return body.data?.length ?? 0;
  };
  const timings: CallTiming[] = [];
  for (const call of calls) {
    for (let index = 0; index < profile.warmup; index += 1) await get(call.path);
    const samples: number[] = [];
    let rows = 0;
    for (let index = 0; index < profile.samples; index += 1) {
      const started = performance.now();
      rows = await get(call.path);
      samples.push(performance.now() - started);
    }
    const ms = spread(samples);
    timings.push({ ...call, ms, rows, withinBudget: ms.median <= CALL_BUDGET_MS });
    log(`  ${call.name}: p50 ${ms.median} ms (${ms.min}–${ms.max}), ${rows} rows`);
  }
  return timings;
}

/** CPU and wall time of the ledger's insert statement (ledger rows + both rollups) per 128-row slice. */
async function timeFlush(groups: number): Promise<FlushTiming> {
  const db = await openDatabase({});
  try {
    await migrate(db);
    const writer = new LedgerWriter(db);
    const slice = (prefix: string, index: number): LedgerEntry[] =>
      Array.from({ length: 128 }, (_, row) => ({
        requestId: `${prefix}_${index}_${row}`,
        clientRequestId: null,
        tenantId: 'ten_bench',
        projectId: null,
        keyId: `key_${row % groups}`,
        surface: 'openai',
        modelRequested: 'bench-model',
        modelServed: `model-${row % 3}`,
        providerId: 'bench',
        upstreamModel: 'bench-model',
        inputTokens: 100 + row,
        outputTokens: 50,
        cachedTokens: 0,
        cacheWriteTokens: 0,
        usageSource: 'upstream',
        usageAnomaly: null,
        agent: null,
        runId: null,
        threadId: null,
        workflow: null,
        costPicos: picos(123_456_789n),
        priceKnown: true,
        latencyMs: 40 + row * 7,
        ttfbMs: null,
        status: row % 50 === 0 ? 502 : 200,
        errorCode: null,
        stream: false,
        attempts: 1,
        createdAt: new Date(Date.UTC(2026, 0, 1, Math.floor(index / 20))),
      }));
    for (let index = 0; index < 10; index += 1) await writer.append(slice('warm', index));
    const cpu = process.cpuUsage();
    const started = performance.now();
    for (let index = 0; index < profile.flushSlices; index += 1) await writer.append(slice('timed', index));
    const used = process.cpuUsage(cpu);
    return {
      groups,
      cpuMsPerSlice: round((used.user + used.system) / 1000 / profile.flushSlices, 2),
      wallMsPerSlice: round((performance.now() - started) / profile.flushSlices, 2),
    };
  } finally {
    await db.close();
  }
}

const machine = machineFacts(rootDir, 'in process: hub, database (PGlite) and client share one Node process');
log(
  `${profile.name} profile: ${profile.days} days × ${profile.keys} keys × ${profile.models} models, load average ${machine.loadAverage.start}`,
);

const opened = await openBenchDatabase();
const hub = await startTestHub({}, { database: opened.db });
let results: ConsoleResults;
try {
  const tenant = await createTenant(hub, 'bench');
  const call = (method: string, path: string, body: unknown) =>
    fetchAgain(`${hub.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${hub.adminKey}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    }).then(async (response) => (await response.json()) as { id: string });
  const projects: string[] = [];
  for (let index = 0; index < 5; index += 1)
    projects.push((await call('POST', '/admin/v1/projects', { tenant_id: tenant.id, name: `project-${index}` })).id);
  const keys: string[] = [];
  for (let index = 0; index < profile.keys; index += 1) {
    keys.push((await createKey(hub, { tenant_id: tenant.id, project_id: projects[index % projects.length], name: `key-${index}` })).id);
  }
  log(`seeding the rollups (${profile.days * 24 * profile.keys * profile.models} hourly rows) into ${opened.engine}`);
  const seed = await seedRollups(
    opened.db,
    tenant.id,
    keys,
    projects,
    { days: profile.days, keys: profile.keys, models: profile.models, now: Date.now() },
    log,
  );
  log(
    `seeded ${seed.hourlyRows} hourly rows in ${round(seed.hourlySeconds)} s, ${seed.dailyRows} daily rows in ${round(seed.dailySeconds)} s`,
  );
  await call('POST', '/admin/v1/budgets', { scope: 'tenant', tenant_id: tenant.id, limit_usd: '100000', period: 'month' });
  for (const project of projects)
    await call('POST', '/admin/v1/budgets', {
      scope: 'project',
      tenant_id: tenant.id,
      project_id: project,
      limit_usd: '5000',
      period: 'month',
    });
  for (const key of keys.slice(0, 10))
    await call('POST', '/admin/v1/budgets', { scope: 'key', key_id: key, limit_usd: '50', period: 'day' });

  // The console's "last 90 days" at day interval: the 90 × 24 hours up to the end of this hour, widened to the
  // whole UTC days they touch (what `alignedRange` asks for); the same range left on hours reads the partial
  // days at its ends from the hourly rollup.
  const HOUR_MS = 3_600_000;
  const DAY_MS = 24 * HOUR_MS;
  const hourEnd = Math.ceil((Date.now() + 1) / HOUR_MS) * HOUR_MS;
  const hourStart = hourEnd - profile.days * DAY_MS;
  const iso = (ms: number) => new Date(ms).toISOString();
  const range = `from=${iso(Math.floor(hourStart / DAY_MS) * DAY_MS)}&to=${iso(Math.ceil(hourEnd / DAY_MS) * DAY_MS)}`;
  const hourRange = `from=${iso(hourStart)}&to=${iso(hourEnd)}`;
  const weekRange = `from=${iso(hourEnd - 7 * DAY_MS)}&to=${iso(hourEnd)}`;
  const scope = `tenant_id=${tenant.id}`;
  const series = (groupBy: string) => `/admin/v1/usage?${scope}&${range}&interval=day&group_by=${groupBy}&top=8`;
  const view = [
    { name: 'series, day × model (top 8)', path: series('model') },
    { name: 'top keys by spend (top 5)', path: `/admin/v1/usage?${scope}&${range}&group_by=key&top=5` },
    { name: 'top agents by spend (top 5)', path: `/admin/v1/usage?${scope}&${range}&group_by=agent&top=5` },
    { name: 'budgets burn-down (16 budgets)', path: `/admin/v1/usage/budgets?${scope}` },
  ];
  log(`timing the overview's calls (median of ${profile.samples} after ${profile.warmup} warm-up)`);
  const calls = await timeCalls(hub.url, hub.adminKey, [
    ...view,
    { name: 'series, day × key (top 8)', path: series('key') },
    { name: 'series, month × project', path: `/admin/v1/usage?${scope}&${range}&interval=month&group_by=project` },
    { name: 'series, day × model, every tenant', path: `/admin/v1/usage?${range}&interval=day&group_by=model&top=8` },
    {
      name: 'series, day × model, range on hours (edges hourly)',
      path: `/admin/v1/usage?${scope}&${hourRange}&interval=day&group_by=model&top=8`,
    },
    { name: 'series, last 7 days hourly × model', path: `/admin/v1/usage?${scope}&${weekRange}&interval=hour&group_by=model&top=8` },
  ]);
  const viewSamples: number[] = [];
  for (let index = 0; index < profile.samples; index += 1) {
    const started = performance.now();
    await Promise.all(
      view.map((entry) =>
        fetch(`${hub.url}${entry.path}`, { headers: { authorization: `Bearer ${hub.adminKey}` } }).then((response) =>
          response.arrayBuffer(),
        ),
      ),
    );
    viewSamples.push(performance.now() - started);
  }
  const viewMs = spread(viewSamples);
  log(`  whole view (${view.length} calls at once): p50 ${viewMs.median} ms`);
  await hub.close();
  await opened.close();

  log('the ledger flush with the rollups (PGlite, 128-row slices)');
  const flush = [await timeFlush(4), await timeFlush(64)];
  for (const entry of flush)
    log(`  ${entry.groups} groups per slice: ${entry.cpuMsPerSlice} ms CPU, ${entry.wallMsPerSlice} ms wall per slice`);

  log('building the console for its bundle size');
  const bundle = await measureConsoleBundle(rootDir);
  log(
    `  initial JS ${round(bundle.initialJsGzip / 1024)} KB gzip (entry ${round(bundle.entryJsGzip / 1024)} KB + overview ${round(bundle.overviewJsGzip / 1024)} KB)`,
  );

  machine.loadAverage.end = Math.round((loadavg()[0] ?? 0) * 100) / 100;
  results = {
    profile,
    generatedAt: new Date().toISOString(),
    wallS: Math.round((Date.now() - startedAt) / 1000),
    engine: opened.engine,
    machine,
    seed,
    calls,
    view: { ms: viewMs, calls: view.length, withinBudget: viewMs.median <= CALL_BUDGET_MS, names: view.map((entry) => entry.name) },
    flush,
    bundle,
    budgets: { callP50Ms: CALL_BUDGET_MS, initialJsGzipBytes: JS_BUDGET_BYTES },
  };
} catch (error) {
  await hub.close().catch(() => {});
  await opened.close().catch(() => {});
  throw error;
}

const kb = (bytes: number) => `${round(bytes / 1024)} KB`;
const met = (ok: boolean) => (ok ? 'met' : 'missed');
const viewCalls = results.calls.filter((call) => results.view.names.includes(call.name));
const slowest = Math.max(...viewCalls.map((call) => call.ms.median));
const markdown = `# TokenHub benchmark — console (${results.profile.name} profile)

Generated ${results.generatedAt} by \`npm run bench:console\` in ${results.wallS} s.

- Machine: ${results.machine.cpuModel}, ${results.machine.cores} cores, ${results.machine.memoryGiB} GiB; Node ${results.machine.node}; commit ${results.machine.commit}
- 1-minute load average ${results.machine.loadAverage.start} at the start and ${results.machine.loadAverage.end} at the end; other work may share these cores.
- In process: the hub (${results.engine === 'pglite' ? 'PGlite in memory' : 'PostgreSQL'}), its HTTP API and the client share one Node process.

## Data: ${results.profile.days} days × ${results.profile.keys} keys × ${results.profile.models} models

${results.seed.hourlyRows.toLocaleString('en-US')} hourly rollup rows seeded in ${round(results.seed.hourlySeconds)} s (SQL \`generate_series\`, ${round(results.seed.hourlyRows / results.seed.hourlySeconds / 1000)} k rows/s), and their ${results.seed.dailyRows.toLocaleString('en-US')} daily rows derived in ${round(results.seed.dailySeconds)} s. One tenant holds everything, so its view reads every row; 16 budgets (tenant, 5 projects, 10 keys).

## The overview's API calls, last ${results.profile.days} days at day interval

The console's range for "last ${results.profile.days} days" at day or month interval is widened to whole UTC days (every bucket whole, only the daily rollup read); the two last rows show a range left on hours (its partial end days read from the hourly rollup) and the 7-day hourly view (the hourly rollup only).

Budget: p50 ≤ ${CALL_BUDGET_MS} ms per call of the view — **${met(slowest <= CALL_BUDGET_MS)}** (slowest p50 ${slowest} ms). A view makes ${results.view.calls} calls at once (the first ${results.view.calls} rows: series, top keys, top agents, budgets); switching the split to key is the fifth row.

| call | p50 ms | min ms | max ms | rows | budget |
|---|---|---|---|---|---|
${results.calls.map((call) => `| ${call.name} | ${call.ms.median} | ${call.ms.min} | ${call.ms.max} | ${call.rows} | ${met(call.withinBudget)} |`).join('\n')}
| **whole view (${results.view.calls} calls at once)** | ${results.view.ms.median} | ${results.view.ms.min} | ${results.view.ms.max} | | ${met(results.view.withinBudget)} |

${results.profile.samples} samples each after ${results.profile.warmup} warm-up calls, one call at a time.

## The ledger flush with the rollups

The ledger's insert statement (ledger rows, hourly and daily rollups with errors and the latency histogram) per 128-row slice on PGlite, ${results.profile.flushSlices} slices into the same hour:

| rollup groups per slice | CPU ms per slice | wall ms per slice |
|---|---|---|
${results.flush.map((entry) => `| ${entry.groups} | ${entry.cpuMsPerSlice} | ${entry.wallMsPerSlice} |`).join('\n')}

## Console bundle

Initial JS (entry chunk and its imports, with the login page, plus the overview route): **${kb(results.bundle.initialJsGzip)} gzip** (${kb(results.bundle.initialJsRaw)} raw) against a budget of ${kb(JS_BUDGET_BYTES)} — **${met(results.bundle.initialJsGzip <= JS_BUDGET_BYTES)}**. Entry ${kb(results.bundle.entryJsGzip)}, overview route ${kb(results.bundle.overviewJsGzip)}; CSS ${kb(results.bundle.cssGzip)} gzip. Built in ${round(results.bundle.buildSeconds)} s.

| file | gzip |
|---|---|
${results.bundle.files.map((file) => `| ${file.file} | ${kb(file.gzip)} |`).join('\n')}
`;

const resultsDir = join(benchDir, 'results');
if (profile.name === 'quick') {
  await writeFile(join(resultsDir, 'console-quick.json'), `${JSON.stringify(results, null, 2)}\n`);
  process.stdout.write(`\n${markdown}`);
} else {
  const name = results.engine === 'pglite' ? 'console-latest' : 'console-postgres-latest';
  await writeFile(join(resultsDir, `${name}.json`), `${JSON.stringify(results, null, 2)}\n`);
  await writeFile(join(resultsDir, `${name}.md`), markdown);
  log(`wrote bench/results/${name}.md and .json`);
}
process.exit(0);
