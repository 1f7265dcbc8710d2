import type { ProfileSummary } from '../cpu-profile.js';
import type { LaneResult } from '../lanes/results.js';
import type { MachineFacts } from '../machine.js';
import type { Profile } from '../profile.js';
import type { Spread } from '../stats.js';
import { MEAN_STREAM_CHUNKS, perChunkOverhead } from './per-chunk.js';
import type { Comparison, LaneSummary } from './summary.js';
import type { TargetResult } from './targets.js';

export interface MarkdownInput {
  profile: Profile;
  facts: MachineFacts;
  results: LaneResult[];
  summaries: LaneSummary[];
  comparisons: Comparison[];
  targets: TargetResult[];
  cpuProfile: ProfileSummary | null;
  charts: string[];
  buildNote: string | null;
  wallS: number;
  generatedAt: string;
}

const us = (value: number): string => (Number.isFinite(value) ? Math.round(value).toLocaleString('en-US') : '–');
const range = (value: Spread, unit = ''): string =>
  value.n === 0 ? '–' : value.n === 1 ? `${us(value.median)}${unit}` : `${us(value.median)}${unit} (${us(value.min)}–${us(value.max)})`;
const times = (value: number | null): string => (value === null ? '–' : `${value.toFixed(2)}×`);
const signed = (value: number | null | undefined): string =>
  value === null || value === undefined ? '–' : `${value >= 0 ? '+' : ''}${us(value)}`;
const STATUS: Record<TargetResult['status'], string> = { met: '**met**', missed: '**MISSED**', 'not measured': 'not measured' };

function table(header: string[], rows: string[][]): string {
  return [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...rows.map((row) => `| ${row.join(' | ')} |`)].join('\n');
}

function targetsSection(targets: TargetResult[]): string {
  if (targets.length === 0) return 'No TokenHub lane was measured, so no target could be evaluated.';
  const missed = targets.filter((target) => target.status === 'missed').length;
  const met = targets.filter((target) => target.status === 'met').length;
  const verdict = `${met} met, ${missed} missed, ${targets.length - met - missed} not measured.`;
  return `${verdict}\n\n${table(
    ['lane', 'target', 'measured', 'status'],
    targets.map((target) => [target.lane, target.target, target.measured, STATUS[target.status]]),
  )}`;
}

function saturationSection(summaries: LaneSummary[], comparisons: Comparison[]): string {
  const rows = (['json', 'stream'] as const).flatMap((mode) =>
    summaries.flatMap((lane) => {
      const summary = lane.modes[mode];
      if (!summary) return [];
      const comparison = comparisons.find((candidate) => candidate.lane === lane.id && candidate.mode === mode);
      return summary.byConnections.map((entry) => {
        const versus = comparison?.byConnections.find((candidate) => candidate.connections === entry.connections);
        return [
          lane.label,
          mode,
          `${entry.connections}`,
          range(entry.rps),
          times(versus?.vsBare ?? (lane.id === 'bare-proxy' ? 1 : null)),
          range(entry.p50),
          lane.id === 'direct' ? '(floor)' : signed(versus?.addedP50),
          range(entry.p99),
          range(entry.cpuUsPerRequest),
        ];
      });
    }),
  );
  return table(
    [
      'lane',
      'mode',
      'connections',
      'RPS median (min–max)',
      '× bare proxy',
      'p50 µs',
      'added p50 vs Direct µs',
      'p99 µs',
      'gateway CPU µs/request',
    ],
    rows,
  );
}

function loadsSection(summaries: LaneSummary[], comparisons: Comparison[]): string {
  const rows = summaries.flatMap((lane) =>
    (['json', 'stream'] as const).flatMap((mode) =>
      (lane.modes[mode]?.loads ?? []).map((load) => {
        const added = comparisons
          .find((candidate) => candidate.lane === lane.id && candidate.mode === mode)
          ?.added.find((entry) => entry.delayMs === load.delayMs && entry.rate === load.rate);
        return [
          lane.label,
          mode,
          `+${load.delayMs} ms`,
          `${load.rate}`,
          range(load.achievedRps),
          range(load.p50),
          range(load.p99),
          range(load.p999),
          lane.id === 'direct' ? '(floor)' : `${signed(added?.p50)} / ${signed(added?.p99)}`,
          load.ttfbP50 ? `${range(load.ttfbP50)}${lane.id === 'direct' ? '' : ` (${signed(added?.ttfbP50)})`}` : '–',
          range(load.cpuUsPerRequest),
          `${load.failed}`,
        ];
      }),
    ),
  );
  return table(
    [
      'lane',
      'mode',
      'upstream',
      'offered RPS',
      'achieved RPS',
      'p50 µs',
      'p99 µs',
      'p99.9 µs',
      'added vs Direct p50 / p99 µs',
      'TTFB p50 µs (added)',
      'CPU µs/req',
      'failed',
    ],
    rows,
  );
}

