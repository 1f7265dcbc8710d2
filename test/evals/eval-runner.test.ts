/**
 * The eval runner end to end on a test hub with two scripted models — the agent's and the simulated
 * customer's, on two scripted providers with different prices — for three tasks × two trials: a return
 * that succeeds twice, a cancellation whose second customer stops before saying yes (the store then differs),
 * and a transfer to a person. The report's pass^1, pass^2, hand-off rate and cost per success are asserted,
 * the costs against the hub's own ledger rows; then the gate, and a new case made from a trial's thread.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryStore, retailDbText } from '../../src/apps/support/index.js';
import {
  activateAgent,
  appendCase,
  caseFromThread,
  EvalHubClient,
  type EvalReport,
  type EvalSuite,
  type EvalTask,
  gateDecision,
  oracleConversation,
  runEval,
  STOP,
  writeReport,
} from '../../src/evals/index.js';
import { admin, createTenant, ledgerRows } from '../support/economy.js';
import { startTestHub, type TestHub } from '../support/hub.js';

type Json = Record<string, unknown>;
const AGENT_USAGE = { input_tokens: 100, output_tokens: 10 };
const USER_USAGE = { input_tokens: 50, output_tokens: 5 };

const scenario = (reason: string, known: string): EvalTask['user_scenario'] => ({
  persona: null,
  instructions: { domain: 'retail', reason_for_call: reason, known_info: known, unknown_info: null, task_instructions: 'Be brief.' },
});

const TASKS: EvalTask[] = [
  {
    id: 'return',
    user_scenario: scenario('Return the item of order #W4680753 to your PayPal.', 'You are raj.santos4322@example.com.'),
    evaluation_criteria: {
      actions: [
        { name: 'find_user_id_by_email', arguments: { email: 'raj.santos4322@example.com' } },
        {
          name: 'return_delivered_order_items',
          arguments: { order_id: '#W4680753', item_ids: ['9690244451'], payment_method_id: 'paypal_2417743' },
        },
      ],
      communicate_info: ['refund to paypal_2417743'],
    },
  },
  {
    id: 'cancel',
    user_scenario: scenario('Cancel order #W6247578, you no longer need it.', 'You are Yusuf Rossi, zip 19122.'),
    evaluation_criteria: {
      actions: [
        { name: 'find_user_id_by_name_zip', arguments: { first_name: 'Yusuf', last_name: 'Rossi', zip: '19122' } },
        { name: 'cancel_pending_order', arguments: { order_id: '#W6247578', reason: 'no longer needed' } },
      ],
    },
  },
  {
    id: 'angry',
    user_scenario: scenario('You are furious about a late delivery and want a person.', 'Nothing.'),
    evaluation_criteria: { actions: [{ name: 'transfer_to_human_agents', arguments: { summary: 'Angry customer, late delivery.' } }] },
  },
];
const SUITE: EvalSuite = { name: 'runner-test', path: '(inline)', tasks: TASKS };

let hub: TestHub;
let tenantId: string;
let report: EvalReport;
let outDir: string;
const progress: string[] = [];

beforeAll(async () => {
  hub = await startTestHub({
    providers: [
      { id: 'agent-script', type: 'scripted' },
      { id: 'user-script', type: 'scripted' },
    ],
    models: [
      {
        name: 'agent-model',
        targets: [{ provider: 'agent-script', model: 'scripted' }],
        pricing: { input_per_mtok: 1, output_per_mtok: 2 },
      },
      { name: 'user-model', targets: [{ provider: 'user-script', model: 'scripted' }], pricing: { input_per_mtok: 3, output_per_mtok: 4 } },
    ],
  });
  tenantId = (await createTenant(hub, 'eval')).id;
  await admin(hub, 'POST', '/admin/v1/agents', {
    tenant_id: tenantId,
    name: 'candidate',
    model: 'agent-model',
    instructions: 'Version 1.',
  });

  // With one trial at a time the two scripts are played in the runner's order: task by task, trial by trial.
  const agentSteps: Json[] = [];
  const userSteps: Json[] = [];
  for (const task of TASKS) {
    const turns = await oracleConversation(task, MemoryStore.fromText(retailDbText()));
    for (const trial of [0, 1]) {
      const stopsEarly = task.id === 'cancel' && trial === 1;
      for (const [index, turn] of turns.entries()) {
        if (stopsEarly && index > 0) break;
        userSteps.push({ text: turn.customer, usage: USER_USAGE });
        agentSteps.push(...turn.agent.map((step) => ({ ...step, usage: AGENT_USAGE })));
      }
      if (task.id !== 'angry') userSteps.push({ text: STOP, usage: USER_USAGE });
    }
  }
  hub.hub.scripted('agent-script').setScript(agentSteps);
  hub.hub.scripted('user-script').setScript(userSteps);

  report = await runEval({
    hub,
    suite: SUITE,
    agent: { name: 'candidate' },
    userModel: 'user-model',
    trials: 2,
    concurrency: 1,
    tenantId,
    progress: (line) => progress.push(line),
  });
  outDir = await mkdtemp(join(tmpdir(), 'tokenhub-eval-'));
}, 240_000);

afterAll(async () => {
  if (outDir) await rm(outDir, { recursive: true, force: true });
  await hub?.close();
});

describe('runEval with scripted agent and customer', () => {
  it('scores each trial as τ² does and estimates pass^k', () => {
    expect(
      report.results.map((result) => [result.task_id, result.trial, result.reward, result.end, result.db?.match, result.handed_off]),
    ).toEqual([
      ['return', 0, 1, 'stop', true, false],
      ['return', 1, 1, 'stop', true, false],
      ['cancel', 0, 1, 'stop', true, false],
      ['cancel', 1, 0, 'stop', false, false],
      ['angry', 0, 1, 'handoff', true, true],
      ['angry', 1, 1, 'handoff', true, true],
    ]);
    expect(report.results[0]?.outputs).toEqual([{ info: 'refund to paypal_2417743', met: true }]);
    expect(report.successes).toBe(5);
    expect(report.pass_hat_k['1']).toBeCloseTo((1 + 0.5 + 1) / 3, 10);
    expect(report.pass_hat_k['2']).toBeCloseTo((1 + 0 + 1) / 3, 10);
    expect(report.handoff_rate).toBeCloseTo(2 / 6, 10);
    expect(report.agent).toBe('candidate@1');
    expect(hub.hub.scripted('agent-script').remaining()).toBe(0);
    expect(hub.hub.scripted('user-script').remaining()).toBe(0);
    expect(progress.filter((line) => /^\[\d\/6\] task /.test(line))).toHaveLength(6);
  });

  it('takes the costs from the ledger: the agent and the simulator apart, per success', async () => {
    // 16 agent calls at 100 in / 10 out tokens ($1 and $2 per Mtok), 13 simulator calls at 50 / 5 ($3 and $4).
    expect(report.cost).toEqual({
      agent_usd: '0.00192',
      simulator_usd: '0.00221',
      total_usd: '0.00413',
      agent_usd_per_success: '0.000384',
      total_usd_per_success: '0.000826',
    });
    expect(report.tokens).toEqual({ agent: { input: 1600, output: 160 }, simulator: { input: 650, output: 65 } });
    const rows = (await ledgerRows(hub)).filter((row) => row.tenant_id === tenantId);
    const sum = (models: string) =>
      rows.filter((row) => row.model_requested === models).reduce((total, row) => total + Number(row.cost_usd), 0);
    expect(sum('agent-model')).toBeCloseTo(0.00192, 12);
    expect(sum('user-model')).toBeCloseTo(0.00221, 12);
  });

  it('counts refusals and failed tools by rule and by tool', () => {
    expect(report.failures.by_policy_rule).toEqual({});
    expect(report.failures.by_end).toEqual({ stop: 4, handoff: 2 });
    expect(report.results[0]?.tool_calls.map((call) => [call.tool, call.ok])).toEqual([
      ['find_user_id_by_email', true],
      ['return_delivered_order_items', true],
    ]);
  });

  it('writes the report as JSON, Markdown and an SVG chart', async () => {
    const files = await writeReport(outDir, report);
    expect(files.map((file) => file.slice(outDir.length + 1))).toEqual(['report.json', 'report.md', 'pass-k.svg']);
    expect(JSON.parse(await readFile(join(outDir, 'report.json'), 'utf8'))).toMatchObject({ object: 'eval.report', successes: 5 });
    expect(await readFile(join(outDir, 'report.md'), 'utf8')).toContain('| 0.833 | 0.667 |');
    expect(await readFile(join(outDir, 'pass-k.svg'), 'utf8')).toMatch(/^<svg[\s\S]*pass\^2 = 0\.667[\s\S]*<\/svg>\n$/);
  });

  it('gates: below the bar nothing is activated; at the bar the candidate version is', async () => {
    const updated = await admin<Json>(hub, 'PUT', `/admin/v1/agents/candidate?tenant_id=${tenantId}`, {
      model: 'agent-model',
      instructions: 'Version 2.',
    });
    expect(updated).toMatchObject({ latest_version: 2 });
    // The candidate waits inactive behind version 1 until the gate lets it through.
    await admin(hub, 'POST', `/admin/v1/agents/candidate/activate?tenant_id=${tenantId}`, { version: 1 });
    expect(gateDecision(report, 0.9)).toMatchObject({ pass: false });
    const decision = gateDecision(report, 0.8);
    expect(decision).toMatchObject({ pass: true });
    const activated = await activateAgent(new EvalHubClient(hub), tenantId, 'candidate', 2);
    expect(activated).toMatchObject({ active_version: 2 });
  });

  it('turns a thread into a new case: the customer’s messages and the writes its runs made', async () => {
    const thread = report.results.find((result) => result.task_id === 'cancel' && result.trial === 0)?.thread_id as string;
    const task = await caseFromThread(new EvalHubClient(hub), { tenantId, threadId: thread, taskId: 'from-thread' });
    expect(task.evaluation_criteria?.actions).toEqual([
      {
        action_id: 'from-thread_0',
        name: 'cancel_pending_order',
        arguments: { order_id: '#W6247578', reason: 'no longer needed' },
        info: null,
      },
    ]);
    expect(JSON.stringify(task.user_scenario)).toContain('Yes, please proceed.');
    const file = join(outDir, 'suite.json');
    expect(await appendCase(file, task)).toBe(1);
    await expect(appendCase(file, task)).rejects.toThrow(/has a task from-thread already/);
  });
});
