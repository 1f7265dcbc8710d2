/**
 * The runs list (`GET /v1/runs`) and the run timeline's figures over HTTP, on the real hub: filters, keyset
 * pages, one tenant never seeing another's runs, and every run's cost, tokens and model calls exactly its
 * ledger rows; each model step of `GET /v1/runs/:id` carries its own ledger row's tokens, cost and latency.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, createPerson, type Json, SCRIPTED_CONFIG } from '../../../test/inbox/inbox-support.js';
import { createKey, createTenant, ledgerRows } from '../../../test/support/economy.js';
import { startTestHub, type TestHub } from '../../../test/support/hub.js';
import { picosToUsd, usdToPicos } from '../../core/index.js';
import { runPage } from '../../storage/index.js';
import type { RunDto as Run, RunSummaryDto as RunSummary } from '../run-view.js';

interface RunPage {
  object: 'list';
  data: RunSummary[];
  next_cursor: string | null;
  has_more: boolean;
}
type LedgerRow = Awaited<ReturnType<typeof ledgerRows>>[number];

let hub: TestHub;
let tenantA: string;
let keyA: string;
let keyB: string;
/** Tenant A's runs, oldest first. */
const runsA: { id: string; agent: string; status: string }[] = [];
let runB: string;
/** Between tenant A's third and fourth run. */
let midway: string;

const calculatorTurns = (expression: string) => [
  { tool_calls: [{ name: 'calculator', arguments: { expression } }], usage: { input_tokens: 40, output_tokens: 7 } },
  { text: 'The answer is ready.', usage: { input_tokens: 60, output_tokens: 5 } },
];

async function runAgent(key: string, agent: string, script: Json[], input = 'Please work it out'): Promise<Json> {
  hub.hub.scripted('script').setScript(script as never);
  const run = await call(hub, 'POST', `/v1/agents/${agent}/runs`, { input }, key);
  expect(run.status, JSON.stringify(run.body)).toBe(200);
  return run.body;
}

const list = async (query: string, key = keyA): Promise<RunPage> => {
  const answer = await call(hub, 'GET', `/v1/runs${query}`, undefined, key);
  expect(answer.status, JSON.stringify(answer.body)).toBe(200);
  return answer.body as unknown as RunPage;
};

const sumUsd = (values: string[]): string => picosToUsd(values.reduce((sum, value) => sum + usdToPicos(value), 0n));

beforeAll(async () => {
  hub = await startTestHub(SCRIPTED_CONFIG);
  tenantA = (await createTenant(hub, 'runs-list-a')).id;
  const tenantB = (await createTenant(hub, 'runs-list-b')).id;
  keyA = (await createKey(hub, { tenant_id: tenantA, scopes: ['agents:write', 'agents:run'] })).key;
  keyB = (await createKey(hub, { tenant_id: tenantB, scopes: ['agents:write', 'agents:run'] })).key;
  const agent = (name: string, tools: Json[]) => ({ name, model: 'scripted', instructions: `You are ${name}.`, tools });
  for (const [key, body] of [
    [keyA, agent('alpha', [{ type: 'builtin', name: 'calculator' }])],
    [keyA, agent('beta', [])],
    [keyA, agent('careful', [{ type: 'builtin', name: 'calculator', approval: 'always' }])],
    [keyB, agent('alpha', [{ type: 'builtin', name: 'calculator' }])],
  ] as const) {
    const created = await call(hub, 'POST', '/v1/agents', body, key);
    expect(created.status, JSON.stringify(created.body)).toBe(201);
  }
  const record = (body: Json, agentName: string) => runsA.push({ id: String(body.id), agent: agentName, status: String(body.status) });
  record(await runAgent(keyA, 'alpha', calculatorTurns('6 * 7')), 'alpha');
  record(await runAgent(keyA, 'beta', [{ text: 'Hello.', usage: { input_tokens: 11, output_tokens: 3 } }]), 'beta');
  record(await runAgent(keyA, 'alpha', calculatorTurns('2 + 2')), 'alpha');
  await new Promise((resolve) => setTimeout(resolve, 20));
  midway = new Date().toISOString();
  await new Promise((resolve) => setTimeout(resolve, 20));
  record(
    await runAgent(keyA, 'careful', [{ tool_calls: [{ id: 'call_check', name: 'calculator', arguments: { expression: '1 + 1' } }] }]),
    'careful',
  );
  record(await runAgent(keyA, 'beta', [{ error: { status: 400, message: 'the model refused' } }]), 'beta');
  record(await runAgent(keyA, 'alpha', calculatorTurns('10 / 4')), 'alpha');
  runB = String((await runAgent(keyB, 'alpha', calculatorTurns('1 + 2'))).id);
}, 120_000);

