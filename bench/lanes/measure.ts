import type { LoadClient } from '../load/client.js';
import { cpuMicros, peakRssMiB, resetPeakRss, rssMiB, sampleRss } from '../proc-stats.js';
import type { Profile } from '../profile.js';
import { spread } from '../stats.js';
import { checkLedger, type LedgerCheck, provisionAccount, type RunAccount } from '../targets/hub-economy.js';
import type { UpstreamProcess } from '../targets/upstream.js';
import type { Mode } from '../types.js';
import type { Lane } from './lane.js';
import type { LaneResult } from './results.js';

export interface MeasureContext {
  profile: Profile;
  load: LoadClient;
  upstream: UpstreamProcess;
  log: (line: string) => void;
}

/** A lane being measured: its result so far and the modes that answered the probe. */
export interface LaneRun {
  lane: Lane;
  result: LaneResult;
  modes: Mode[];
  /** Loads to offer instead of the profile's (lanes measured more briefly). */
  loads?: Record<Mode, number[]>;
  delayedLoads?: Record<Mode, number[]>;
  /** Open-stream counts for the memory test instead of the profile's. */
  streamCounts?: number[];
}

/** Loads above this share of the lane's own saturation throughput are skipped: they only measure a queue. */
const MAX_LOAD_SHARE = 0.9;
const PACED_CONNECTIONS = 256;
const MAX_IN_FLIGHT = 2_000;

async function account(lane: Lane, label: string, result: LaneResult): Promise<RunAccount | null> {
  if (!lane.hubOrigin) return null;
  const provisioned = await provisionAccount(lane.hubOrigin, label);
  result.economy =
    provisioned.kind === 'virtual-key'
      ? { credential: 'virtual-key', note: 'fresh tenant + virtual key (rate limits, budget) per measured run' }
      : { credential: 'admin-key', note: provisioned.reason };
  return provisioned;
}

async function ledgerAfter(lane: Lane, runAccount: RunAccount | null, ctx: MeasureContext): Promise<LedgerCheck | null> {
  if (!lane.hubOrigin || !runAccount) return null;
  return checkLedger(lane.hubOrigin, runAccount, await ctx.upstream.stats());
}

/** One request per mode before measuring: a lane that cannot answer is reported as failing, with why. */
async function probe(lane: Lane, mode: Mode, credential: string): Promise<string | null> {
  const spec = lane.request(mode, credential);
  try {
    const response = await fetch(spec.url, {
      method: 'POST',
      headers: { ...spec.headers, 'content-type': 'application/json' },
      body: spec.body,
      signal: AbortSignal.timeout(10_000),
    });
    const text = await response.text();
    if (response.status !== 200) return `HTTP ${response.status}: ${text.slice(0, 300)}`;
    if (mode === 'stream' && !/\[DONE\]|message_stop/.test(text)) return `stream ended without [DONE]/message_stop: …${text.slice(-300)}`;
    return null;
  } catch (error) {
    return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  }
}

const cpuNow = (pid: number | null): number | null => (pid ? cpuMicros(pid) : null);
const cpuPer = (pid: number | null, before: number | null, requests: number): number | null =>
  pid && before !== null && requests > 0 ? Math.round((cpuMicros(pid) - before) / requests) : null;

const failureText = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/** Probes every mode of every lane and warms up those that answer (JIT, pools, key caches). */
export async function prepareLanes(runs: LaneRun[], ctx: MeasureContext): Promise<void> {
  await ctx.upstream.setDelay(0);
  for (const run of runs) {
    for (const mode of run.lane.modes) {
      try {
        const failure = await probe(
          run.lane,
          mode,
          (await account(run.lane, `probe-${mode}`, run.result))?.key ?? run.lane.defaultCredential,
        );
        if (failure) {
          const extra = run.lane.errorLines ? await run.lane.errorLines() : [];
          run.result.failures.push({ mode, error: [failure, ...extra].join('\n') });
          ctx.log(`  ${run.lane.id} ${mode}: FAILED ${failure.split('\n')[0]}`);
          continue;
        }
        const warmAccount = await account(run.lane, `warmup-${mode}`, run.result);
        const warm = await ctx.load.saturate({
          request: run.lane.request(mode, warmAccount?.key ?? run.lane.defaultCredential),
          connections: ctx.profile.connections,
          amount: null,
          durationS: ctx.profile.warmupS,
        });
        run.modes.push(mode);
        run.result.warmupRps[mode] = warm.rps;
        ctx.log(`  ${run.lane.id} ${mode}: warm-up ${warm.rps} rps`);
      } catch (error) {
        run.result.failures.push({ mode, error: failureText(error) });
        ctx.log(`  ${run.lane.id} ${mode}: ERROR ${failureText(error)}`);
      }
    }
  }
  await new Promise((resolve) => setTimeout(resolve, 300));
}

