import type { LaneId } from '../lanes/lane.js';
import type { Comparison, LaneSummary } from './summary.js';

export type TargetStatus = 'met' | 'missed' | 'not measured';

export interface TargetResult {
  lane: LaneId;
  target: string;
  measured: string;
  status: TargetStatus;
}

const HUB_LANES: LaneId[] = ['tokenhub-pglite', 'tokenhub-postgres'];
const TARGET_RATE = 1000;
const RSS_LIMIT_MIB = 1024;
const STREAMS_FOR_RSS = 5000;

/** The issue's targets, per TokenHub lane: added latency, throughput vs the bare proxy and Portkey, memory, ledger. */
export function evaluateTargets(summaries: LaneSummary[], comparisons: Comparison[]): TargetResult[] {
  const results: TargetResult[] = [];
  const portkey = summaries.find((lane) => lane.id === 'portkey')?.modes.json;
  for (const id of HUB_LANES) {
    const lane = summaries.find((candidate) => candidate.id === id);
    if (!lane) continue;
    const comparison = comparisons.find((candidate) => candidate.lane === id && candidate.mode === 'json');
    const added = comparison?.added.find((entry) => entry.delayMs === 0 && entry.rate === TARGET_RATE);
    const saturation = lane.modes.json?.saturationRps.median;
    const below = saturation !== undefined && saturation * 0.9 < TARGET_RATE;
    const highest = comparison?.added.filter((entry) => entry.delayMs === 0).at(-1);
    const fallback = below
      ? `could not be offered: saturates at ${saturation} RPS on this machine${highest ? `; at ${highest.rate} RPS added p50 ${highest.p50} µs, p99 ${highest.p99} µs` : ''}`
      : 'no 1,000 RPS run';
    const unmeasured: TargetStatus = below ? 'missed' : 'not measured';
    results.push({
      lane: id,
      target: `added p50 at ${TARGET_RATE} RPS, non-streaming, all features on ≤ 500 µs`,
      measured: added ? `${added.p50} µs` : fallback,
      status: added ? (added.p50 <= 500 ? 'met' : 'missed') : unmeasured,
    });
    results.push({
      lane: id,
      target: `added p99 at ${TARGET_RATE} RPS ≤ 2,000 µs`,
      measured: added ? `${added.p99} µs` : fallback,
      status: added ? (added.p99 <= 2000 ? 'met' : 'missed') : unmeasured,
    });
    const vsBare = comparison?.throughputVsBare ?? null;
    results.push({
      lane: id,
      target: 'saturation throughput ≥ 70 % of the bare Node proxy',
      measured:
        vsBare === null ? 'bare proxy not measured' : `${Math.round(vsBare * 100)} % (${lane.modes.json?.saturationRps.median ?? '-'} RPS)`,
      status: vsBare === null ? 'not measured' : vsBare >= 0.7 ? 'met' : 'missed',
    });
    const vsPortkey = comparison?.throughputVsPortkey ?? null;
    const hubP99 = lane.modes.json?.saturationP99.median;
    results.push({
      lane: id,
      target: '≥ 3× Portkey throughput (saturation, same 50 connections; p99 shown)',
      measured:
        vsPortkey === null
          ? 'Portkey not measured'
          : `${vsPortkey}× (TokenHub ${lane.modes.json?.saturationRps.median} RPS at p99 ${hubP99} µs; Portkey ${portkey?.saturationRps.median} RPS at p99 ${portkey?.saturationP99.median} µs)`,
      status: vsPortkey === null ? 'not measured' : vsPortkey >= 3 ? 'met' : 'missed',
    });
    const streams = lane.streams.find((record) => record.count === STREAMS_FOR_RSS);
    results.push({
      lane: id,
      target: `${STREAMS_FOR_RSS.toLocaleString('en-US')} concurrent streams with peak RSS ≤ 1 GiB`,
      measured: streams
        ? `${streams.peakMiB} MiB (${streams.result.peakOpen} open at once, ${streams.result.failed} failed)`
        : `not run (profile measures ${lane.streams.map((record) => record.count).join(', ') || 'no'} streams)`,
      status: streams
        ? streams.peakMiB <= RSS_LIMIT_MIB && streams.result.peakOpen >= STREAMS_FOR_RSS * 0.95
          ? 'met'
          : 'missed'
        : 'not measured',
    });
    const ledger = lane.ledger;
    results.push({
      lane: id,
      target: 'ledger = upstream-reported tokens and cost after every load run (difference 0)',
      measured: ledger
        ? ledger.checked
          ? `${ledger.exact}/${ledger.checked} runs exact; total token difference ${ledger.tokenDiff}, cost difference ${ledger.costDiffPicos} picoUSD`
          : `not checked: ${ledger.note ?? 'no ledger'}`
        : 'not checked',
      status: ledger?.checked ? (ledger.exact === ledger.checked ? 'met' : 'missed') : 'not measured',
    });
  }
  return results;
}