afterAll(async () => {
  await hub?.close();
});

describe('GET /v1/runs', () => {
  it("lists the tenant's runs newest first, each with its agent, version, status and step count", async () => {
    expect(runsA.map((run) => run.status)).toEqual(['completed', 'completed', 'completed', 'waiting_approval', 'failed', 'completed']);
    const page = await list('');
    expect(page.object).toBe('list');
    expect(page.has_more).toBe(false);
    expect(page.next_cursor).toBeNull();
    expect(page.data.map((run) => run.id)).toEqual(runsA.map((run) => run.id).reverse());
    const newest = page.data[0] as RunSummary;
    expect(newest).toMatchObject({
      object: 'agent.run',
      agent: 'alpha',
      version: 1,
      status: 'completed',
      parent_run_id: null,
      thread_id: null,
    });
    expect(newest.finished_at).not.toBeNull();
    for (const run of page.data) {
      const detail = await call(hub, 'GET', `/v1/runs/${run.id}`, undefined, keyA);
      expect(run.steps).toBe((detail.body.steps as unknown[]).length);
    }
    expect(page.data.map((run) => run.steps)).toEqual([3, 1, 1, 3, 1, 3]);
  });

  it('filters by agent, by one status or several, and by the time it was created', async () => {
    const ids = (page: RunPage) => page.data.map((run) => run.id);
    const newestFirst = [...runsA].reverse();
    expect(ids(await list('?agent=alpha'))).toEqual(newestFirst.filter((run) => run.agent === 'alpha').map((run) => run.id));
    expect(ids(await list('?status=failed'))).toEqual(newestFirst.filter((run) => run.status === 'failed').map((run) => run.id));
    expect(ids(await list('?status=waiting_approval,failed'))).toEqual(
      newestFirst.filter((run) => run.status === 'waiting_approval' || run.status === 'failed').map((run) => run.id),
    );
    expect(ids(await list('?agent=beta&status=completed'))).toEqual([runsA[1]?.id]);
    expect(ids(await list(`?from=${encodeURIComponent(midway)}`))).toEqual(newestFirst.slice(0, 3).map((run) => run.id));
    expect(ids(await list(`?to=${encodeURIComponent(midway)}`))).toEqual(newestFirst.slice(3).map((run) => run.id));
    expect(ids(await list('?agent=nobody'))).toEqual([]);
  });

  it('pages with a keyset cursor: every run once, in order, across pages of any size', async () => {
    for (const limit of [1, 2, 4]) {
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const page: RunPage = await list(`?limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`);
        expect(page.data.length).toBeLessThanOrEqual(limit);
        expect(page.has_more).toBe(page.next_cursor !== null);
        seen.push(...page.data.map((run) => run.id));
        cursor = page.next_cursor;
      } while (cursor);
      expect(seen).toEqual(runsA.map((run) => run.id).reverse());
    }
    const filtered = await list('?agent=alpha&limit=2');
    expect(filtered.has_more).toBe(true);
    const rest = await list(`?agent=alpha&limit=2&cursor=${filtered.next_cursor}`);
    expect(rest.data.map((run) => run.agent)).toEqual(['alpha']);
    expect(rest.has_more).toBe(false);
  });

  it("shows one tenant none of another's runs, and refuses another tenant's run as a cursor", async () => {
    const b = await list('', keyB);
    expect(b.data.map((run) => run.id)).toEqual([runB]);
    expect((await list('')).data.map((run) => run.id)).not.toContain(runB);
    const foreignCursor = await call(hub, 'GET', `/v1/runs?cursor=${runB}`, undefined, keyA);
    expect(foreignCursor.status).toBe(400);
    expect((foreignCursor.body.error as Json).param).toBe('cursor');
    expect((await call(hub, 'GET', `/v1/runs/${runB}`, undefined, keyA)).status).toBe(404);
  });

  it("answers each run's cost, tokens and model calls exactly as its ledger rows sum them", async () => {
    const ledger = await ledgerRows(hub);
    const page = await list('');
    for (const run of page.data) {
      const rows = ledger.filter((row) => row.run_id === run.id);
      expect(run.usage).toEqual({
        input_tokens: rows.reduce((sum, row) => sum + row.prompt_tokens, 0),
        output_tokens: rows.reduce((sum, row) => sum + row.completion_tokens, 0),
        cost_usd: sumUsd(rows.map((row) => row.cost_usd)),
        model_calls: rows.length,
      });
    }
    const newest = page.data[0] as RunSummary;
    // Input 100 tokens at $1/Mtok, output 12 at $2/Mtok.
    expect(newest.usage).toEqual({ input_tokens: 100, output_tokens: 12, cost_usd: '0.000124', model_calls: 2 });
  });

  it('refuses bad filters with a 400 naming the field', async () => {
    for (const [query, param] of [
      ['?status=sleeping', 'status'],
      ['?status=running,', 'status'],
      ['?limit=0', 'limit'],
      ['?limit=201', 'limit'],
      ['?from=yesterday', 'from'],
      ['?to=99999-01-01', 'to'],
      ['?agent=bad%20name', 'agent'],
      ['?cursor=nope', 'cursor'],
      ['?cursor=run_missing', 'cursor'],
      ['?colour=blue', undefined],
    ] as const) {
      const answer = await call(hub, 'GET', `/v1/runs${query}`, undefined, keyA);
      expect(answer.status, query).toBe(400);
      if (param) expect((answer.body.error as Json).param, query).toBe(param);
    }
  });

  it('lists for a person whose role reads agents, and refuses a key without agent scopes', async () => {
    const viewer = await createPerson(hub, tenantA, 'viewer', 'vera@runs.test');
    expect((await list('?limit=1', viewer.key)).data).toHaveLength(1);
    const inference = (await createKey(hub, { tenant_id: tenantA, scopes: ['inference'] })).key;
    const refused = await call(hub, 'GET', '/v1/runs', undefined, inference);
    expect(refused.status).toBe(403);
  });

  it('reads the ledger and the steps through their run indexes, never by scanning them', async () => {
    let captured: { sql: string; params: unknown[] } | undefined;
    await runPage(
      {
        query: async (sql, params) => {
          captured = { sql, params: params ?? [] };
          return [];
        },
      },
      tenantA,
      { kind: 'agent', limit: 50 },
    );
    const plan = await hub.hub.db.transaction(async (tx) => {
      // With sequential scans priced out, the planner still scans a table it has no usable index for.
      await tx.query('set local enable_seqscan = off');
      return tx.query<Record<string, string>>(`explain ${captured?.sql}`, captured?.params);
    });
    const text = plan.map((row) => Object.values(row).join(' ')).join('\n');
    expect(text).toMatch(/ledger_run_idx/);
    expect(text).not.toMatch(/Seq Scan on ledger/);
    expect(text).not.toMatch(/Seq Scan on run_steps/);
  });
});