async function saturationRun(run: LaneRun, mode: Mode, connections: number, rep: number, ctx: MeasureContext): Promise<void> {
  const { lane, result } = run;
  const previous = result.saturation.filter((entry) => entry.mode === mode && entry.connections === connections);
  let sized: number | undefined;
  if (previous.length === 0 && connections < ctx.profile.connections) {
    // The warm-up ran at many connections and says little of one: a short timed run (its own account, not
    // ledger-checked: it may cut a request in flight) sizes the first counted one.
    const sizing = await account(lane, `size-${mode}-c${connections}`, result);
    sized = (
      await ctx.load.saturate({
        request: lane.request(mode, sizing?.key ?? lane.defaultCredential),
        connections,
        amount: null,
        durationS: 1,
      })
    ).rps;
  }
  const runAccount = await account(lane, `sat-${mode}-c${connections}-${rep}`, result);
  await ctx.upstream.reset();
  const cpuBefore = cpuNow(lane.gatewayPid);
  // Sized from the last run at these connections (the warm-up's rate sizes the first concurrent one).
  const estimate = Math.max(
    sized ?? (previous.length > 0 ? 0 : (result.warmupRps[mode] ?? 50)),
    ...previous.map((entry) => entry.result.rps),
    50,
  );
  const outcome = await ctx.load.saturate({
    request: lane.request(mode, runAccount?.key ?? lane.defaultCredential),
    connections,
    amount: Math.max(connections * 4, Math.round(estimate * ctx.profile.saturationS)),
    durationS: ctx.profile.saturationS * 4,
  });
  // Read once the ledger holds the run's rows: a hub's CPU per request includes writing them, however late.
  const ledger = await ledgerAfter(lane, runAccount, ctx);
  const cpuUsPerRequest = cpuPer(lane.gatewayPid, cpuBefore, outcome.ok);
  result.saturation.push({ mode, connections, rep, result: outcome, cpuUsPerRequest, ledger });
  ctx.log(
    `  ${lane.id} ${mode} c${connections}: saturation ${outcome.rps} rps, p50 ${outcome.latencyUs.p50} µs, p99 ${outcome.latencyUs.p99} µs, cpu ${cpuUsPerRequest ?? '-'} µs/req${ledger ? `, ledger ${ledger.exact ? 'exact' : `OFF ${JSON.stringify(ledger.diff ?? ledger.note)}`}` : ''}`,
  );
}

async function loadRun(run: LaneRun, mode: Mode, delayMs: number, rate: number, rep: number, ctx: MeasureContext): Promise<void> {
  const { lane, result } = run;
  const runAccount = await account(lane, `load-${mode}-${delayMs}-${rate}-${rep}`, result);
  await ctx.upstream.reset();
  const cpuBefore = cpuNow(lane.gatewayPid);
  const outcome = await ctx.load.paced({
    request: lane.request(mode, runAccount?.key ?? lane.defaultCredential),
    stream: mode === 'stream',
    rate,
    durationS: ctx.profile.loadS,
    connections: PACED_CONNECTIONS,
    maxInFlight: MAX_IN_FLIGHT,
  });
  // Read once the ledger holds the run's rows: a hub's CPU per request includes writing them, however late.
  const ledger = await ledgerAfter(lane, runAccount, ctx);
  const cpuUsPerRequest = cpuPer(lane.gatewayPid, cpuBefore, outcome.ok);
  result.loads.push({ mode, delayMs, rate, rep, result: outcome, cpuUsPerRequest, ledger });
  const failed = outcome.non2xx + outcome.errors + outcome.dropped;
  ctx.log(
    `  ${lane.id} ${mode} @${rate} rps (+${delayMs} ms): p50 ${outcome.latencyUs.p50} µs, p99 ${outcome.latencyUs.p99} µs, p99.9 ${outcome.latencyUs.p999} µs${outcome.ttfbUs ? `, ttfb p50 ${outcome.ttfbUs.p50} µs` : ''}${failed ? `, failed ${failed} (${outcome.firstError})` : ''}${ledger ? `, ledger ${ledger.exact ? 'exact' : 'OFF'}` : ''}`,
  );
}

