import type { LaneId } from '../lanes/lane.js';
import type { LaneResult, StreamsRecord } from '../lanes/results.js';
import { type Spread, spread } from '../stats.js';
import type { Mode } from '../types.js';

export interface LoadSummary {
  delayMs: number;
  rate: number;
  achievedRps: Spread;
  p50: Spread;
  p99: Spread;
  p999: Spread;
  ttfbP50: Spread | null;
  ttfbP99: Spread | null;
  cpuUsPerRequest: Spread;
  failed: number;
}

/** Saturation at one number of connections. */
export interface ConnectionsSummary {
  connections: number;
  rps: Spread;
  p50: Spread;
  p99: Spread;
  cpuUsPerRequest: Spread;
}

export interface ModeSummary {
  /** At the profile's reference connections (`Profile.connections`). */
  saturationRps: Spread;
  saturationP50: Spread;
  saturationP99: Spread;
  cpuUsPerRequest: Spread;
  /** Every saturation run, by connections (1: sequential). */
  byConnections: ConnectionsSummary[];
  loads: LoadSummary[];
}

export interface LedgerSummary {
  checked: number;
  exact: number;
  /** Sum of absolute differences over all checked runs. */
  tokenDiff: number;
  costDiffPicos: string;
  note: string | null;
}

export interface Comparison {
  lane: LaneId;
  mode: Mode;
  throughputVsDirect: number | null;
  throughputVsBare: number | null;
  throughputVsPortkey: number | null;
  /**
   * Per connections: throughput vs the bare proxy, and latency added to Direct's (p50 minus Direct's p50 at
   * the same connections; at 1 connection this is the time the gateway adds to each request).
   */
  byConnections: { connections: number; vsBare: number | null; addedP50: number | null; bareAddedP50: number | null }[];
  /** Added latency vs Direct at each measured load, µs (medians over repetitions). */
  added: { delayMs: number; rate: number; p50: number; p99: number; p999: number; ttfbP50: number | null }[];
}

export interface LaneSummary {
  id: LaneId;
  label: string;
  modes: Partial<Record<Mode, ModeSummary>>;
  streams: StreamsRecord[];
  ledger: LedgerSummary | null;
}

const MODES: Mode[] = ['json', 'stream'];

function summariseMode(lane: LaneResult, mode: Mode, referenceConnections: number): ModeSummary | undefined {
  const all = lane.saturation.filter((run) => run.mode === mode);
  if (all.length === 0) return undefined;
  const connectionCounts = [...new Set(all.map((run) => run.connections))].sort((a, b) => a - b);
  const byConnections = connectionCounts.map((connections): ConnectionsSummary => {
    const runs = all.filter((run) => run.connections === connections);
    return {
      connections,
      rps: spread(runs.map((run) => run.result.rps)),
      p50: spread(runs.map((run) => run.result.latencyUs.p50)),
      p99: spread(runs.map((run) => run.result.latencyUs.p99)),
      cpuUsPerRequest: spread(runs.flatMap((run) => (run.cpuUsPerRequest === null ? [] : [run.cpuUsPerRequest]))),
    };
  });
  const saturation = all.filter((run) => run.connections === referenceConnections);
  const keys = new Map<string, { delayMs: number; rate: number }>();
  for (const run of lane.loads) if (run.mode === mode) keys.set(`${run.delayMs}/${run.rate}`, { delayMs: run.delayMs, rate: run.rate });
  const loads = [...keys.values()].map(({ delayMs, rate }): LoadSummary => {
    const runs = lane.loads.filter((run) => run.mode === mode && run.delayMs === delayMs && run.rate === rate);
    const ttfb = runs.flatMap((run) => (run.result.ttfbUs ? [run.result.ttfbUs] : []));
    return {
      delayMs,
      rate,
      achievedRps: spread(runs.map((run) => run.result.achievedRps)),
      p50: spread(runs.map((run) => run.result.latencyUs.p50)),
      p99: spread(runs.map((run) => run.result.latencyUs.p99)),
      p999: spread(runs.map((run) => run.result.latencyUs.p999)),
      ttfbP50: ttfb.length ? spread(ttfb.map((value) => value.p50)) : null,
      ttfbP99: ttfb.length ? spread(ttfb.map((value) => value.p99)) : null,
      cpuUsPerRequest: spread(runs.flatMap((run) => (run.cpuUsPerRequest === null ? [] : [run.cpuUsPerRequest]))),
      failed: runs.reduce((sum, run) => sum + run.result.non2xx + run.result.errors + run.result.dropped, 0),
    };
  });
  return {
    saturationRps: spread(saturation.map((run) => run.result.rps)),
    saturationP50: spread(saturation.map((run) => run.result.latencyUs.p50)),
    saturationP99: spread(saturation.map((run) => run.result.latencyUs.p99)),
    cpuUsPerRequest: spread(saturation.flatMap((run) => (run.cpuUsPerRequest === null ? [] : [run.cpuUsPerRequest]))),
    byConnections,
    loads: loads.sort((a, b) => a.delayMs - b.delayMs || a.rate - b.rate),
  };
}