function streamsSection(summaries: LaneSummary[]): string {
  const rows = summaries.flatMap((lane) =>
    lane.streams.map((record) => [
      lane.label,
      record.count.toLocaleString('en-US'),
      `${record.result.peakOpen.toLocaleString('en-US')}`,
      `${record.result.completed.toLocaleString('en-US')} / ${record.result.failed}`,
      `${record.baselineMiB}`,
      `**${record.peakMiB}**${record.peakReset ? '' : ' (VmHWM not reset)'}`,
    ]),
  );
  if (rows.length === 0) return 'Not measured in this run.';
  return table(['gateway', 'streams opened', 'open at once (peak)', 'completed / failed', 'RSS before, MiB', 'peak RSS, MiB'], rows);
}

function perChunkSection(summaries: LaneSummary[]): string {
  const rows = perChunkOverhead(summaries).map((lane) => [
    lane.label,
    `${lane.cpuJson}`,
    `${lane.cpuStream}`,
    `**${lane.cpuPerChunk.toFixed(2)}**`,
    lane.addedUsPerChunk === null ? '–' : `${lane.addedUsPerChunk.toFixed(2)}`,
  ]);
  if (rows.length === 0) return 'Not measured in this run.';
  return table(['gateway', 'CPU µs/req, JSON', 'CPU µs/req, SSE', 'CPU µs per chunk', 'added µs per chunk (sequential)'], rows);
}

function ledgerSection(results: LaneResult[]): string {
  const rows = results.flatMap((lane) => {
    const runs = [
      ...lane.saturation.map((run) => ({ label: `saturation ${run.mode} c${run.connections} #${run.rep + 1}`, ledger: run.ledger })),
      ...lane.loads.map((run) => ({ label: `${run.mode} ${run.rate} RPS +${run.delayMs} ms #${run.rep + 1}`, ledger: run.ledger })),
    ];
    return runs.flatMap(({ label, ledger }) =>
      ledger
        ? [
            [
              lane.label,
              label,
              `${ledger.upstream.promptTokens} / ${ledger.upstream.completionTokens} / $${ledger.upstream.costUsd}`,
              ledger.ledger ? `${ledger.ledger.promptTokens} / ${ledger.ledger.completionTokens} / $${ledger.ledger.costUsd}` : '–',
              ledger.diff
                ? `${ledger.diff.promptTokens} / ${ledger.diff.completionTokens} / ${ledger.diff.costPicos} pUSD`
                : (ledger.note ?? '–'),
              ledger.exact ? 'exact' : ledger.diff ? '**differs**' : 'not checked',
            ],
          ]
        : [],
    );
  });
  if (rows.length === 0) return 'No TokenHub run was checked.';
  return table(['lane', 'run', 'upstream reported (prompt / completion / cost)', 'ledger', 'difference', 'result'], rows);
}

function profileSection(cpuProfile: ProfileSummary | null, targets: TargetResult[], connections: number): string {
  if (!targets.some((target) => target.status === 'missed')) return 'Every measured target was met, so no profile was taken.';
  if (!cpuProfile) return 'A target was missed but the profile could not be taken (see the run log).';
  const categories = table(
    ['where', 'self ms', '% of busy'],
    cpuProfile.categories.slice(0, 10).map((entry) => [entry.name, `${entry.selfMs}`, `${entry.selfPct}`]),
  );
  const functions = table(
    ['function', 'self ms', '% of busy'],
    cpuProfile.functions.slice(0, 15).map((entry) => [`\`${entry.name}\``, `${entry.selfMs}`, `${entry.selfPct}`]),
  );
  const topThree = cpuProfile.categories
    .filter((entry) => !entry.name.startsWith('(program)'))
    .slice(0, 3)
    .map((entry, index) => `${index + 1}. ${entry.name}: ${entry.selfPct} % of busy CPU`)
    .join('\n');
  return [
    `TokenHub (PGlite, all features on) under non-streaming saturation at ${connections} connections (4 s after a 1 s warm-up; start-up left out), \`node --cpu-prof\`: ${cpuProfile.busyMs} ms busy, ${cpuProfile.idleMs} ms idle. Profile: \`${cpuProfile.file}\` (open it in Chrome DevTools → Performance, or speedscope).`,
    '',
    '**Top three costs** (self time by package / TokenHub folder):',
    '',
    topThree,
    '',
    categories,
    '',
    'Top functions by self time:',
    '',
    functions,
  ].join('\n');
}

