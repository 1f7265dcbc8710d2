/**
 * Money under concurrency: many runs of one agent at once against a key's budget, and a run's own
 * `max_cost_usd` while other runs of the same agent spend beside it. Every model call is reserved at its
 * worst case before it is made, so no budget is ever passed, and a run's usage is exactly its ledger rows.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Budget, LedgerRow } from '../../src/admin/contract.js';
import { usdToPicos } from '../../src/core/index.js';
import { admin, createKey, createTenant, ledgerRows } from '../support/economy.js';
import { startTestHub, type TestHub } from '../support/hub.js';

/** Fixed usage per model call: 8 × $10/M + 20 × $30/M = $0.00068. */
const USAGE = { input_tokens: 8, output_tokens: 20 };
const CALL_COST = usdToPicos('0.00068');
/** Reserved per call: the prompt (well over 8 tokens) at $10/M plus 40 output tokens at $30/M, over $0.0012. */
const MAX_OUTPUT_TOKENS = 40;
/** Each run of `counter` makes two model calls; the key's budget covers a handful of runs at most. */
const KEY_LIMIT_USD = '0.015';
const RUN_LIMIT_USD = '0.005';
const PARALLEL_RUNS = 20;

let hub: TestHub;
let tenantId: string;
let budgetedKey: { id: string; key: string };
let openKey: { id: string; key: string };

interface RunView {
  id: string;
  status: string;
  usage: { cost_usd: string; model_calls: number };
}

