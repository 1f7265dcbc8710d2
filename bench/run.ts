/**
 * `npm run bench` / `npm run bench:quick`: every lane against the same fake upstream, in one run, on
 * this machine; writes bench/results/{latest|quick}.json, .md and SVG charts.
 *
 *   tsx bench/run.ts [--quick] [--lanes direct,bare-proxy,...] [--baseline DIR] [--reps N] [--saturation-only]
 *
 * `--reps N` repeats every saturation and load run N times (interleaved); `--saturation-only` skips the fixed
 * loads and the open-streams test (a quicker A/B of throughput and sequential latency).
 * `--baseline DIR` adds the lane `tokenhub-baseline`: DIR/dist (another build, e.g. a worktree of the last
 * commit built in place) measured next to this build in the same run, for an A/B of a hot-path change.
 */
import { copyFile, mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { ensureBuilt } from './build.js';
import { type ProfileSummary, summariseCpuProfile } from './cpu-profile.js';
import { bearer, type LaneId, openaiRequest } from './lanes/lane.js';
import { type MeasureContext, measureLoads, measureOpenStreams, measureSaturation, prepareLanes } from './lanes/measure.js';
import type { LaneResult } from './lanes/results.js';
import { startLanes } from './lanes/start-lanes.js';
import { LoadClient } from './load/client.js';
import { machineFacts } from './machine.js';
import { killChildrenOnExit, pinningNote, pinSelf, stopAll } from './processes.js';
import { FULL, type Profile, QUICK } from './profile.js';
import { writeReport } from './report/write.js';
import { BENCH_MODEL, HubProcess } from './targets/hub.js';
import { provisionAccount } from './targets/hub-economy.js';
import { UpstreamProcess } from './targets/upstream.js';

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    lanes: { type: 'string' },
    baseline: { type: 'string' },
    reps: { type: 'string' },
    'saturation-only': { type: 'boolean', default: false },
  },
});
const base: Profile = values.quick ? QUICK : FULL;
const repetitions = values.reps ? Math.max(1, Number.parseInt(values.reps, 10) || 1) : undefined;
const chosen: Profile = {
  ...base,
  ...(values.lanes ? { lanes: values.lanes.split(',') as LaneId[] } : {}),
  ...(repetitions ? { saturationReps: repetitions, loadReps: repetitions } : {}),
};
// A/B in one run: another build's dist/ as its own lane, right after the PGlite hub, interleaved like every lane.
const profile: Profile =
  values.baseline && !chosen.lanes.includes('tokenhub-baseline')
    ? { ...chosen, lanes: chosen.lanes.flatMap((id): LaneId[] => (id === 'tokenhub-pglite' ? [id, 'tokenhub-baseline'] : [id])) }
    : chosen;

const benchDir = dirname(fileURLToPath(import.meta.url));
const rootDir = resolve(benchDir, '..');
const resultsDir = join(benchDir, 'results');
const startedAt = Date.now();
const log = (line: string): void => {
  process.stdout.write(`[${((Date.now() - startedAt) / 1000).toFixed(1).padStart(6)} s] ${line}\n`);
};

const cleanups: (() => Promise<void>)[] = [];
const cleanup = async (): Promise<void> => {
  while (cleanups.length)
    await cleanups
      .pop()?.()
      .catch(() => {});
};
killChildrenOnExit(cleanup);
process.on('uncaughtException', (error) => {
  process.stderr.write(`bench: ${error.stack ?? error.message}\n`);
  void Promise.allSettled([stopAll(), cleanup()]).finally(() => process.exit(1));
});

pinSelf();
const buildNote = ensureBuilt(rootDir, log);
const workDir = await mkdtemp(join(tmpdir(), 'tokenhub-bench-'));
cleanups.push(() => rm(workDir, { recursive: true, force: true }));
const logDir = join(resultsDir, 'logs');
await rm(logDir, { recursive: true, force: true });
await mkdir(logDir, { recursive: true });
const facts = machineFacts(rootDir, pinningNote());
log(
  `${profile.name} profile: ${profile.lanes.join(', ')} on ${facts.cpuModel} × ${facts.cores}, node ${facts.node}, load average ${facts.loadAverage.start}`,
);

