/**
 * Soak lane: a hub under steady mixed JSON/SSE load for a bounded time, sampling its RSS and event-loop
 * lag, with a verdict on whether both stay flat. Not part of CI.
 *
 *   npm run soak -- [--minutes 10] [--rps 200] [--sample-seconds 10]
 *
 * Writes bench/results/soak.json. Verdict, judged on the second half of the run only (the first is warm-up):
 * `flat`, `growing` (RSS or lag trends up; exit 1), `unhealthy` (requests failed or were shed; exit 1) or
 * `inconclusive` (fewer than 6 samples to fit, e.g. `--minutes 1` at the default 10 s sampling).
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Agent, fetch as undiciFetch } from 'undici';
import { rssMiB } from './proc-stats.js';
import { freePort, killChildrenOnExit, spawnNode, stopAll, waitForHttp } from './processes.js';

const ROOT = join(import.meta.dirname, '..');
const ADMIN_KEY = 'thadm_soak_admin_key';

const { values } = parseArgs({
  options: {
    minutes: { type: 'string', default: '10' },
    rps: { type: 'string', default: '200' },
    'sample-seconds': { type: 'string', default: '10' },
  },
});
const minutes = Number(values.minutes);
const rps = Number(values.rps);
const sampleMs = Number(values['sample-seconds']) * 1_000;
if (!(minutes > 0 && minutes <= 240 && rps > 0 && rps <= 5_000 && sampleMs >= 1_000)) {
  console.error('soak: --minutes in (0, 240], --rps in (0, 5000], --sample-seconds ≥ 1');
  process.exit(2);
}
const durationMs = minutes * 60_000;
/** Requests beyond this many in flight are counted as shed, so a stalled hub cannot grow the client without bound. */
const MAX_IN_FLIGHT = Math.max(64, rps * 2);
const MIN_FIT_SAMPLES = 6;

interface Sample {
  atSeconds: number;
  rssMiB: number;
  lagP99Ms: number | null;
  completed: number;
  failed: number;
  shed: number;
  inFlight: number;
  /** The machine's 1-minute load average: other work on the 2 cores shows here, not in the hub's own numbers. */
  loadAverage: number;
}

interface Fit {
  slopePerMinute: number;
  mean: number;
  /** Change the fitted line predicts across the fitted window. */
  drift: number;
}

/**
 * Theil–Sen line through (x, y), x in minutes: the median of pairwise slopes, so one GC pause or scheduler
 * hiccup in a p99 sample does not read as a trend the way it would in a least-squares fit.
 */
function trendOf(points: { x: number; y: number }[]): Fit {
  const slopes: number[] = [];
  for (let i = 0; i < points.length; i++) {
    for (let j = i + 1; j < points.length; j++) {
      const a = points[i];
      const b = points[j];
      if (a && b && b.x !== a.x) slopes.push((b.y - a.y) / (b.x - a.x));
    }
  }
  slopes.sort((a, b) => a - b);
  const middle = Math.floor(slopes.length / 2);
  const slopePerMinute =
    slopes.length === 0 ? 0 : slopes.length % 2 === 1 ? (slopes[middle] ?? 0) : ((slopes[middle - 1] ?? 0) + (slopes[middle] ?? 0)) / 2;
  const mean = points.length === 0 ? 0 : points.reduce((sum, point) => sum + point.y, 0) / points.length;
  const first = points[0]?.x ?? 0;
  const last = points[points.length - 1]?.x ?? 0;
  return { slopePerMinute, mean, drift: slopePerMinute * (last - first) };
}

async function lagP99Ms(hubUrl: string): Promise<number | null> {
  try {
    const text = await (await fetch(`${hubUrl}/metrics`, { signal: AbortSignal.timeout(5_000) })).text();
    const line = text.split('\n').find((candidate) => candidate.startsWith('tokenhub_event_loop_lag_p99_seconds '));
    const value = line ? Number(line.split(' ')[1]) : Number.NaN;
    return Number.isFinite(value) ? value * 1_000 : null;
  } catch {
    return null;
  }
}

