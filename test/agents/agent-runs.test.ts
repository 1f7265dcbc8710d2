/**
 * Agents end to end over HTTP: defined through the tenant's own API (scoped keys), run on the scripted
 * provider with builtin and HTTP tools, approvals, hand-offs to a person and to another agent, per-run
 * budgets, versions, events, and every model call on the ledger with its agent and run.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { LedgerRow } from '../../src/admin/contract.js';
import { usdToPicos } from '../../src/core/index.js';
import { createKey, createTenant, ledgerRows } from '../support/economy.js';
import { startTestHub, type TestHub } from '../support/hub.js';

let hub: TestHub;
let tools: Server;
let toolsUrl: string;
const toolRequests: { url: string; headers: IncomingMessage['headers'] }[] = [];
let writer: string;
let tenantId: string;

beforeAll(async () => {
  tools = createServer((request, response) => {
    toolRequests.push({ url: request.url ?? '', headers: request.headers });
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ order: decodeURIComponent((request.url ?? '').split('/').pop() ?? ''), status: 'delivered' }));
  });
  await new Promise<void>((resolve) => tools.listen(0, '127.0.0.1', resolve));
  toolsUrl = `http://127.0.0.1:${(tools.address() as AddressInfo).port}`;
  hub = await startTestHub({
    providers: [{ id: 'script', type: 'scripted' }],
    models: [
      { name: 'scripted', targets: [{ provider: 'script', model: 'scripted' }], pricing: { input_per_mtok: 10, output_per_mtok: 30 } },
    ],
  });
  const tenant = await createTenant(hub, 'agents-e2e');
  tenantId = tenant.id;
  writer = (await createKey(hub, { tenant_id: tenant.id, scopes: ['agents:write', 'agents:run'] })).key;
});

afterAll(async () => {
  await hub?.close();
  await new Promise<void>((resolve) => tools?.close(() => resolve()));
});

beforeEach(() => {
  hub.hub.scripted('script').setScript([]);
});

async function call(
  method: string,
  path: string,
  body?: unknown,
  key = writer,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${hub.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

const agent = (name: string, extra: Record<string, unknown> = {}) => ({
  name,
  model: 'scripted',
  instructions: `You are ${name}.`,
  ...extra,
});

async function rowsOfRun(runId: string): Promise<LedgerRow[]> {
  return (await ledgerRows(hub)).filter((row) => row.run_id === runId);
}

describe('agents over HTTP', () => {
  it('runs an agent with a builtin and an HTTP tool to completion, billed on the ledger to its agent and run', async () => {
    const created = await call(
      'POST',
      '/v1/agents',
      agent('support', {
        tools: [
          { type: 'builtin', name: 'calculator' },
          {
            type: 'http',
            name: 'lookup_order',
            description: 'Look an order up',
            parameters: { type: 'object', properties: { order_id: { type: 'string' } }, required: ['order_id'] },
            request: { method: 'GET', url: `${toolsUrl}/orders/{order_id}` },
            idempotent: true,
          },
        ],
      }),
    );
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ object: 'agent', name: 'support', active_version: 1, source: 'api' });

    hub.hub.scripted('script').setScript([
      {
        tool_calls: [
          { name: 'lookup_order', arguments: { order_id: '#W 1' } },
          { name: 'calculator', arguments: { expression: '2 + 3' } },
        ],
      },
      { when: { last_tool_result_contains: 'delivered' }, text: 'Order #W 1 was delivered; 2 + 3 = 5.' },
    ]);
    const run = await call('POST', '/v1/agents/support/runs', { input: 'Where is my order #W 1?' });
    expect(run.status, JSON.stringify(run.body)).toBe(200);
    expect(run.body).toMatchObject({
      object: 'agent.run',
      agent: 'support',
      version: 1,
      status: 'completed',
      output: { text: 'Order #W 1 was delivered; 2 + 3 = 5.' },
    });
    // The URL template escaped the argument; the call carried its idempotency key.
    expect(toolRequests.at(-1)?.url).toBe('/orders/%23W%201');
    expect(toolRequests.at(-1)?.headers['idempotency-key']).toBe(`${String(run.body.id)}:2`);

    const rows = await rowsOfRun(String(run.body.id));
    expect(rows).toHaveLength(2);
    expect(rows.every((row) => row.agent === 'support' && row.tenant_id === tenantId && row.surface === 'internal')).toBe(true);
    const usage = run.body.usage as { input_tokens: number; output_tokens: number; cost_usd: string; model_calls: number };
    expect(usage.model_calls).toBe(2);
    expect(usdToPicos(usage.cost_usd)).toBe(rows.reduce((sum, row) => sum + usdToPicos(row.cost_usd), 0n));
    expect(usage.input_tokens).toBe(rows.reduce((sum, row) => sum + row.prompt_tokens, 0));

    const read = await call('GET', `/v1/runs/${String(run.body.id)}`);
    const steps = read.body.steps as { kind: string; name: string; status: string }[];
    expect(steps.map((step) => [step.kind, step.name, step.status])).toEqual([
      ['model', 'scripted', 'finished'],
      ['tool', 'lookup_order', 'finished'],
      ['tool', 'calculator', 'finished'],
      ['model', 'scripted', 'finished'],
    ]);
  });

  it('pauses for approval holding no lease, and resumes when a person approves', async () => {
    await call(
      'POST',
      '/v1/agents',
      agent('refunder', {
        tools: [
          {
            type: 'http',
            name: 'refund',
            description: 'Refund an order',
            parameters: { type: 'object', properties: { order_id: { type: 'string' } }, required: ['order_id'] },
            request: { method: 'POST', url: `${toolsUrl}/refunds/{order_id}`, body: 'arguments' },
            approval: 'always',
          },
        ],
      }),
    );
    hub.hub
      .scripted('script')
      .setScript([{ tool_calls: [{ id: 'call_refund', name: 'refund', arguments: { order_id: 'W2' } }] }, { text: 'Refunded.' }]);
    const before = toolRequests.length;
    const run = await call('POST', '/v1/agents/refunder/runs', { input: 'Refund W2 please' });
    expect(run.body).toMatchObject({
      status: 'waiting_approval',
      pending_approvals: [{ call_id: 'call_refund', tool: 'refund', arguments: { order_id: 'W2' } }],
    });
    expect(toolRequests.length).toBe(before);
    const id = String(run.body.id);
    const stored = await hub.hub.agents.runs.get(tenantId, id);
    expect(stored).toMatchObject({ leaseOwner: null, leaseExpiresAt: null });

    expect((await call('POST', `/v1/runs/${id}/approvals`, { call_id: 'nope', decision: 'approve' })).status).toBe(400);
    expect((await call('POST', `/v1/runs/${id}/approvals`, { call_id: 'call_refund', decision: 'approve' })).status).toBe(200);
    const settled = await hub.hub.agents.runs.settled(tenantId, id);
    expect(settled).toMatchObject({ status: 'completed', output: { text: 'Refunded.' } });
    expect(toolRequests.length).toBe(before + 1);
    expect(toolRequests.at(-1)?.url).toBe('/refunds/W2');
    expect((await call('POST', `/v1/runs/${id}/approvals`, { call_id: 'call_refund', decision: 'approve' })).status).toBe(409);
  });

  it('does not count the time a run waits for a person against its timeout', async () => {
    await call(
      'POST',
      '/v1/agents',
      agent('patient', {
        limits: { timeout_s: 1 },
        tools: [{ type: 'builtin', name: 'current_time', approval: 'always' }],
      }),
    );
    hub.hub
      .scripted('script')
      .setScript([{ tool_calls: [{ id: 'call_time', name: 'current_time', arguments: {} }] }, { text: 'It is now.' }]);
    const run = await call('POST', '/v1/agents/patient/runs', { input: 'What time is it?' });
    expect(run.body).toMatchObject({ status: 'waiting_approval' });
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    await call('POST', `/v1/runs/${String(run.body.id)}/approvals`, { call_id: 'call_time', decision: 'approve' });
    const settled = await hub.hub.agents.runs.settled(tenantId, String(run.body.id));
    expect(settled).toMatchObject({ status: 'completed', output: { text: 'It is now.' } });
    expect((settled.state as { paused_ms: number }).paused_ms).toBeGreaterThanOrEqual(1_400);
  });

  it('hands a conversation to another agent, and to a person with a summary', async () => {
    await call('POST', '/v1/agents', agent('specialist', { tools: [{ type: 'builtin', name: 'transfer_to_human' }] }));
    await call('POST', '/v1/agents', agent('triage', { handoffs: ['specialist'] }));
    hub.hub
      .scripted('script')
      .setScript([
        { tool_calls: [{ name: 'transfer_to_specialist', arguments: {} }] },
        { tool_calls: [{ name: 'transfer_to_human', arguments: { summary: 'Angry customer, wants a manager', reason: 'emotional' } }] },
      ]);
    const run = await call('POST', '/v1/agents/triage/runs', { input: 'I want a manager NOW' });
    expect(run.body).toMatchObject({
      status: 'handed_off',
      output: { text: 'Angry customer, wants a manager', handoff: { summary: 'Angry customer, wants a manager', reason: 'emotional' } },
    });
    const rows = await rowsOfRun(String(run.body.id));
    expect(rows.map((row) => row.agent).sort()).toEqual(['specialist', 'triage']);
    const second = hub.hub.scripted('script').calls[1];
    expect(JSON.stringify(second)).toContain('You are specialist.');
  });

  it('calls another agent as a tool: a child run, billed once on the child and counted in the parent', async () => {
    await call('POST', '/v1/agents', agent('researcher'));
    await call(
      'POST',
      '/v1/agents',
      agent('manager', { tools: [{ type: 'agent', name: 'ask_researcher', agent: 'researcher', description: 'Ask the researcher' }] }),
    );
    hub.hub.scripted('script').setScript([
      { when: { last_user_message_contains: 'What is x' }, tool_calls: [{ name: 'ask_researcher', arguments: { input: 'find x' } }] },
      { when: { last_user_message_contains: 'find x' }, text: 'x is 42' },
      { when: { last_tool_result_contains: '42' }, text: 'The answer is 42.' },
    ]);
    const run = await call('POST', '/v1/agents/manager/runs', { input: 'What is x?' });
    expect(run.body, JSON.stringify(run.body)).toMatchObject({ status: 'completed', output: { text: 'The answer is 42.' } });
    const parentId = String(run.body.id);
    const [child] = await hub.hub.db.query<{ id: string; subject: string; status: string }>(
      'select id, subject, status from runs where parent_run_id = $1',
      [parentId],
    );
    expect(child).toMatchObject({ subject: 'researcher', status: 'completed' });
    const rows = await ledgerRows(hub);
    expect(rows.filter((row) => row.run_id === parentId)).toHaveLength(2);
    const childRows = rows.filter((row) => row.run_id === child?.id);
    expect(childRows).toHaveLength(1);
    expect(childRows[0]?.agent).toBe('researcher');
    const usage = (await call('GET', `/v1/runs/${parentId}`)).body.usage as { model_calls: number; cost_usd: string };
    expect(usage.model_calls).toBe(3);
    const all = rows.filter((row) => row.run_id === parentId || row.run_id === child?.id);
    expect(usdToPicos(usage.cost_usd)).toBe(all.reduce((sum, row) => sum + usdToPicos(row.cost_usd), 0n));
  });

  it('offers tools an installed app registered in process, per tenant and run', async () => {
    const seenBy: { tenantId: string; runId: string }[] = [];
    hub.hub.agents.appTools.register('store_stock', ({ tenantId, runId }) => {
      seenBy.push({ tenantId, runId });
      return {
        spec: {
          name: 'store_stock',
          description: 'Units in stock',
          parameters: { type: 'object', properties: { sku: { type: 'string' } } },
        },
        approval: 'never',
        idempotent: true,
        invoke: async (args) => ({ type: 'result', content: `${String(args.sku)}: 7 in stock` }),
      };
    });
    expect((await call('POST', '/v1/agents', agent('no-app', { tools: [{ type: 'app', name: 'not_installed' }] }))).status).toBe(400);
    await call('POST', '/v1/agents', agent('clerk', { tools: [{ type: 'app', name: 'store_stock' }] }));
    hub.hub
      .scripted('script')
      .setScript([
        { tool_calls: [{ name: 'store_stock', arguments: { sku: 'A1' } }] },
        { when: { last_tool_result_contains: '7 in stock' }, text: 'We have 7.' },
      ]);
    const run = await call('POST', '/v1/agents/clerk/runs', { input: 'Is A1 in stock?' });
    expect(run.body).toMatchObject({ status: 'completed', output: { text: 'We have 7.' } });
    expect(seenBy).toEqual([{ tenantId, runId: String(run.body.id) }]);
  });

  it('stops a run that cannot afford its next model call, spending nothing past max_cost_usd', async () => {
    await call(
      'POST',
      '/v1/agents',
      agent('thrifty', { tools: [{ type: 'builtin', name: 'calculator' }], limits: { max_cost_usd: '0.0001' } }),
    );
    hub.hub.scripted('script').setScript([
      {
        tool_calls: [{ name: 'calculator', arguments: { expression: '1+1' } }],
        repeat: true,
        usage: { input_tokens: 10, output_tokens: 10 },
      },
    ]);
    const run = await call('POST', '/v1/agents/thrifty/runs', { input: 'loop' });
    expect(run.body).toMatchObject({ status: 'budget_exceeded', error: { code: 'budget_exceeded' } });
    const spent = (await rowsOfRun(String(run.body.id))).reduce((sum, row) => sum + usdToPicos(row.cost_usd), 0n);
    expect(spent).toBeLessThanOrEqual(usdToPicos('0.0001'));
  });

  it('ends at max_turns, and reports invalid tool arguments back to the model', async () => {
    await call('POST', '/v1/agents', agent('looper', { tools: [{ type: 'builtin', name: 'calculator' }], limits: { max_turns: 3 } }));
    hub.hub
      .scripted('script')
      .setScript([
        { tool_calls: [{ name: 'calculator', arguments: { wrong: true } }] },
        { tool_calls: [{ name: 'calculator', arguments: { expression: '1+1' } }], repeat: true },
      ]);
    const run = await call('POST', '/v1/agents/looper/runs', { input: 'go' });
    expect(run.body).toMatchObject({ status: 'max_turns', error: { code: 'max_turns' } });
    const second = JSON.stringify(hub.hub.scripted('script').calls[1]);
    expect(second).toContain('Invalid arguments for tool calculator');
  });

  it('keeps versions: every change is a new one, a run records its version, and activate rolls back', async () => {
    await call('POST', '/v1/agents', agent('versioned'));
    const updated = await call('PUT', '/v1/agents/versioned', agent('versioned', { instructions: 'Second version.' }));
    expect(updated.body).toMatchObject({ active_version: 2, latest_version: 2, instructions: 'Second version.' });
    const versions = await call('GET', '/v1/agents/versioned/versions');
    expect((versions.body.data as { version: number }[]).map((entry) => entry.version)).toEqual([1, 2]);
    const rolledBack = await call('POST', '/v1/agents/versioned/activate', { version: 1 });
    expect(rolledBack.body).toMatchObject({ active_version: 1, instructions: 'You are versioned.' });
    hub.hub.scripted('script').setScript([{ text: 'hi' }]);
    const run = await call('POST', '/v1/agents/versioned/runs', { input: 'hello' });
    expect(run.body).toMatchObject({ version: 1, status: 'completed' });
    expect((await call('POST', '/v1/agents/versioned/activate', { version: 9 })).status).toBe(400);
  });

  it('refuses bad definitions with a 400 naming the field, and keys without the scope with a 403', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [agent('bad-model', { model: 'nope' }), 'model'],
      [
        agent('dupes', {
          tools: [
            { type: 'builtin', name: 'calculator' },
            { type: 'builtin', name: 'calculator' },
          ],
        }),
        'tools.1.name',
      ],
      [agent('schema', { output_schema: { type: 'objekt' } }), 'output_schema'],
      [agent('unknown-handoff', { handoffs: ['ghost'] }), 'handoffs.0'],
      [agent('bad name!'), 'name'],
    ];
    for (const [body, param] of cases) {
      const answer = await call('POST', '/v1/agents', body);
      expect(answer.status, JSON.stringify(answer.body)).toBe(400);
      expect((answer.body.error as { param: string }).param).toBe(param);
    }
    await call('POST', '/v1/agents', agent('loop-a'));
    await call('POST', '/v1/agents', agent('loop-b', { handoffs: ['loop-a'] }));
    const cycle = await call('PUT', '/v1/agents/loop-a', agent('loop-a', { handoffs: ['loop-b'] }));
    expect(cycle.status).toBe(400);
    expect(String((cycle.body.error as { message: string }).message)).toMatch(/loop/);

    const inferenceOnly = (await createKey(hub, { tenant_id: tenantId })).key;
    const refused = await call('POST', '/v1/agents', agent('sneaky'), inferenceOnly);
    expect(refused.status).toBe(403);
    expect((refused.body.error as { code: string }).code).toBe('missing_scope');
    expect((await call('POST', '/v1/agents/support/runs', { input: 'x' }, inferenceOnly)).status).toBe(403);
    const runOnly = (await createKey(hub, { tenant_id: tenantId, scopes: ['agents:run'] })).key;
    expect((await call('GET', '/v1/agents', undefined, runOnly)).status).toBe(200);
    expect((await call('POST', '/v1/agents', agent('nope-writer'), runOnly)).status).toBe(403);
  });

  it('keeps tenants apart: another tenant sees neither the agents nor the runs', async () => {
    const other = await createTenant(hub, 'agents-other');
    const otherKey = (await createKey(hub, { tenant_id: other.id, scopes: ['agents:write', 'agents:run'] })).key;
    hub.hub.scripted('script').setScript([{ text: 'mine' }]);
    await call('POST', '/v1/agents', agent('private'));
    const run = await call('POST', '/v1/agents/private/runs', { input: 'hi' });
    expect((await call('GET', '/v1/agents/private', undefined, otherKey)).status).toBe(404);
    expect((await call('POST', '/v1/agents/private/runs', { input: 'hi' }, otherKey)).status).toBe(404);
    expect((await call('GET', `/v1/runs/${String(run.body.id)}`, undefined, otherKey)).status).toBe(404);
    expect((await call('POST', `/v1/runs/${String(run.body.id)}/cancel`, undefined, otherKey)).status).toBe(404);
    const listed = await call('GET', '/v1/agents', undefined, otherKey);
    expect((listed.body.data as unknown[]).length).toBe(0);
  });

  it('streams run events as SSE, and replays them from Last-Event-ID', async () => {
    await call('POST', '/v1/agents', agent('streamer', { tools: [{ type: 'builtin', name: 'calculator' }] }));
    hub.hub.scripted('script').setScript([{ tool_calls: [{ name: 'calculator', arguments: { expression: '6*7' } }] }, { text: '42' }]);
    const response = await fetch(`${hub.url}/v1/agents/streamer/runs`, {
      method: 'POST',
      headers: { authorization: `Bearer ${writer}`, 'content-type': 'application/json' },
      body: JSON.stringify({ input: 'six times seven', stream: true }),
    });
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    const text = await response.text();
    const events = text
      .split('\n\n')
      .filter((block) => block.includes('event: '))
      .map((block) => ({ id: Number(/id: (\d+)/.exec(block)?.[1]), type: /event: (.+)/.exec(block)?.[1] }));
    expect(events.map((event) => event.type)).toEqual([
      'run.queued',
      'run.started',
      'model.completed',
      'tool.started',
      'tool.completed',
      'model.completed',
      'run.completed',
    ]);
    const runId = /"run_id":"(run_[A-Za-z0-9]+)"/.exec(text)?.[1] ?? '';
    const replay = await fetch(`${hub.url}/v1/runs/${runId}/events`, {
      headers: { authorization: `Bearer ${writer}`, 'last-event-id': '5' },
    });
    const replayed = (await replay.text()).split('\n\n').filter((block) => block.includes('event: '));
    expect(replayed.map((block) => /event: (.+)/.exec(block)?.[1])).toEqual(['model.completed', 'run.completed']);
  });

  it('runs in the background, and manages agents of any tenant through the admin API', async () => {
    const created = await fetch(`${hub.url}/admin/v1/agents`, {
      method: 'POST',
      headers: { authorization: `Bearer ${hub.adminKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ tenant_id: tenantId, ...agent('admin-made') }),
    });
    expect(created.status).toBe(201);
    hub.hub.scripted('script').setScript([{ text: 'done in the background' }]);
    const queued = await call('POST', '/v1/agents/admin-made/runs', { input: 'go', background: true });
    expect(queued).toMatchObject({ status: 202, body: { object: 'agent.run', status: 'queued' } });
    const settled = await hub.hub.agents.runs.settled(tenantId, String(queued.body.id));
    expect(settled).toMatchObject({ status: 'completed', output: { text: 'done in the background' } });
    const listed = await fetch(`${hub.url}/admin/v1/agents?tenant_id=${tenantId}`, {
      headers: { authorization: `Bearer ${hub.adminKey}` },
    });
    expect(((await listed.json()) as { data: { name: string }[] }).data.map((entry) => entry.name)).toContain('admin-made');
  });
});