async function call(key: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: RunView }> {
  const response = await fetch(`${hub.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, body: (await response.json()) as RunView };
}

const sumCost = (rows: readonly LedgerRow[]): bigint => rows.reduce((sum, row) => sum + usdToPicos(row.cost_usd), 0n);

/** Starts runs in the background all at once and waits until every one has settled. */
async function runAll(key: string, agent: string, inputs: readonly string[]): Promise<RunView[]> {
  const queued = await Promise.all(inputs.map((input) => call(key, 'POST', `/v1/agents/${agent}/runs`, { input, background: true })));
  for (const answer of queued) expect(answer.status, JSON.stringify(answer.body)).toBe(202);
  await Promise.all(queued.map((answer) => hub.hub.agents.runs.settled(tenantId, answer.body.id)));
  // The ledger rows are flushed first, so the runs' usage below includes every settled call.
  await ledgerRows(hub);
  return Promise.all(queued.map(async (answer) => (await call(key, 'GET', `/v1/runs/${answer.body.id}`)).body));
}

beforeAll(async () => {
  hub = await startTestHub({
    providers: [{ id: 'script', type: 'scripted' }],
    models: [
      {
        name: 'scripted',
        targets: [{ provider: 'script', model: 'scripted' }],
        pricing: { input_per_mtok: 10, output_per_mtok: 30 },
        max_output_tokens: MAX_OUTPUT_TOKENS,
      },
    ],
  });
  hub.hub.scripted('script').setScript([
    // The "loop" conversation never ends by itself: only its budget stops it.
    {
      when: { last_user_message_contains: 'loop' },
      tool_calls: [{ name: 'calculator', arguments: { expression: '1+1' } }],
      repeat: true,
      usage: USAGE,
    },
    { when: { last_tool_result_contains: '2' }, text: 'It is 2.', repeat: true, usage: USAGE },
    { tool_calls: [{ name: 'calculator', arguments: { expression: '1+1' } }], repeat: true, usage: USAGE },
  ]);
  tenantId = (await createTenant(hub, 'agent-budgets')).id;
  const scopes = ['agents:write', 'agents:run'];
  budgetedKey = await createKey(hub, { tenant_id: tenantId, scopes });
  openKey = await createKey(hub, { tenant_id: tenantId, scopes });
  await admin(hub, 'POST', '/admin/v1/budgets', {
    scope: 'key',
    tenant_id: tenantId,
    key_id: budgetedKey.id,
    limit_usd: KEY_LIMIT_USD,
    period: 'total',
  });
  const tools = [{ type: 'builtin', name: 'calculator' }];
  for (const agent of [
    { name: 'counter', model: 'scripted', instructions: 'You count.', tools },
    { name: 'capped', model: 'scripted', instructions: 'You count on a budget.', tools, limits: { max_cost_usd: RUN_LIMIT_USD } },
  ]) {
    const created = await call(openKey.key, 'POST', '/v1/agents', agent);
    expect(created.status, JSON.stringify(created.body)).toBe(201);
  }
});

afterAll(async () => {
  await hub?.close();
});

describe('agent runs and budgets', () => {
  it(`runs ${PARALLEL_RUNS} runs at once within the key's budget: each completes or stops budget_exceeded, billed exactly`, async () => {
    // Sampled while the runs go: the key's budget is never passed, not even for a moment.
    const samples: bigint[] = [];
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        const budgets = await admin<{ data: Budget[] }>(hub, 'GET', `/admin/v1/budgets?tenant_id=${tenantId}`);
        const budget = budgets.data.find((entry) => entry.key_id === budgetedKey.id);
        if (budget) samples.push(usdToPicos(budget.spent_usd));
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    })();
    const inputs = Array.from({ length: PARALLEL_RUNS }, (_, index) => `count ${index}`);
    const runs = await runAll(budgetedKey.key, 'counter', inputs);
    sampling = false;
    await sampler;

    const statuses = runs.map((run) => run.status);
    expect(statuses.filter((status) => status !== 'completed' && status !== 'budget_exceeded')).toEqual([]);
    const completed = statuses.filter((status) => status === 'completed').length;
    // The budget covers some runs, not all of them.
    expect(completed).toBeGreaterThanOrEqual(1);
    expect(completed).toBeLessThan(PARALLEL_RUNS);

    const rows = await ledgerRows(hub);
    const limit = usdToPicos(KEY_LIMIT_USD);
    const keySpend = sumCost(rows.filter((row) => row.key_id === budgetedKey.id));
    expect(keySpend).toBeLessThanOrEqual(limit);
    expect(samples.length).toBeGreaterThan(0);
    for (const sample of samples) expect(sample).toBeLessThanOrEqual(limit);
    const budgets = await admin<{ data: Budget[] }>(hub, 'GET', `/admin/v1/budgets?tenant_id=${tenantId}`);
    expect(usdToPicos(budgets.data.find((entry) => entry.key_id === budgetedKey.id)?.spent_usd ?? '0')).toBe(keySpend);

    for (const run of runs) {
      const ofRun = rows.filter((row) => row.run_id === run.id);
      expect(ofRun.every((row) => row.agent === 'counter' && row.key_id === budgetedKey.id)).toBe(true);
      expect(usdToPicos(run.usage.cost_usd), run.id).toBe(sumCost(ofRun));
      expect(run.usage.model_calls).toBe(ofRun.length);
      // A completed run made both its calls; a stopped one was refused before the call it could not afford.
      if (run.status === 'completed') expect(sumCost(ofRun)).toBe(2n * CALL_COST);
      else expect(ofRun.length).toBeLessThan(2);
    }
  });

  it('stops a run at its own max_cost_usd while other runs of the same agent go on to complete', async () => {
    const inputs = ['loop until the money runs out', 'count a', 'count b', 'count c', 'count d', 'count e'];
    const runs = await runAll(openKey.key, 'capped', inputs);
    const [looping, ...others] = runs;
    if (!looping) throw new Error('no run');
    expect(looping.status).toBe('budget_exceeded');
    const rows = await ledgerRows(hub);
    const loopRows = rows.filter((row) => row.run_id === looping.id);
    // It spent what its limit allowed, several calls, and never more.
    expect(loopRows.length).toBeGreaterThanOrEqual(2);
    expect(sumCost(loopRows)).toBeLessThanOrEqual(usdToPicos(RUN_LIMIT_USD));
    expect(usdToPicos(looping.usage.cost_usd)).toBe(sumCost(loopRows));
    // Each run has a limit of its own: the looping run's spending takes nothing from the others.
    for (const run of others) {
      expect(run.status, run.id).toBe('completed');
      const ofRun = rows.filter((row) => row.run_id === run.id);
      expect(sumCost(ofRun)).toBe(2n * CALL_COST);
      expect(usdToPicos(run.usage.cost_usd)).toBe(sumCost(ofRun));
    }
  });
});