async function main(): Promise<void> {
  const workDir = await mkdtemp(join(tmpdir(), 'tokenhub-soak-'));
  const logDir = join(ROOT, 'bench', 'results', 'logs');
  await mkdir(logDir, { recursive: true });
  killChildrenOnExit(() => rm(workDir, { recursive: true, force: true }));

  const upstreamPort = await freePort();
  const upstream = spawnNode(
    ['--import', 'tsx', join(ROOT, 'bench/fake-upstream-server.ts'), '--port', String(upstreamPort), '--fixed-chunks', '20'],
    {
      core: 1,
      logFile: join(logDir, 'soak-upstream.log'),
    },
  );
  const upstreamUrl = `http://127.0.0.1:${upstreamPort}`;
  await waitForHttp(`${upstreamUrl}/__stats`, upstream, 30_000);

  const config = {
    providers: [{ id: 'up', type: 'openai', base_url: `${upstreamUrl}/v1`, api_key: 'sk-bench', max_connections: 1024 }],
    models: [
      { name: 'gpt-4o-mini', targets: [{ provider: 'up', model: 'gpt-4o-mini' }], pricing: { input_per_mtok: 1, output_per_mtok: 2 } },
    ],
  };
  const configFile = join(workDir, 'tokenhub.yaml');
  const { stringify } = await import('yaml');
  await writeFile(configFile, stringify(config));
  const hubPort = await freePort();
  const hub = spawnNode(
    [
      '--import',
      'tsx',
      join(ROOT, 'src/cli/index.ts'),
      'start',
      '--config',
      configFile,
      '--port',
      String(hubPort),
      '--data-dir',
      join(workDir, 'data'),
    ],
    { core: 0, logFile: join(logDir, 'soak-hub.log'), env: { TOKENHUB_ADMIN_KEY: ADMIN_KEY, TOKENHUB_LOG_LEVEL: 'warn' } },
  );
  const hubUrl = `http://127.0.0.1:${hubPort}`;
  await waitForHttp(`${hubUrl}/readyz`, hub, 60_000);
  const hubPid = hub.pid;
  if (hubPid === undefined) throw new Error('hub has no pid');

  const adminPost = async <T>(path: string, body: unknown): Promise<T> => {
    const response = await fetch(`${hubUrl}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`${path} → ${response.status}: ${await response.text()}`);
    return (await response.json()) as T;
  };
  const tenant = await adminPost<{ id: string }>('/admin/v1/tenants', { name: 'soak' });
  const key = await adminPost<{ key: string }>('/admin/v1/keys', {
    tenant_id: tenant.id,
    budget: { limit_usd: 1_000_000, period: 'total' },
  });

  const dispatcher = new Agent({ connections: MAX_IN_FLIGHT, keepAliveTimeout: 10_000 });
  let inFlight = 0;
  let completed = 0;
  let failed = 0;
  let shed = 0;
  let sequence = 0;
  const failures = new Map<string, number>();
  const fire = async (): Promise<void> => {
    const stream = sequence++ % 2 === 0;
    inFlight++;
    try {
      const response = await undiciFetch(`${hubUrl}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key.key}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'soak' }], stream, max_tokens: 64 }),
        signal: AbortSignal.timeout(30_000),
        dispatcher,
      });
      const text = await response.text();
      const whole = stream ? text.includes('data: [DONE]') : text.includes('"finish_reason"');
      if (response.status === 200 && whole) completed++;
      else {
        failed++;
        failures.set(String(response.status), (failures.get(String(response.status)) ?? 0) + 1);
      }
    } catch (error) {
      failed++;
      const name = error instanceof Error ? error.name : 'error';
      failures.set(name, (failures.get(name) ?? 0) + 1);
    } finally {
      inFlight--;
    }
  };

  const started = Date.now();
  const samples: Sample[] = [];
  const sample = async (): Promise<void> => {
    samples.push({
      atSeconds: Math.round((Date.now() - started) / 1_000),
      rssMiB: Math.round(rssMiB(hubPid) * 10) / 10,
      lagP99Ms: await lagP99Ms(hubUrl),
      completed,
      failed,
      shed,
      inFlight,
      loadAverage: Math.round((loadavg()[0] ?? 0) * 100) / 100,
    });
    const latest = samples[samples.length - 1];
    if (latest)
      console.log(
        `soak t=${latest.atSeconds}s rss=${latest.rssMiB} MiB lag_p99=${latest.lagP99Ms?.toFixed(1) ?? '?'} ms ok=${completed} failed=${failed} shed=${shed} in_flight=${inFlight} load=${latest.loadAverage}`,
      );
  };
  // Reset the lag histogram so the first sample covers only the soak.
  await lagP99Ms(hubUrl);

  console.log(`soak: ${minutes} min at ${rps} RPS (half JSON, half SSE), sampling every ${sampleMs / 1_000} s; hub pid ${hubPid}`);
  const pending = new Set<Promise<void>>();
  let nextSample = started + sampleMs;
  // Open loop: requests are scheduled by the clock, not by answers, in 10 ms ticks.
  // Ticks are at least 10 ms apart, so the count bound is never the one that ends a normal run.
  for (let tick = 0; tick < durationMs / 10; tick++) {
    const now = Date.now();
    if (now - started >= durationMs) break;
    const due = Math.floor(((now - started) / 1_000) * rps) - (sequence + shed);
    for (let index = 0; index < due; index++) {
      if (inFlight >= MAX_IN_FLIGHT) {
        shed++;
        continue;
      }
      const request = fire();
      pending.add(request);
      void request.finally(() => pending.delete(request));
    }
    if (now >= nextSample) {
      nextSample += sampleMs;
      await sample();
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  await Promise.race([Promise.allSettled([...pending]), new Promise((resolve) => setTimeout(resolve, 30_000))]);
  await sample();
  await dispatcher.close();

  const secondHalf = samples.filter((entry) => entry.atSeconds >= durationMs / 2_000);
  const rssFit = trendOf(secondHalf.map((entry) => ({ x: entry.atSeconds / 60, y: entry.rssMiB })));
  const lagPoints = secondHalf.flatMap((entry) => (entry.lagP99Ms === null ? [] : [{ x: entry.atSeconds / 60, y: entry.lagP99Ms }]));
  const lagFit = trendOf(lagPoints);
  // Flat: across the second half the fitted line grows less than 5% of RSS (at least 8 MiB) and 10 ms of lag.
  // A falling line is flat too (warm-up ending); the first half (JIT, caches, pools) is not judged at all.
  const rssFlat = secondHalf.length >= 3 && rssFit.drift <= Math.max(8, rssFit.mean * 0.05);
  const lagFlat = lagPoints.length >= 3 && lagFit.drift <= 10;
  const halfStart = secondHalf[0];
  const halfEnd = secondHalf[secondHalf.length - 1];
  const halfFailed = halfStart && halfEnd ? halfEnd.failed - halfStart.failed : failed;
  const halfCompleted = halfStart && halfEnd ? halfEnd.completed - halfStart.completed : completed;
  const halfShed = halfStart && halfEnd ? halfEnd.shed - halfStart.shed : shed;
  const healthy = halfCompleted > 0 && halfFailed / (halfCompleted + halfFailed) < 0.001 && halfShed === 0;
  // Fewer points than this and a p99 taken every few seconds is noise, not a trend.
  const enoughSamples = secondHalf.length >= MIN_FIT_SAMPLES && lagPoints.length >= MIN_FIT_SAMPLES;
  const verdict = !healthy ? 'unhealthy' : !enoughSamples ? 'inconclusive' : rssFlat && lagFlat ? 'flat' : 'growing';

  const result = {
    minutes,
    rps,
    sampleSeconds: sampleMs / 1_000,
    completed,
    failed,
    shed,
    failures: Object.fromEntries(failures),
    achievedRps: Math.round((completed + failed) / ((Date.now() - started) / 1_000)),
    samples,
    secondHalf: {
      rss: { ...rssFit, flat: rssFlat },
      lagP99Ms: { ...lagFit, flat: lagFlat },
      completed: halfCompleted,
      failed: halfFailed,
      shed: halfShed,
    },
    verdict,
    note: 'hub run through tsx (src), PGlite in a temp data dir, no Redis; fake upstream with 20 stream chunks',
  };
  await writeFile(join(ROOT, 'bench', 'results', 'soak.json'), `${JSON.stringify(result, null, 2)}\n`);
  console.log(
    `soak verdict: ${verdict} — RSS ${rssFit.mean.toFixed(1)} MiB, drift ${rssFit.drift.toFixed(1)} MiB over the second half (${rssFlat ? 'flat' : 'growing'}); ` +
      `lag p99 ${lagFit.mean.toFixed(1)} ms, drift ${lagFit.drift.toFixed(1)} ms (${lagFlat ? 'flat' : 'growing'}); ` +
      `${completed} ok, ${failed} failed, ${shed} shed (second half: ${halfFailed} failed, ${halfShed} shed); results in bench/results/soak.json`,
  );
  await stopAll();
  await rm(workDir, { recursive: true, force: true });
  process.exit(verdict === 'flat' || verdict === 'inconclusive' ? 0 : 1);
}

main().catch(async (error: unknown) => {
  console.error(error);
  await stopAll();
  process.exit(1);
});
