import type { LaneId } from '../lanes/lane.js';
import type { Mode } from '../types.js';
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
/** Added latency (sequential, and stream TTFB) may be at most this many times the bare proxy's. */
const ADDED_VS_BARE = 2;
/** Throughput at 32 and at 256 connections must be at least this share of the bare proxy's. */
const THROUGHPUT_VS_BARE = 0.7;
const THROUGHPUT_CONNECTIONS = [32, 256];
const P99_ADDED_LIMIT_US = 2_000;

const MODE_LABEL: Record<Mode, string> = { json: 'JSON', stream: 'SSE' };

/** `hub` added vs `bare` added, as the report states it; null when either is missing. */
function addedVsBare(hub: number | null | undefined, bare: number | null | undefined): { text: string; met: boolean } | null {
  if (hub === null || hub === undefined || bare === null || bare === undefined) return null;
  // A bare proxy that added nothing measurable (noise can make it ≤ 0) leaves no ratio; the hub then has to add nothing either.
  const ratio = bare > 0 ? `${(hub / bare).toFixed(2)}×` : 'no ratio: the bare proxy added ≤ 0 µs here';
  return { text: `+${hub} µs vs bare proxy +${bare} µs (${ratio})`, met: bare > 0 ? hub <= ADDED_VS_BARE * bare : hub <= 0 };
}

/** The issue's targets (#16), per TokenHub lane: added latency and throughput against the bare proxy, tail latency, memory, ledger. */
export function evaluateTargets(summaries: LaneSummary[], comparisons: Comparison[]): TargetResult[] {
  const results: TargetResult[] = [];
  const portkey = summaries.find((lane) => lane.id === 'portkey')?.modes.json;
  const bareStream = comparisons.find((candidate) => candidate.lane === 'bare-proxy' && candidate.mode === 'stream');
  for (const id of HUB_LANES) {
    const lane = summaries.find((candidate) => candidate.id === id);
    if (!lane) continue;
    const comparison = comparisons.find((candidate) => candidate.lane === id && candidate.mode === 'json');
    for (const mode of ['json', 'stream'] as const) {
      const sequential = comparisons
        .find((candidate) => candidate.lane === id && candidate.mode === mode)
        ?.byConnections.find((entry) => entry.connections === 1);
      const verdict = addedVsBare(sequential?.addedP50, sequential?.bareAddedP50);
      results.push({
        lane: id,
        target: `added sequential latency (${MODE_LABEL[mode]}, 1 connection, p50) ≤ ${ADDED_VS_BARE}× the bare proxy's`,
        measured: verdict?.text ?? 'not measured (needs Direct, the bare proxy and this lane at 1 connection)',
        status: verdict ? (verdict.met ? 'met' : 'missed') : 'not measured',
      });
    }
    for (const mode of ['json', 'stream'] as const) {
      for (const connections of THROUGHPUT_CONNECTIONS) {
        const entry = comparisons
          .find((candidate) => candidate.lane === id && candidate.mode === mode)
          ?.byConnections.find((candidate) => candidate.connections === connections);
        const rps = lane.modes[mode]?.byConnections.find((candidate) => candidate.connections === connections)?.rps.median;
        const vsBare = entry?.vsBare ?? null;
        results.push({
          lane: id,
          target: `throughput (${MODE_LABEL[mode]}, ${connections} connections) ≥ ${THROUGHPUT_VS_BARE}× the bare proxy`,
          measured: vsBare === null ? 'not measured' : `${vsBare.toFixed(2)}× (${rps ?? '-'} RPS)`,
          status: vsBare === null ? 'not measured' : vsBare >= THROUGHPUT_VS_BARE ? 'met' : 'missed',
        });
      }
    }
    const added = comparison?.added.find((entry) => entry.delayMs === 0 && entry.rate === TARGET_RATE);
    const saturation = lane.modes.json?.saturationRps.median;
    const below = saturation !== undefined && saturation * 0.9 < TARGET_RATE;
    const highest = comparison?.added.filter((entry) => entry.delayMs === 0).at(-1);
    results.push({
      lane: id,
      target: `added p99 at ${TARGET_RATE.toLocaleString('en-US')} RPS (JSON, open loop) ≤ ${P99_ADDED_LIMIT_US.toLocaleString('en-US')} µs`,
      measured: added
        ? `${added.p99} µs (p50 +${added.p50} µs)`
        : below
          ? `could not be offered: saturates at ${saturation} RPS on this machine${highest ? `; at ${highest.rate} RPS added p99 ${highest.p99} µs` : ''}`
          : 'no 1,000 RPS run',
      status: added ? (added.p99 <= P99_ADDED_LIMIT_US ? 'met' : 'missed') : below ? 'missed' : 'not measured',
    });
    const streamComparison = comparisons.find((candidate) => candidate.lane === id && candidate.mode === 'stream');
    const ttfb = streamComparison?.added.filter((entry) => entry.delayMs === 0 && entry.ttfbP50 !== null).at(0);
    const bareTtfb = bareStream?.added.find((entry) => entry.delayMs === 0 && entry.rate === ttfb?.rate)?.ttfbP50;
    const ttfbVerdict = addedVsBare(ttfb?.ttfbP50, bareTtfb);
    results.push({
      lane: id,
      target: `added stream TTFB (p50, open loop${ttfb ? ` at ${ttfb.rate} RPS` : ''}) ≤ ${ADDED_VS_BARE}× the bare proxy's`,
      measured: ttfbVerdict?.text ?? 'not measured',
      status: ttfbVerdict ? (ttfbVerdict.met ? 'met' : 'missed') : 'not measured',
    });
    const vsPortkey = comparison?.throughputVsPortkey ?? null;
    const hubP99 = lane.modes.json?.saturationP99.median;
    results.push({
      lane: id,
      target: '≥ 3× Portkey throughput (JSON, 32 connections; p99 shown)',
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