const upstream = await UpstreamProcess.start('upstream', benchDir, logDir);
cleanups.push(() => upstream.stop());
const slowUpstream = await UpstreamProcess.start('slow-upstream', benchDir, logDir, [
  '--fixed-chunks',
  String(profile.slowChunks),
  '--chunk-interval-ms',
  String(profile.slowChunkIntervalMs),
  '--chunks-per-write',
  '1',
]);
cleanups.push(() => slowUpstream.stop());
const load = LoadClient.start(benchDir, logDir);
cleanups.push(() => load.close());

const ctx: MeasureContext = { profile, load, upstream, log };
const lanes = await startLanes({
  profile,
  rootDir,
  benchDir,
  logDir,
  workDir,
  upstream,
  slowUpstream,
  log,
  ...(values.baseline ? { baselineDir: resolve(values.baseline) } : {}),
  onCleanup: (step) => cleanups.push(step),
});
cleanups.push(() => lanes.stop());
log(`started ${lanes.runs.map((run) => run.lane.id).join(', ')}; warm-up`);
await prepareLanes(lanes.runs, ctx);
log('saturation (repetitions interleaved across lanes)');
await measureSaturation(lanes.runs, ctx);
if (!values['saturation-only']) {
  log('fixed offered loads');
  await measureLoads(lanes.runs, ctx);
  log('concurrent open streams');
  for (const run of lanes.runs) await measureOpenStreams(run, ctx);
}
await lanes.stop();
const results: LaneResult[] = [...lanes.runs.map((run) => run.result), ...lanes.failed];
const pgliteDataDir = lanes.pgliteDataDir;

const PROFILE_LOAD_S = 4;

/** Profiles the PGlite hub under non-streaming saturation (a separate instance: profiling slows it down). */
async function profileHub(): Promise<ProfileSummary | null> {
  if (!pgliteDataDir) return null;
  const profileDir = join(workDir, 'cpu-profile');
  await mkdir(profileDir, { recursive: true });
  const hub = await HubProcess.start({
    name: 'tokenhub-pglite-profiled',
    rootDir,
    logDir,
    dataDir: pgliteDataDir,
    upstreamOrigin: upstream.origin,
    slowUpstreamOrigin: slowUpstream.origin,
    cpuProfDir: profileDir,
  });
  try {
    const account = await provisionAccount(hub.origin, 'cpu-profile');
    const request = openaiRequest(hub.origin, BENCH_MODEL, 'json', bearer(account.key));
    await load.saturate({ request, connections: profile.connections, amount: null, durationS: 1 });
    await load.saturate({ request, connections: profile.connections, amount: null, durationS: PROFILE_LOAD_S });
  } finally {
    await hub.stop();
  }
  const file = (await readdir(profileDir)).find((name) => name.endsWith('.cpuprofile'));
  if (!file) return null;
  // The window: the measured load plus the drain after it; start-up and warm-up are left out.
  const summary = await summariseCpuProfile(join(profileDir, file), 15, (PROFILE_LOAD_S + 1) * 1000);
  const kept = join(resultsDir, `${profile.name === 'quick' ? 'quick' : 'latest'}-tokenhub.cpuprofile`);
  await copyFile(join(profileDir, file), kept);
  return { ...summary, file: kept.slice(rootDir.length + 1) };
}

facts.loadAverage.end = Math.round((loadavg()[0] ?? 0) * 100) / 100;
const report = await writeReport({
  profile,
  facts,
  results,
  buildNote,
  resultsDir,
  wallS: Math.round((Date.now() - startedAt) / 1000),
  profileHub: async () => {
    log('a target was missed: profiling the PGlite hub (--cpu-prof)');
    return profileHub().catch((error: unknown) => {
      log(`profiling failed: ${error instanceof Error ? error.message : String(error)}`);
      return null;
    });
  },
});
log(`wrote ${report.files.join(', ')}`);
for (const line of report.headline) log(line);
await stopAll();
await cleanup();
process.exit(0);
