import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ProfileSummary } from '../cpu-profile.js';
import type { LaneResult } from '../lanes/results.js';
import type { MachineFacts } from '../machine.js';
import type { Profile } from '../profile.js';
import { latencyChart, throughputChart } from './charts.js';
import { renderMarkdown } from './markdown.js';
import { compare, summariseLanes } from './summary.js';
import { evaluateTargets } from './targets.js';

export interface ReportInput {
  profile: Profile;
  facts: MachineFacts;
  results: LaneResult[];
  buildNote: string | null;
  resultsDir: string;
  wallS: number;
  /** Called only when a target is missed. */
  profileHub: () => Promise<ProfileSummary | null>;
}

/** Writes `<prefix>.json`, `<prefix>.md` and the SVG charts; returns the files and a few headline lines. */
export async function writeReport(input: ReportInput): Promise<{ files: string[]; headline: string[] }> {
  const prefix = input.profile.name === 'quick' ? 'quick' : 'latest';
  const summaries = summariseLanes(input.results, input.profile.connections);
  const comparisons = compare(summaries);
  const targets = evaluateTargets(summaries, comparisons);
  const cpuProfile = targets.some((target) => target.status === 'missed') ? await input.profileHub() : null;
  const generatedAt = new Date().toISOString();

  const charts: string[] = [];
  const svgs: [string, string | null][] = [
    [`${prefix}-throughput.svg`, throughputChart(summaries)],
    [`${prefix}-latency-json.svg`, latencyChart(summaries, 'json', 0)],
    [`${prefix}-latency-stream.svg`, latencyChart(summaries, 'stream', 0)],
    [`${prefix}-latency-json-delayed.svg`, latencyChart(summaries, 'json', input.profile.delayMs)],
  ];
  for (const [file, svg] of svgs) {
    if (!svg) continue;
    await writeFile(join(input.resultsDir, file), svg);
    charts.push(file);
  }
  const json = {
    schema: 1,
    generatedAt,
    wallS: input.wallS,
    profile: input.profile,
    machine: input.facts,
    buildNote: input.buildNote,
    targets,
    comparisons,
    summaries,
    cpuProfile,
    lanes: input.results,
  };
  await writeFile(join(input.resultsDir, `${prefix}.json`), `${JSON.stringify(json, null, 2)}\n`);
  const markdown = renderMarkdown({ ...input, summaries, comparisons, targets, cpuProfile, charts, generatedAt });
  await writeFile(join(input.resultsDir, `${prefix}.md`), markdown);

  const headline = [
    ...summaries.flatMap((lane) =>
      (['json', 'stream'] as const).flatMap((mode) => {
        const summary = lane.modes[mode];
        return summary ? [`${lane.id} ${mode}: ${summary.saturationRps.median} rps, cpu ${summary.cpuUsPerRequest.median} µs/req`] : [];
      }),
    ),
    ...targets.map((target) => `${target.status.toUpperCase()}: ${target.lane}: ${target.target} — ${target.measured}`),
  ];
  return { files: [`${prefix}.json`, `${prefix}.md`, ...charts], headline };
}
