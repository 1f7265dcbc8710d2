import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { addUsd, divideUsd } from './ledger.js';
import { passHatKs } from './pass-k.js';
import type { TrialResult } from './trial.js';

/** An eval's report, as `report.json` holds it. */
export interface EvalReport {
  object: 'eval.report';
  eval_id: string;
  suite: string;
  agent: string;
  user_model: string;
  tenant_id: string;
  trials_per_task: number;
  tasks: number;
  trials: number;
  successes: number;
  started_at: string;
  finished_at: string;
  duration_s: number;
  /** τ-bench's pass^k for k = 1 … trials_per_task. */
  pass_hat_k: Record<string, number>;
  average_reward: number;
  /** From the ledger rows of the eval's keys: the agent's runs and the simulator's calls, apart. */
  cost: {
    agent_usd: string;
    simulator_usd: string;
    total_usd: string;
    /** The agent's cost over the successful trials (null when none succeeded). */
    agent_usd_per_success: string | null;
    total_usd_per_success: string | null;
  };
  tokens: { agent: { input: number; output: number }; simulator: { input: number; output: number } };
  /** Trials in which the agent handed the conversation to a person. */
  handoff_rate: number;
  failures: {
    /** Tool calls that failed, by tool (policy refusals included). */
    by_tool: Record<string, number>;
    /** Tool calls the policy refused, by rule. */
    by_policy_rule: Record<string, number>;
    /** How trials ended: stop, handoff, max_turns, agent_error, error… */
    by_end: Record<string, number>;
  };
  results: TrialResult[];
}

const count = (map: Record<string, number>, key: string): void => {
  map[key] = (map[key] ?? 0) + 1;
};

export function buildReport(
  header: Omit<
    EvalReport,
    'object' | 'pass_hat_k' | 'average_reward' | 'successes' | 'trials' | 'tasks' | 'cost' | 'tokens' | 'handoff_rate' | 'failures'
  >,
): EvalReport {
  const results = header.results;
  const outcomes = new Map<string, boolean[]>();
  for (const result of results) outcomes.set(result.task_id, [...(outcomes.get(result.task_id) ?? []), result.reward === 1]);
  const successes = results.filter((result) => result.reward === 1).length;
  const agentUsd = addUsd('0', ...results.map((result) => result.cost.agent_usd));
  const simulatorUsd = addUsd('0', ...results.map((result) => result.cost.simulator_usd));
  const totalUsd = addUsd(agentUsd, simulatorUsd);
  const byTool: Record<string, number> = {};
  const byRule: Record<string, number> = {};
  const byEnd: Record<string, number> = {};
  for (const result of results) {
    count(byEnd, result.end);
    for (const call of result.tool_calls) {
      if (call.ok) continue;
      count(byTool, call.tool);
      if (call.refused_by) count(byRule, call.refused_by);
    }
  }
  const sum = (pick: (result: TrialResult) => number): number => results.reduce((total, result) => total + pick(result), 0);
  return {
    object: 'eval.report',
    ...header,
    tasks: outcomes.size,
    trials: results.length,
    successes,
    pass_hat_k: passHatKs(outcomes, header.trials_per_task),
    average_reward: results.length === 0 ? 0 : successes / results.length,
    cost: {
      agent_usd: agentUsd,
      simulator_usd: simulatorUsd,
      total_usd: totalUsd,
      agent_usd_per_success: divideUsd(agentUsd, successes),
      total_usd_per_success: divideUsd(totalUsd, successes),
    },
    tokens: {
      agent: { input: sum((result) => result.cost.agent_tokens.input), output: sum((result) => result.cost.agent_tokens.output) },
      simulator: {
        input: sum((result) => result.cost.simulator_tokens.input),
        output: sum((result) => result.cost.simulator_tokens.output),
      },
    },
    handoff_rate: results.length === 0 ? 0 : results.filter((result) => result.handed_off).length / results.length,
    failures: { by_tool: byTool, by_policy_rule: byRule, by_end: byEnd },
    results,
  };
}

const percent = (value: number): string => `${(value * 100).toFixed(1)}%`;
const tally = (map: Record<string, number>): string =>
  Object.keys(map).length === 0
    ? 'none'
    : Object.entries(map)
        .sort((a, b) => b[1] - a[1])
        .map(([key, value]) => `${key} ${value}`)
        .join(', ');