function failuresSection(results: LaneResult[]): string {
  const lines = results.flatMap((lane) => [
    ...lane.failures.map(
      (failure) => `- **${lane.label}**, ${failure.mode}: failing —\n\n  \`\`\`\n  ${failure.error.split('\n').join('\n  ')}\n  \`\`\``,
    ),
    ...lane.notes.map((note) => `- **${lane.label}**: ${note}`),
    ...lane.skipped.map(
      (skip) => `- **${lane.label}**, ${skip.mode} at ${skip.rate} RPS (+${skip.delayMs} ms): not offered, ${skip.reason}`,
    ),
    ...(lane.economy.credential === 'admin-key'
      ? [`- **${lane.label}**: WARNING — ran with the admin key, not a virtual key with limits and budget: ${lane.economy.note}`]
      : []),
  ]);
  return lines.length ? lines.join('\n') : 'None.';
}

export function renderMarkdown(input: MarkdownInput): string {
  const { facts, profile } = input;
  const versions = Object.entries(facts.versions)
    .map(([name, version]) => `${name} ${version}`)
    .join(', ');
  const contention =
    facts.loadAverage.start > 0.5
      ? `The 1-minute load average was ${facts.loadAverage.start} when the run started and ${facts.loadAverage.end ?? '?'} at the end: other work shared these ${facts.cores} cores, so absolute numbers are pessimistic; the ratios were taken in the same run and are the numbers to compare.`
      : `Load average ${facts.loadAverage.start} at the start, ${facts.loadAverage.end ?? '?'} at the end.`;
  return [
    `# TokenHub benchmark — ${profile.name} profile`,
    '',
    `Generated ${input.generatedAt} by \`npm run ${profile.name === 'quick' ? 'bench:quick' : 'bench'}\` in ${input.wallS} s. Raw data: \`${profile.name === 'quick' ? 'quick' : 'latest'}.json\` next to this file.`,
    '',
    '## Machine',
    '',
    `- CPU: ${facts.cpuModel}, ${facts.cores} cores, ${facts.memoryGiB} GiB; Linux ${facts.kernel}; Node ${facts.node}`,
    `- Versions: ${versions}; commit ${facts.commit}`,
    `- Pinning: ${facts.pinning}`,
    `- ${contention}`,
    ...(input.buildNote ? [`- Build: ${input.buildNote.split('\n')[0]}`] : []),
    '',
    '## Targets (issue #16)',
    '',
    targetsSection(input.targets),
    '',
    '## Charts',
    '',
    ...input.charts.map((file) => `![${file}](./${file})\n`),
    '## Saturation throughput',
    '',
    `Closed loop at ${profile.saturationConnections.join(', ')} connections (1 is sequential: its added p50 is what the gateway adds to each request), upstream answering at once; ${profile.saturationReps} repetition(s) of ${profile.saturationS} s after a ${profile.warmupS} s warm-up at ${profile.connections} connections, repetitions interleaved across lanes; median (min–max). "Added" is the lane's p50 minus Direct's at the same connections. Gateway CPU is user + system time of the gateway process (all its threads) from the run's start until the ledger holds its rows, divided by the requests served: work a hub defers past the run (its ledger writes) still counts.`,
    '',
    saturationSection(input.summaries, input.comparisons),
    '',
    '## Latency at fixed offered loads',
    '',
    `Open loop (each request is due at a fixed time and its latency counts from then), ${profile.loadReps} repetition(s) of ${profile.loadS} s per load; median over repetitions (min–max). "Added" is the lane's median percentile minus Direct's at the same load and upstream delay. Loads above 90 % of a lane's own saturation are not offered.`,
    '',
    loadsSection(input.summaries, input.comparisons),
    '',
    '## Per-chunk overhead of streams',
    '',
    `A stream carries its tokens as ${MEAN_STREAM_CHUNKS} chunks on average (the fake upstream's rule), its JSON twin as one body. CPU per chunk: (SSE − JSON) gateway CPU per request at ${profile.connections} connections, over ${MEAN_STREAM_CHUNKS}. Added per chunk: (SSE − JSON) sequential p50, over ${MEAN_STREAM_CHUNKS}, minus Direct's.`,
    '',
    perChunkSection(input.summaries),
    '',
    '## Concurrent open streams',
    '',
    `Streams of ${profile.slowChunks} chunks ${profile.slowChunkIntervalMs} ms apart (≈${(profile.slowChunks * profile.slowChunkIntervalMs) / 1000} s each), all opened within a few seconds by an undici client; peak RSS is the higher of VmHWM (reset before the test) and 100 ms samples of VmRSS.`,
    '',
    streamsSection(input.summaries),
    '',
    '## Ledger accuracy',
    '',
    "Each measured TokenHub run uses a fresh tenant and virtual key; afterwards the tenant's usage (admin API) is compared with the tokens the fake upstream reported for that run, and with their cost at the configured prices (exact, in picodollars). The difference must be 0.",
    '',
    ledgerSection(input.results),
    '',
    '## Where the time goes',
    '',
    profileSection(input.cpuProfile, input.targets, profile.connections),
    '',
    '## Failures, skips and warnings',
    '',
    failuresSection(input.results),
    '',
  ].join('\n');
}
