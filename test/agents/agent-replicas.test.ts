/**
 * Two replicas on one database (and one Redis, when the suite has one): background runs started on
 * either are each executed exactly once, by whichever replica leases them, and a run paused for a person
 * is approved through the other replica and completes there or anywhere.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKey, createTenant } from '../support/economy.js';
import { type ConfigInput, startTestHub, type TestHub } from '../support/hub.js';
import { getTestDb, TEST_REDIS_URL, type TestDb, uniqueRedisPrefix } from '../support/test-db.js';

const RUNS_PER_REPLICA = 6;

let database: TestDb;
let replicaA: TestHub;
let replicaB: TestHub;
let tools: Server;
/** The tool calls the tool server received, by the run they came from (the idempotency key is `<run id>:<step>`). */
const toolCalls: { path: string; runId: string }[] = [];
let toolsUrl: string;
let key: string;

interface RunView {
  id: string;
  status: string;
  steps?: { kind: string; name: string; status: string; attempts: number }[];
  pending_approvals?: { call_id: string }[];
}

async function call(hub: TestHub, method: string, path: string, body?: unknown): Promise<{ status: number; body: RunView }> {
  const response = await fetch(`${hub.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, body: (await response.json()) as RunView };
}

/** Reads the run through `hub` until it is in one of `statuses` (a replica may hear of another's progress only from the database). */
async function waitForStatus(hub: TestHub, id: string, statuses: readonly string[], timeoutMs = 20_000): Promise<RunView> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const run = (await call(hub, 'GET', `/v1/runs/${id}`)).body;
    if (statuses.includes(run.status)) return run;
    if (Date.now() > deadline) throw new Error(`run ${id} is ${run.status}, not ${statuses.join('|')}, after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

beforeAll(async () => {
  tools = createServer((request, response) => {
    const runId = String(request.headers['idempotency-key'] ?? '').split(':')[0] ?? '';
    toolCalls.push({ path: request.url ?? '', runId });
    // Slow enough that both replicas hold runs at the same time.
    setTimeout(() => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ status: 'recorded' }));
    }, 150);
  });
  await new Promise<void>((resolve) => tools.listen(0, '127.0.0.1', resolve));
  toolsUrl = `http://127.0.0.1:${(tools.address() as AddressInfo).port}`;

  database = await getTestDb();
  const config: ConfigInput = {
    providers: [{ id: 'script', type: 'scripted' }],
    models: [
      { name: 'scripted', targets: [{ provider: 'script', model: 'scripted' }], pricing: { input_per_mtok: 1, output_per_mtok: 2 } },
    ],
  };
  // One Redis for both, under one prefix: wake-ups, run events and budgets are shared as in a real fleet.
  const shared = {
    database: database.db,
    ...(TEST_REDIS_URL ? { redisUrl: TEST_REDIS_URL, redisKeyPrefix: uniqueRedisPrefix('agent-replicas') } : {}),
  };
  replicaA = await startTestHub(config, shared);
  replicaB = await startTestHub(config, shared);
  for (const replica of [replicaA, replicaB]) {
    replica.hub.scripted('script').setScript([
      { when: { last_tool_result_contains: 'recorded' }, text: 'Done.', repeat: true },
      { when: { last_user_message_contains: 'refund' }, tool_calls: [{ name: 'refund', arguments: { order_id: 'W7' } }], repeat: true },
      { tool_calls: [{ name: 'record', arguments: { note: 'once' } }], repeat: true },
    ]);
  }
  const tenant = await createTenant(replicaA, 'agent-replicas');
  key = (await createKey(replicaA, { tenant_id: tenant.id, scopes: ['agents:write', 'agents:run'] })).key;
  const httpTool = (name: string, path: string, extra: Record<string, unknown> = {}) => ({
    type: 'http',
    name,
    description: `${name} something`,
    parameters: { type: 'object', properties: { note: { type: 'string' }, order_id: { type: 'string' } } },
    request: { method: 'POST', url: `${toolsUrl}${path}`, body: 'arguments' },
    // Not idempotent: a second execution would be a second side effect, never retried behind the caller's back.
    idempotent: false,
    ...extra,
  });
  for (const agent of [
    { name: 'recorder', model: 'scripted', tools: [httpTool('record', '/record')] },
    { name: 'refunder', model: 'scripted', tools: [httpTool('refund', '/refund', { approval: 'always' })] },
  ]) {
    const created = await call(replicaA, 'POST', '/v1/agents', agent);
    expect(created.status, JSON.stringify(created.body)).toBe(201);
  }
});

afterAll(async () => {
  await replicaA?.close();
  await replicaB?.close();
  await database?.close();
  await new Promise<void>((resolve) => tools?.close(() => resolve()));
});

describe('agent runs on two replicas', () => {
  it('executes background runs started on either replica exactly once', async () => {
    const started = await Promise.all(
      Array.from({ length: RUNS_PER_REPLICA * 2 }, (_, index) =>
        call(index % 2 === 0 ? replicaA : replicaB, 'POST', '/v1/agents/recorder/runs', { input: `note ${index}`, background: true }),
      ),
    );
    for (const answer of started) expect(answer.status, JSON.stringify(answer.body)).toBe(202);
    const ids = started.map((answer) => answer.body.id);
    const runs = await Promise.all(ids.map((id, index) => waitForStatus(index % 2 === 0 ? replicaB : replicaA, id, ['completed'])));

    for (const run of runs) {
      // One tool request per run, and every step of it done in one attempt: no replica repeated another's work.
      expect(
        toolCalls.filter((entry) => entry.runId === run.id),
        run.id,
      ).toHaveLength(1);
      expect(run.steps?.map((step) => [step.kind, step.name, step.status, step.attempts])).toEqual([
        ['model', 'scripted', 'finished', 1],
        ['tool', 'record', 'finished', 1],
        ['model', 'scripted', 'finished', 1],
      ]);
    }
    // Two model calls per run in all, shared between the replicas: both worked, neither twice on one turn.
    const modelCalls = [replicaA, replicaB].map((replica) => replica.hub.scripted('script').calls.length);
    expect((modelCalls[0] ?? 0) + (modelCalls[1] ?? 0)).toBe(2 * ids.length);
    expect(modelCalls.every((count) => count > 0)).toBe(true);
  });

  it('resumes a run paused for approval on one replica when a person approves it through the other', async () => {
    const before = toolCalls.length;
    const paused = await call(replicaA, 'POST', '/v1/agents/refunder/runs', { input: 'Please refund W7' });
    expect(paused.status, JSON.stringify(paused.body)).toBe(200);
    expect(paused.body).toMatchObject({ status: 'waiting_approval', pending_approvals: [{ call_id: expect.any(String) }] });
    const callId = paused.body.pending_approvals?.[0]?.call_id ?? '';
    expect(toolCalls.length).toBe(before);

    const decided = await call(replicaB, 'POST', `/v1/runs/${paused.body.id}/approvals`, { call_id: callId, decision: 'approve' });
    expect(decided.status, JSON.stringify(decided.body)).toBe(200);
    const done = await waitForStatus(replicaA, paused.body.id, ['completed', 'failed', 'needs_attention']);
    expect(done.status).toBe('completed');
    expect(toolCalls.slice(before)).toEqual([{ path: '/refund', runId: paused.body.id }]);
    // A second decision on the same call is refused on either replica.
    const again = await call(replicaA, 'POST', `/v1/runs/${paused.body.id}/approvals`, { call_id: callId, decision: 'approve' });
    expect(again.status).toBe(409);
  });
});