function summariseLedger(lane: LaneResult): LedgerSummary | null {
  const checks = [...lane.saturation, ...lane.loads].flatMap((run) => (run.ledger ? [run.ledger] : []));
  if (checks.length === 0) return null;
  const compared = checks.filter((check) => check.diff !== null);
  let tokenDiff = 0;
  let costDiff = 0n;
  for (const check of compared) {
    tokenDiff += Math.abs(check.diff?.promptTokens ?? 0) + Math.abs(check.diff?.completionTokens ?? 0);
    const picos = BigInt(check.diff?.costPicos ?? '0');
    costDiff += picos < 0n ? -picos : picos;
  }
  return {
    checked: compared.length,
    exact: compared.filter((check) => check.exact).length,
    tokenDiff,
    costDiffPicos: costDiff.toString(),
    note: compared.length === checks.length ? null : (checks.find((check) => check.note)?.note ?? null),
  };
}

export function summariseLanes(lanes: LaneResult[], referenceConnections: number): LaneSummary[] {
  return lanes.map((lane) => ({
    id: lane.id,
    label: lane.label,
    modes: Object.fromEntries(
      MODES.flatMap((mode) => {
        const summary = summariseMode(lane, mode, referenceConnections);
        return summary ? [[mode, summary]] : [];
      }),
    ),
    streams: lane.streams,
    ledger: summariseLedger(lane),
  }));
}

const ratio = (value: number | undefined, base: number | undefined): number | null =>
  value !== undefined && base !== undefined && base > 0 && Number.isFinite(value) ? Math.round((value / base) * 100) / 100 : null;

export function compare(summaries: LaneSummary[]): Comparison[] {
  const find = (id: LaneId): LaneSummary | undefined => summaries.find((lane) => lane.id === id);
  const direct = find('direct');
  const bare = find('bare-proxy');
  const portkey = find('portkey');
  const comparisons: Comparison[] = [];
  for (const lane of summaries) {
    if (lane.id === 'direct') continue;
    for (const mode of MODES) {
      const summary = lane.modes[mode];
      if (!summary) continue;
      const directMode = direct?.modes[mode];
      const added = summary.loads.flatMap((load) => {
        const base = directMode?.loads.find((candidate) => candidate.delayMs === load.delayMs && candidate.rate === load.rate);
        if (!base) return [];
        return [
          {
            delayMs: load.delayMs,
            rate: load.rate,
            p50: Math.round(load.p50.median - base.p50.median),
            p99: Math.round(load.p99.median - base.p99.median),
            p999: Math.round(load.p999.median - base.p999.median),
            ttfbP50: load.ttfbP50 && base.ttfbP50 ? Math.round(load.ttfbP50.median - base.ttfbP50.median) : null,
          },
        ];
      });
      const bareMode = bare?.modes[mode];
      const p50At = (summaryOf: ModeSummary | undefined, connections: number): number | undefined =>
        summaryOf?.byConnections.find((entry) => entry.connections === connections)?.p50.median;
      const byConnections = summary.byConnections.map((entry) => {
        const directP50 = p50At(directMode, entry.connections);
        const bareP50 = p50At(bareMode, entry.connections);
        const bareRps = bareMode?.byConnections.find((candidate) => candidate.connections === entry.connections)?.rps.median;
        return {
          connections: entry.connections,
          vsBare: lane.id === 'bare-proxy' ? null : ratio(entry.rps.median, bareRps),
          addedP50: directP50 === undefined ? null : Math.round(entry.p50.median - directP50),
          bareAddedP50: directP50 === undefined || bareP50 === undefined ? null : Math.round(bareP50 - directP50),
        };
      });
      comparisons.push({
        lane: lane.id,
        mode,
        byConnections,
        throughputVsDirect: ratio(summary.saturationRps.median, directMode?.saturationRps.median),
        throughputVsBare: lane.id === 'bare-proxy' ? null : ratio(summary.saturationRps.median, bare?.modes[mode]?.saturationRps.median),
        throughputVsPortkey: lane.id === 'portkey' ? null : ratio(summary.saturationRps.median, portkey?.modes[mode]?.saturationRps.median),
        added,
      });
    }
  }
  return comparisons;
}
