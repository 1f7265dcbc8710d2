/**
 * `npm run bench:agents`: the agent lane (issue 11), in process on the scripted provider, whose model
 * answers at once and whose builtin calculator takes microseconds, so what is timed is the hub itself.
 *
 * 1. Memory of paused runs (measured first, on a fresh process): `paused` runs that wait for approval,
 *    RSS and heap before and after (GC forced when `--expose-gc` is given), and the check that they hold
 *    no engine slot and no lease.
 * 2. Hub time per agent step: runs of `turns` model calls (each but the last asking for the builtin
 *    calculator), one run at a time, interleaved with the baseline — the same number of plain
 *    `/v1/chat/completions` calls to the same scripted model. Wall and CPU time per model call on
 *    both sides; the ratio is what the run machinery (leases, persisted steps, events, tools) adds.
 *
 *   node --expose-gc --import tsx bench/agents.ts [--quick]
 *
 * Writes bench/results/agents-latest.{md,json} (`--quick`: agents-quick.json, and prints the report).
 */
import { writeFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createKey, createTenant } from '../test/support/economy.js';
import { startTestHub, type TestHub } from '../test/support/hub.js';
import { machineFacts } from './machine.js';
import { round } from './stats.js';

const { values } = parseArgs({ options: { quick: { type: 'boolean', default: false } } });

interface AgentProfile {
  name: 'full' | 'quick';
  /** Measured agent runs (and as many baseline batches). */
  runs: number;
  /** Model calls per run: `turns - 1` calculator turns and a final answer. */
  turns: number;
  warmupRuns: number;
  paused: number;
  /** Paused runs started at once. */
  pauseConcurrency: number;
}

const FULL: AgentProfile = { name: 'full', runs: 50, turns: 10, warmupRuns: 5, paused: 1_000, pauseConcurrency: 8 };
const QUICK: AgentProfile = { name: 'quick', runs: 20, turns: 10, warmupRuns: 3, paused: 1_000, pauseConcurrency: 8 };
const profile = values.quick ? QUICK : FULL;

const benchDir = dirname(fileURLToPath(import.meta.url));
const rootDir = resolve(benchDir, '..');
const startedAt = Date.now();
const log = (line: string): void => {
  process.stdout.write(`[${((Date.now() - startedAt) / 1000).toFixed(1).padStart(6)} s] ${line}\n`);
};

const gc = (globalThis as { gc?: () => void }).gc;

/** Per model call, over the measured runs (or baseline batches). */
interface StepStats {
  /** Wall µs per model call: median and p95 over runs (each sample is one run's mean). */
  wallP50Us: number;
  wallP95Us: number;
  /** Process CPU (user + system) µs per model call over all measured runs. */
  cpuUs: number;
  modelCalls: number;
}

interface MemorySnapshot {
  rssMiB: number;
  heapUsedMiB: number;
  externalMiB: number;
}

interface AgentResults {
  profile: AgentProfile;
  generatedAt: string;
  wallS: number;
  gcForced: boolean;
  machine: ReturnType<typeof machineFacts>;
  steps: { agent: StepStats; baseline: StepStats; ratio: { wallP50: number; wallP95: number; cpu: number } };
  paused: {
    count: number;
    waitingApproval: number;
    engineRunning: number;
    leasesHeld: number;
    before: MemorySnapshot;
    after: MemorySnapshot;
    perRunKiB: { rss: number; heapUsed: number; external: number };
    createS: number;
  };
}

function nearestRank(samples: readonly number[], q: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? Number.NaN;
}

function cpuMicros(): number {
  const usage = process.cpuUsage();
  return usage.user + usage.system;
}

function memory(): MemorySnapshot {
  gc?.();
  gc?.();
  const usage = process.memoryUsage();
  const mib = (bytes: number): number => round(bytes / 2 ** 20);
  return { rssMiB: mib(usage.rss), heapUsedMiB: mib(usage.heapUsed), externalMiB: mib(usage.external) };
}