/** The report as a Markdown page: the headline table, failures, and one row per trial. */
export function reportMarkdown(report: EvalReport): string {
  const ks = Object.keys(report.pass_hat_k);
  const lines = [
    `# Eval ${report.eval_id}: ${report.suite}`,
    '',
    `Agent \`${report.agent}\`, simulated customer \`${report.user_model}\`, ${report.tasks} tasks × ${report.trials_per_task} trials, ${report.duration_s.toFixed(1)} s.`,
    '',
    `| ${ks.map((k) => `pass^${k}`).join(' | ')} | avg reward | cost / success (agent) | cost / success (total) | hand-off rate |`,
    `| ${ks.map(() => '---:').join(' | ')} | ---: | ---: | ---: | ---: |`,
    `| ${ks.map((k) => (report.pass_hat_k[k] ?? 0).toFixed(3)).join(' | ')} | ${report.average_reward.toFixed(3)} | ${report.cost.agent_usd_per_success ?? '–'} | ${report.cost.total_usd_per_success ?? '–'} | ${percent(report.handoff_rate)} |`,
    '',
    `Cost: agent $${report.cost.agent_usd} (${report.tokens.agent.input} in / ${report.tokens.agent.output} out tokens), simulator $${report.cost.simulator_usd} (${report.tokens.simulator.input} in / ${report.tokens.simulator.output} out).`,
    '',
    `Failed tool calls by tool: ${tally(report.failures.by_tool)}.`,
    `Refusals by policy rule: ${tally(report.failures.by_policy_rule)}.`,
    `Trials ended by: ${tally(report.failures.by_end)}.`,
    '',
    '| task | trial | reward | end | turns | db | outputs | hand-off | agent $ | simulator $ |',
    '| --- | ---: | ---: | --- | ---: | --- | --- | --- | ---: | ---: |',
    ...report.results.map(
      (result) =>
        `| ${result.task_id} | ${result.trial} | ${result.reward} | ${result.end}${result.error ? ` (${result.error.replaceAll('|', '/').slice(0, 80)})` : ''} | ${result.turns} | ${result.db ? (result.db.match ? 'match' : 'differs') : '–'} | ${result.outputs.filter((output) => output.met).length}/${result.outputs.length} | ${result.handed_off ? 'yes' : 'no'}${result.transfer_expected ? ' (expected)' : ''} | ${result.cost.agent_usd} | ${result.cost.simulator_usd} |`,
    ),
    '',
  ];
  return lines.join('\n');
}

const escapeXml = (text: string): string => text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');

/** pass^k by k as a bar chart: a hand-written SVG, no dependencies. */
export function passHatKSvg(report: EvalReport): string {
  const ks = Object.keys(report.pass_hat_k);
  const bar = 48;
  const gap = 24;
  const height = 200;
  const left = 40;
  const top = 30;
  const width = left + ks.length * (bar + gap) + gap;
  const bars = ks.map((k, index) => {
    const value = report.pass_hat_k[k] ?? 0;
    const barHeight = Math.round(value * height);
    const x = left + gap + index * (bar + gap);
    const y = top + height - barHeight;
    return [
      `<rect x="${x}" y="${y}" width="${bar}" height="${barHeight}" fill="#2563eb"><title>pass^${k} = ${value.toFixed(3)}</title></rect>`,
      `<text x="${x + bar / 2}" y="${y - 6}" text-anchor="middle" font-size="12">${value.toFixed(2)}</text>`,
      `<text x="${x + bar / 2}" y="${top + height + 18}" text-anchor="middle" font-size="12">k=${k}</text>`,
    ].join('');
  });
  const axis = [0, 0.5, 1]
    .map((tick) => {
      const y = top + height - tick * height;
      return `<line x1="${left}" x2="${width}" y1="${y}" y2="${y}" stroke="#d1d5db"/><text x="${left - 6}" y="${y + 4}" text-anchor="end" font-size="11">${tick}</text>`;
    })
    .join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${top + height + 40}" viewBox="0 0 ${width} ${top + height + 40}" font-family="system-ui, sans-serif" role="img" aria-label="pass^k by k">
<title>${escapeXml(`pass^k of ${report.agent} on ${report.suite}`)}</title>
<text x="${left}" y="18" font-size="13">${escapeXml(`pass^k: ${report.agent} on ${report.suite}`)}</text>
${axis}
${bars.join('\n')}
</svg>
`;
}

/** Writes `report.json`, `report.md` and `pass-k.svg` under `dir`; answers the paths. */
export async function writeReport(dir: string, report: EvalReport): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const files: [string, string][] = [
    ['report.json', `${JSON.stringify(report, null, 2)}\n`],
    ['report.md', reportMarkdown(report)],
    ['pass-k.svg', passHatKSvg(report)],
  ];
  await Promise.all(files.map(([name, text]) => writeFile(join(dir, name), text)));
  return files.map(([name]) => join(dir, name));
}
