import { randomBytes } from 'node:crypto';
import { MemoryStore, replayExpectedActions, storeHash } from '../apps/support/index.js';
import { mapPooled } from '../core/index.js';
import { type AgentUnderTest, describeAgent, resolveAgent } from './agent-under-test.js';
import { EvalHubClient, type EvalTarget, type Json } from './hub-client.js';
import { settledLedger, sumRows } from './ledger.js';
import { buildReport, type EvalReport } from './report.js';
import { type EvalSuite, type EvalTask, loadSuite, selectTasks } from './suite.js';
import { rewardOf, runTrial, simulatorRequestPrefix, type TrialContext, type TrialResult } from './trial.js';

export interface RunEvalOptions {
  /** The hub: its URL and admin key (a running `tokenhub start`, or a test hub). */
  hub: EvalTarget;
  /** A suite name (`tau-retail`), a suite file, or a loaded suite. */
  suite: string | EvalSuite;
  agent: AgentUnderTest;
  /** The simulated customer's model, called through the hub. */
  userModel: string;
  /** Trials per task (k); default 1. */
  trials?: number;
  /** Task ids to run (default: all of the suite). */
  tasks?: readonly string[];
  /** Trials run at once; default 4. */
  concurrency?: number;
  /** The tenant the eval's installations, keys and spend belong to; default the tenant named `eval` (created when absent). */
  tenantId?: string;
  /** Customer messages per trial before it is cut off; default 30. */
  maxTurns?: number;
  /** Progress lines (default: to stderr). */
  progress?: (line: string) => void;
}

async function evalTenant(client: EvalHubClient, given: string | undefined): Promise<string> {
  if (given) return given;
  const tenants = await client.admin<{ data: { id: string; name: string }[] }>('GET', '/admin/v1/tenants');
  const found = tenants.data.find((tenant) => tenant.name === 'eval');
  if (found) return found.id;
  return String((await client.admin<Json>('POST', '/admin/v1/tenants', { name: 'eval' })).id);
}

/** Every hand-off task of the tenant, by thread, read with a viewer's key. */
async function handoffThreads(client: EvalHubClient, key: string): Promise<Set<string>> {
  const threads = new Set<string>();
  let after: string | undefined;
  for (;;) {
    const page = await client.request<{ data: Json[]; has_more: boolean }>(
      key,
      'GET',
      `/v1/inbox/tasks?kind=handoff&limit=100${after ? `&after=${encodeURIComponent(after)}` : ''}`,
    );
    for (const task of page.data) if (typeof task.thread_id === 'string') threads.add(task.thread_id);
    const last = page.data.at(-1);
    if (!page.has_more || !last) return threads;
    after = String(last.id);
  }
}

/**
 * Runs a suite against an agent on a hub, τ²'s way: for every task × trial a fresh store (its own
 * installation of the support app, `eval-<eval>-<task>-<trial>`, in the eval tenant), a simulated customer
 * (a model called through the hub) given the task's scenario, alternating with the agent on a thread; then
 * the rewards, pass^k, cost per success from the ledger rows of the eval's two keys (the agent's runs and the
 * simulator's calls apart), the hand-off rate, and the failures by tool and by policy rule.
 */