describe('GET /v1/runs/:id, the timeline', () => {
  it("gives each model step its ledger row's tokens, cost and latency, and each tool step its arguments, result and duration", async () => {
    const id = runsA[0]?.id as string;
    const detail = await call(hub, 'GET', `/v1/runs/${id}`, undefined, keyA);
    const run = detail.body as unknown as Run;
    const ledger: LedgerRow[] = (await ledgerRows(hub)).filter((row) => row.run_id === id);
    const steps = run.steps ?? [];
    expect(steps.map((step) => `${step.kind}:${step.name}`)).toEqual(['model:scripted', 'tool:calculator', 'model:scripted']);
    for (const step of steps.filter((candidate) => candidate.kind === 'model')) {
      const row = ledger.find((candidate) => candidate.client_request_id === `${id}:${step.seq}`) as LedgerRow;
      expect(row).toBeDefined();
      expect(step.usage).toEqual({
        model: row.model_served,
        input_tokens: row.prompt_tokens,
        output_tokens: row.completion_tokens,
        cost_usd: row.cost_usd,
        latency_ms: row.latency_ms,
        requests: 1,
      });
    }
    expect(steps[0]?.usage).toMatchObject({ input_tokens: 40, output_tokens: 7 });
    const tool = steps[1];
    expect(tool?.input).toMatchObject({ arguments: { expression: '6 * 7' } });
    expect(tool?.output).toEqual({ type: 'result', content: '42' });
    expect(tool?.duration_ms).toBeGreaterThanOrEqual(0);
    expect(tool?.usage).toBeUndefined();
    expect(sumUsd(steps.flatMap((step) => (step.usage ? [step.usage.cost_usd] : [])))).toBe(run.usage.cost_usd);
  });

  it('shows a failed model call as a failed step', async () => {
    const failed = runsA[4]?.id as string;
    const run = (await call(hub, 'GET', `/v1/runs/${failed}`, undefined, keyA)).body as unknown as Run;
    expect(run.status).toBe('failed');
    expect(run.steps?.[0]).toMatchObject({ kind: 'model', status: 'failed' });
    expect(run.steps?.[0]?.error).toMatchObject({ message: expect.any(String) });
  });
});