async function post(hub: TestHub, key: string, path: string, body: unknown): Promise<Record<string, unknown>> {
  const response = await fetch(`${hub.url}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`POST ${path} → ${response.status}: ${text}`);
  return JSON.parse(text) as Record<string, unknown>;
}

const CALCULATOR_TURN = { tool_calls: [{ name: 'calculator', arguments: { expression: '1+1' } }] };

/** One agent run of `turns` model calls; returns its wall µs. */
async function agentRun(hub: TestHub, key: string): Promise<number> {
  hub.hub.scripted('script').setScript([...Array.from({ length: profile.turns - 1 }, () => CALCULATOR_TURN), { text: 'done' }]);
  const started = performance.now();
  const run = await post(hub, key, '/v1/agents/stepper/runs', { input: 'Add one and one, again and again.' });
  const wallUs = (performance.now() - started) * 1000;
  if (run.status !== 'completed') throw new Error(`agent run ended ${String(run.status)}: ${JSON.stringify(run)}`);
  return wallUs;
}

/** The baseline batch: `turns` plain chat calls to the same scripted model, one after another; returns wall µs. */
async function baselineBatch(hub: TestHub, key: string): Promise<number> {
  hub.hub.scripted('script').setScript([{ text: 'done', repeat: true }]);
  const started = performance.now();
  for (let call = 0; call < profile.turns; call++) {
    await post(hub, key, '/v1/chat/completions', { model: 'scripted', messages: [{ role: 'user', content: 'Add one and one.' }] });
  }
  return (performance.now() - started) * 1000;
}

async function measureSteps(hub: TestHub, key: string): Promise<AgentResults['steps']> {
  for (let run = 0; run < profile.warmupRuns; run++) {
    await agentRun(hub, key);
    await baselineBatch(hub, key);
  }
  const agentSamples: number[] = [];
  const baselineSamples: number[] = [];
  let agentCpu = 0;
  let baselineCpu = 0;
  // Interleaved, so that drifting load from other work on the machine falls on both sides alike.
  for (let run = 0; run < profile.runs; run++) {
    let cpu = cpuMicros();
    agentSamples.push((await agentRun(hub, key)) / profile.turns);
    agentCpu += cpuMicros() - cpu;
    cpu = cpuMicros();
    baselineSamples.push((await baselineBatch(hub, key)) / profile.turns);
    baselineCpu += cpuMicros() - cpu;
  }
  const modelCalls = profile.runs * profile.turns;
  const stats = (samples: number[], cpu: number): StepStats => ({
    wallP50Us: round(nearestRank(samples, 0.5)),
    wallP95Us: round(nearestRank(samples, 0.95)),
    cpuUs: round(cpu / modelCalls),
    modelCalls,
  });
  const agent = stats(agentSamples, agentCpu);
  const baseline = stats(baselineSamples, baselineCpu);
  return {
    agent,
    baseline,
    ratio: {
      wallP50: round(agent.wallP50Us / baseline.wallP50Us, 2),
      wallP95: round(agent.wallP95Us / baseline.wallP95Us, 2),
      cpu: round(agent.cpuUs / baseline.cpuUs, 2),
    },
  };
}

async function measurePaused(hub: TestHub, key: string): Promise<AgentResults['paused']> {
  hub.hub.scripted('script').setScript([{ tool_calls: [{ name: 'current_time', arguments: {} }], repeat: true }]);
  // One run first, so that what is loaded once (routes, prepared statements) is not counted per run.
  await post(hub, key, '/v1/agents/pauser/runs', { input: 'What time is it?' });
  const before = memory();
  const started = performance.now();
  let next = 1;
  const worker = async (): Promise<void> => {
    while (next < profile.paused) {
      next++;
      const run = await post(hub, key, '/v1/agents/pauser/runs', { input: 'What time is it?' });
      if (run.status !== 'waiting_approval') throw new Error(`run did not pause: ${JSON.stringify(run)}`);
    }
  };
  await Promise.all(Array.from({ length: profile.pauseConcurrency }, worker));
  const createS = round((performance.now() - started) / 1000);
  const after = memory();
  const count = async (sql: string): Promise<number> => Number((await hub.hub.db.query<{ count: string | number }>(sql))[0]?.count ?? 0);
  const waitingApproval = await count(`select count(*) as count from runs where status = 'waiting_approval'`);
  const leasesHeld = await count('select count(*) as count from runs where lease_owner is not null');
  const kib = (mib: number): number => round((mib * 1024) / (profile.paused - 1));
  return {
    count: profile.paused,
    waitingApproval,
    engineRunning: hub.hub.agents.engine.running,
    leasesHeld,
    before,
    after,
    perRunKiB: {
      rss: kib(after.rssMiB - before.rssMiB),
      heapUsed: kib(after.heapUsedMiB - before.heapUsedMiB),
      external: kib(after.externalMiB - before.externalMiB),
    },
    createS,
  };
}

function markdown(results: AgentResults): string {
  const { steps, paused, machine } = results;
  const row = (label: string, stats: StepStats): string =>
    `| ${label} | ${stats.wallP50Us} | ${stats.wallP95Us} | ${stats.cpuUs} | ${stats.modelCalls} |`;
  return `# TokenHub benchmark — agent lane (${results.profile.name} profile)

Generated ${results.generatedAt} by \`npm run bench:agents${results.profile.name === 'quick' ? ' -- --quick' : ''}\` in ${results.wallS} s.

- Machine: ${machine.cpuModel}, ${machine.cores} cores, ${machine.memoryGiB} GiB; Node ${machine.node}; commit ${machine.commit}
- 1-minute load average ${machine.loadAverage.start} at the start and ${machine.loadAverage.end} at the end; other work may share these cores, so compare the ratios, not the absolute numbers.
- In process: hub (PGlite in memory), scripted provider and client share one Node process; CPU is that process's user + system time, the client's share included on both sides.

## Hub time per agent step

${results.profile.runs} runs of ${results.profile.turns} model calls (${results.profile.turns - 1} asking for the builtin calculator, then a final answer), one run at a time, interleaved with as many baseline batches of ${results.profile.turns} plain \`/v1/chat/completions\` calls to the same scripted model. A sample is one run's (batch's) wall time divided by its model calls.

| side | wall p50 µs / step | wall p95 µs / step | CPU µs / step | model calls |
|---|---|---|---|---|
${row('agent run', steps.agent)}
${row('baseline: chat completion', steps.baseline)}

Agent / baseline: wall p50 **${steps.ratio.wallP50}×**, wall p95 ${steps.ratio.wallP95}×, CPU **${steps.ratio.cpu}×**.

## ${paused.count} paused runs

Runs that ask for a tool with \`approval: always\` and wait for approval (${results.profile.pauseConcurrency} started at a time, ${paused.createS} s in all). GC ${results.gcForced ? 'forced (`--expose-gc`) before each snapshot' : '**not** forced (run with `node --expose-gc`)'}; the in-memory PGlite database lives in the same process, so RSS includes the stored runs and steps.

| | RSS MiB | heap used MiB | external MiB |
|---|---|---|---|
| before | ${paused.before.rssMiB} | ${paused.before.heapUsedMiB} | ${paused.before.externalMiB} |
| after | ${paused.after.rssMiB} | ${paused.after.heapUsedMiB} | ${paused.after.externalMiB} |
| **per paused run (KiB)** | **${paused.perRunKiB.rss}** | **${paused.perRunKiB.heapUsed}** | ${paused.perRunKiB.external} |

- Runs waiting for approval: ${paused.waitingApproval}
- Runs the engine holds in memory: **${paused.engineRunning}**
- Leases held (\`select count(*) from runs where lease_owner is not null\`): **${paused.leasesHeld}**
`;
}

async function main(): Promise<void> {
  const facts = machineFacts(rootDir, 'none (in process)');
  log(`agent lane, ${profile.name} profile, on ${facts.cpuModel} × ${facts.cores}, node ${facts.node}, GC ${gc ? 'forced' : 'not forced'}`);
  const hub = await startTestHub({
    providers: [{ id: 'script', type: 'scripted' }],
    models: [
      { name: 'scripted', targets: [{ provider: 'script', model: 'scripted' }], pricing: { input_per_mtok: 10, output_per_mtok: 30 } },
    ],
  });
  try {
    const tenant = await createTenant(hub, 'bench-agents');
    const key = (await createKey(hub, { tenant_id: tenant.id, scopes: ['inference', 'agents:write', 'agents:run'] })).key;
    const agentBody = (name: string, tools: unknown[]) => ({ name, model: 'scripted', instructions: `You are ${name}.`, tools });
    await post(hub, key, '/v1/agents', agentBody('stepper', [{ type: 'builtin', name: 'calculator' }]));
    await post(hub, key, '/v1/agents', agentBody('pauser', [{ type: 'builtin', name: 'current_time', approval: 'always' }]));

    // Memory first, on a fresh process: the step phase's garbage would otherwise leave RSS to shrink under it.
    log(`memory of ${profile.paused} paused runs`);
    const paused = await measurePaused(hub, key);
    log(
      `per paused run: ${paused.perRunKiB.rss} KiB RSS, ${paused.perRunKiB.heapUsed} KiB heap; engine running ${paused.engineRunning}, leases ${paused.leasesHeld}`,
    );
    log(`hub time per step: ${profile.runs} runs × ${profile.turns} model calls, interleaved with the baseline`);
    const steps = await measureSteps(hub, key);
    log(
      `agent p50 ${steps.agent.wallP50Us} µs/step, baseline ${steps.baseline.wallP50Us} µs/call → ${steps.ratio.wallP50}× wall, ${steps.ratio.cpu}× CPU`,
    );

    facts.loadAverage.end = Math.round((loadavg()[0] ?? 0) * 100) / 100;
    const results: AgentResults = {
      profile,
      generatedAt: new Date().toISOString(),
      wallS: Math.round((Date.now() - startedAt) / 1000),
      gcForced: gc !== undefined,
      machine: facts,
      steps,
      paused,
    };
    const resultsDir = join(benchDir, 'results');
    const report = markdown(results);
    if (profile.name === 'quick') {
      await writeFile(join(resultsDir, 'agents-quick.json'), `${JSON.stringify(results, null, 2)}\n`);
      process.stdout.write(`\n${report}`);
      log('wrote bench/results/agents-quick.json');
    } else {
      await writeFile(join(resultsDir, 'agents-latest.json'), `${JSON.stringify(results, null, 2)}\n`);
      await writeFile(join(resultsDir, 'agents-latest.md'), report);
      log('wrote bench/results/agents-latest.md, bench/results/agents-latest.json');
    }
  } finally {
    await hub.close();
  }
}

await main();