export async function runEval(options: RunEvalOptions): Promise<EvalReport> {
  const started = new Date();
  const progress = options.progress ?? ((line: string) => process.stderr.write(`${line}\n`));
  const client = new EvalHubClient(options.hub);
  const suite = typeof options.suite === 'string' ? loadSuite(options.suite) : options.suite;
  const tasks = selectTasks(suite, options.tasks);
  const trials = Math.max(1, options.trials ?? 1);
  const tenantId = await evalTenant(client, options.tenantId);
  const evalId = `${started.getTime().toString(36).slice(-5)}${randomBytes(2).toString('hex')}`;
  const override = await resolveAgent(client, tenantId, options.agent);

  const agentKey = await client.admin<Json>('POST', '/admin/v1/keys', {
    tenant_id: tenantId,
    name: `eval ${evalId} agent`,
    scopes: ['agents:run'],
  });
  const simulatorKey = await client.admin<Json>('POST', '/admin/v1/keys', {
    tenant_id: tenantId,
    name: `eval ${evalId} simulator`,
    scopes: ['inference'],
  });
  const viewer = await client.admin<Json>('POST', '/admin/v1/users', {
    tenant_id: tenantId,
    email: `eval-${evalId}@evals.tokenhub.invalid`,
    name: `eval ${evalId}`,
    role: 'viewer',
  });

  let freshText: Promise<string> | undefined;
  const expected = new Map<string, Promise<string>>();
  const context: TrialContext = {
    client,
    tenantId,
    agentKey: String(agentKey.key),
    simulatorKey: String(simulatorKey.key),
    agentModel: 'model' in options.agent ? options.agent.model : '',
    override,
    userModel: options.userModel,
    evalId,
    maxTurns: options.maxTurns ?? 30,
    expectedHash(task: EvalTask, freshStoreText: () => Promise<string>): Promise<string> {
      freshText ??= freshStoreText();
      let hash = expected.get(task.id);
      if (!hash) {
        hash = freshText.then(async (text) => {
          const store = MemoryStore.fromText(text);
          await replayExpectedActions(task, store);
          return storeHash(store);
        });
        expected.set(task.id, hash);
      }
      return hash;
    },
  };

  const work = tasks.flatMap((task) => Array.from({ length: trials }, (_, trial) => ({ task, trial })));
  progress(
    `eval ${evalId}: ${suite.name}, ${tasks.length} tasks × ${trials} trials, agent ${describeAgent(options.agent)}, customer ${options.userModel}`,
  );
  let done = 0;
  const results: TrialResult[] = await mapPooled(work, options.concurrency ?? 4, async ({ task, trial }) => {
    const result = await runTrial(context, task, trial);
    done += 1;
    progress(
      `[${done}/${work.length}] task ${task.id} trial ${trial}: ${result.db?.match ? 'db match' : 'db differs'}, ended ${result.end} after ${result.turns} turns` +
        `${result.error ? ` (${result.error})` : ''}`,
    );
    return result;
  });

  const ledger = await settledLedger(client, {
    tenantId,
    from: started.toISOString(),
    agentKeyId: String(agentKey.id),
    simulatorKeyId: String(simulatorKey.id),
    simulatorCalls: results.reduce((sum, result) => sum + result.simulator_calls, 0),
    agentCalls: 0,
  });
  const handoffs = await handoffThreads(client, String(viewer.key));
  for (const result of results) {
    const agentCost = sumRows(ledger.agent.filter((row) => row.thread_id !== null && row.thread_id === result.thread_id));
    const prefix = simulatorRequestPrefix(evalId, result.task_id, result.trial);
    const simulatorCost = sumRows(ledger.simulator.filter((row) => row.client_request_id?.startsWith(prefix)));
    result.cost = {
      agent_usd: agentCost.usd,
      simulator_usd: simulatorCost.usd,
      agent_tokens: { input: agentCost.input, output: agentCost.output },
      simulator_tokens: { input: simulatorCost.input, output: simulatorCost.output },
    };
    result.reward = rewardOf(result, result.thread_id !== null && handoffs.has(result.thread_id));
  }
  await Promise.allSettled([
    client.admin('DELETE', `/admin/v1/keys/${String(agentKey.id)}`),
    client.admin('DELETE', `/admin/v1/keys/${String(simulatorKey.id)}`),
  ]);

  const finished = new Date();
  const report = buildReport({
    eval_id: evalId,
    suite: suite.name,
    agent: describeAgent(override ? { name: override.name, version: override.version } : options.agent),
    user_model: options.userModel,
    tenant_id: tenantId,
    trials_per_task: trials,
    started_at: started.toISOString(),
    finished_at: finished.toISOString(),
    duration_s: (finished.getTime() - started.getTime()) / 1000,
    results,
  });
  progress(
    `eval ${evalId}: ${Object.entries(report.pass_hat_k)
      .map(([k, value]) => `pass^${k} ${value.toFixed(3)}`)
      .join(', ')}; ${report.successes}/${report.trials} trials; $${report.cost.total_usd} in all`,
  );
  return report;
}