/**
 * Repetitions are interleaved across lanes (rep 1 of every lane, then rep 2 …) so that load from
 * other work on the machine, which drifts over minutes, falls on every lane alike.
 */
export async function measureSaturation(runs: LaneRun[], ctx: MeasureContext): Promise<void> {
  await ctx.upstream.setDelay(0);
  for (const mode of ['json', 'stream'] as const) {
    for (const connections of ctx.profile.saturationConnections) {
      for (let rep = 0; rep < ctx.profile.saturationReps; rep++) {
        // Rotated per repetition, so no lane always runs right after the same neighbour.
        const order = runs.map((_, index) => runs[(index + rep) % runs.length] as LaneRun);
        for (const run of order) {
          if (!run.modes.includes(mode)) continue;
          await saturationRun(run, mode, connections, rep, ctx).catch((error: unknown) => {
            run.result.failures.push({ mode, error: failureText(error) });
            ctx.log(`  ${run.lane.id} ${mode} c${connections}: ERROR ${failureText(error)}`);
          });
        }
      }
    }
  }
}

/** Fixed offered loads, at 0 ms and at the profile's upstream delay, interleaved across lanes. */
export async function measureLoads(runs: LaneRun[], ctx: MeasureContext): Promise<void> {
  const { profile } = ctx;
  for (const delayMs of [0, profile.delayMs]) {
    await ctx.upstream.setDelay(delayMs);
    for (const mode of ['json', 'stream'] as const) {
      const ratesOf = (run: LaneRun): number[] =>
        (delayMs === 0 ? (run.loads ?? profile.loads) : (run.delayedLoads ?? profile.delayedLoads))[mode];
      const rates = [...new Set(runs.flatMap(ratesOf))].sort((a, b) => a - b);
      for (const rate of rates) {
        const eligible = runs.filter((run) => {
          if (!run.modes.includes(mode) || !ratesOf(run).includes(rate)) return false;
          const saturation = spread(
            run.result.saturation
              .filter((entry) => entry.mode === mode && entry.connections === profile.connections)
              .map((entry) => entry.result.rps),
          ).median;
          if (rate <= saturation * MAX_LOAD_SHARE) return true;
          run.result.skipped.push({
            mode,
            delayMs,
            rate,
            reason: `above ${MAX_LOAD_SHARE * 100} % of this lane's saturation (${saturation} rps)`,
          });
          return false;
        });
        for (let rep = 0; rep < profile.loadReps; rep++) {
          for (const run of eligible) {
            await loadRun(run, mode, delayMs, rate, rep, ctx).catch((error: unknown) => {
              run.result.failures.push({ mode, error: failureText(error) });
              ctx.log(`  ${run.lane.id} ${mode}: ERROR ${failureText(error)}`);
            });
          }
        }
      }
    }
  }
  await ctx.upstream.setDelay(0);
}

/** Peak RSS of the gateway while `count` slow streams are open at once. */
export async function measureOpenStreams(run: LaneRun, ctx: MeasureContext): Promise<void> {
  const { lane, result } = run;
  const pid = lane.slowStreamPid ?? lane.gatewayPid;
  if (!pid || !lane.slowStream) return;
  for (const count of run.streamCounts ?? ctx.profile.streamCounts) {
    const runAccount = await account(lane, `streams-${count}`, result);
    await new Promise((resolve) => setTimeout(resolve, 500));
    const baselineMiB = Math.round(rssMiB(pid));
    const peakReset = resetPeakRss(pid);
    const sampler = sampleRss(pid);
    const run = await ctx.load.streams({
      request: lane.slowStream(runAccount?.key ?? lane.defaultCredential),
      count,
      rampMs: Math.max(1_000, count * 2),
      timeoutMs: 90_000,
    });
    const sampled = sampler.stop();
    const peakMiB = Math.round(Math.max(sampled, peakReset ? peakRssMiB(pid) : 0));
    result.streams.push({ count, baselineMiB, peakMiB, peakReset, result: run });
    ctx.log(
      `  ${lane.id} ${count} open streams: peak RSS ${peakMiB} MiB (baseline ${baselineMiB}), ${run.peakOpen} open at once, ${run.completed} completed, ${run.failed} failed${run.firstError ? ` (${run.firstError})` : ''}`,
    );
  }
}
