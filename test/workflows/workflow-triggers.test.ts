/**
 * What starts workflow runs besides the API: a signed webhook (signature, freshness and idempotency checked),
 * schedules (one run per slot across two replicas on one database), and events of the hub (an agent run that
 * completed), each billed to the tenant key that saved the workflow.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { webhookSignature } from '../../src/workflows/index.js';
import { createKey, createTenant } from '../support/economy.js';
import { type ConfigInput, startTestHub, type TestHub } from '../support/hub.js';
import { getTestDb, TEST_REDIS_URL, type TestDb, uniqueRedisPrefix } from '../support/test-db.js';
import { call, type Json } from '../support/workflows.js';

let database: TestDb;
let replicaA: TestHub;
let replicaB: TestHub;
let key: string;

const workflow = (name: string, spec: Json): Json => ({ apiVersion: 'tokenhub.dev/v1', kind: 'Workflow', metadata: { name }, spec });

beforeAll(async () => {
  database = await getTestDb();
  const config: ConfigInput = {
    providers: [{ id: 'script', type: 'scripted' }],
    models: [{ name: 'scripted', targets: [{ provider: 'script', model: 'scripted' }] }],
  };
  const shared = {
    database: database.db,
    ...(TEST_REDIS_URL ? { redisUrl: TEST_REDIS_URL, redisKeyPrefix: uniqueRedisPrefix('workflow-triggers') } : {}),
  };
  replicaA = await startTestHub(config, shared);
  replicaB = await startTestHub(config, shared);
  for (const replica of [replicaA, replicaB]) replica.hub.scripted('script').setScript([{ text: 'noted', repeat: true }]);
  const tenant = await createTenant(replicaA, 'workflow-triggers');
  key = (await createKey(replicaA, { tenant_id: tenant.id, scopes: ['agents:write', 'agents:run'] })).key;
  expect((await call(replicaA, 'POST', '/v1/agents', key, { name: 'greeter', model: 'scripted', instructions: 'Greet.' })).status).toBe(
    201,
  );
});

afterAll(async () => {
  await replicaA?.close();
  await replicaB?.close();
  await database?.close();
});

async function runsOf(name: string): Promise<Json[]> {
  const list = await call(replicaA, 'GET', `/v1/workflow-runs?workflow=${name}`, key);
  return list.body.data as Json[];
}

async function settled(runId: string): Promise<Json> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const read = await call(replicaA, 'GET', `/v1/workflow-runs/${runId}`, key);
    if (['completed', 'failed'].includes(String(read.body.status))) return read.body;
    if (Date.now() > deadline) throw new Error(`run ${runId}: ${JSON.stringify(read.body)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('workflow triggers', () => {
  it('starts a run from a signed webhook call, and refuses a bad or stale signature', async () => {
    const applied = await call(
      replicaA,
      'POST',
      '/v1/workflows',
      key,
      workflow('hooked', {
        steps: [{ id: 'note', kind: 'llm', model: 'scripted', prompt: 'Note ${{ input.order }}' }],
        output: '${{ input.order }}',
      }),
    );
    expect(applied.status).toBe(201);
    const made = await call(replicaA, 'POST', '/v1/workflows/hooked/webhook', key);
    expect(made.status, JSON.stringify(made.body)).toBe(201);
    const { url, secret } = made.body as { url: string; secret: string };
    expect(secret).toMatch(/^whsec_/);

    const body = JSON.stringify({ order: 'W7' });
    const send = (headers: Record<string, string>, payload = body) =>
      fetch(`${replicaB.url}${url}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: payload });
    const now = String(Math.floor(Date.now() / 1_000));
    const signed = { 'x-tokenhub-timestamp': now, 'x-tokenhub-signature': webhookSignature(secret, now, body) };

    const accepted = await send({ ...signed, 'idempotency-key': 'delivery-1' });
    expect(accepted.status).toBe(202);
    const started = (await accepted.json()) as { id: string };
    const again = (await (await send({ ...signed, 'idempotency-key': 'delivery-1' })).json()) as { id: string };
    expect(again.id).toBe(started.id);
    expect(await settled(started.id)).toMatchObject({ status: 'completed', output: 'W7', trigger: 'webhook' });

    expect((await send({ ...signed, 'x-tokenhub-signature': webhookSignature('whsec_wrong', now, body) })).status).toBe(401);
    expect((await send(signed, JSON.stringify({ order: 'W8' }))).status).toBe(401);
    const stale = String(Math.floor(Date.now() / 1_000) - 3_600);
    const old = await send({ 'x-tokenhub-timestamp': stale, 'x-tokenhub-signature': webhookSignature(secret, stale, body) });
    expect(old.status).toBe(401);
    expect(((await old.json()) as { error: Json }).error).toMatchObject({ code: 'stale_timestamp' });
    expect((await send({})).status).toBe(401);
    const unstorable = JSON.stringify({ order: 'W\u0000' });
    const refused = await send(
      { 'x-tokenhub-timestamp': now, 'x-tokenhub-signature': webhookSignature(secret, now, unstorable) },
      unstorable,
    );
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as { error: Json }).error).toMatchObject({ param: 'body' });
    expect((await runsOf('hooked')).length).toBe(1);

    // A new webhook replaces the old one: its URL stops working.
    expect((await call(replicaA, 'POST', '/v1/workflows/hooked/webhook', key)).status).toBe(201);
    expect((await send(signed)).status).toBe(401);
  });

  it('fires a schedule once across two replicas, in its time zone', async () => {
    const applied = await call(
      replicaA,
      'POST',
      '/v1/workflows',
      key,
      workflow('new-year', {
        triggers: { schedules: [{ cron: '0 0 1 1 *', timezone: 'Europe/Berlin', input: { greeting: 'happy new year' } }] },
        steps: [{ id: 'say', kind: 'llm', model: 'scripted', prompt: '${{ input.greeting }}' }],
      }),
    );
    expect(applied.status).toBe(201);
    // Midnight in Berlin is 23:00 UTC the day before; both replicas tick just after it.
    const slot = Date.parse('2026-12-31T23:00:00Z');
    await Promise.all([replicaA, replicaB].map((replica) => replica.hub.workflows.triggers.scheduler.tick(slot + 1_000)));
    await Promise.all([replicaA, replicaB].map((replica) => replica.hub.workflows.triggers.scheduler.tick(slot + 2_000)));
    const runs = await runsOf('new-year');
    expect(runs).toHaveLength(1);
    const done = await settled(String(runs[0]?.id));
    expect(done).toMatchObject({ status: 'completed', trigger: 'schedule', input: { greeting: 'happy new year' } });
  });

  it('starts a run when an agent run of the tenant completes (but not for its own child runs)', async () => {
    const applied = await call(
      replicaA,
      'POST',
      '/v1/workflows',
      key,
      workflow('follow-up', {
        triggers: { events: [{ on: 'agent_run.completed', agent: 'greeter', input: { run: '${{ event.run_id }}' } }] },
        steps: [{ id: 'again', kind: 'agent', agent: 'greeter', input: 'Follow up on ${{ input.run }}' }],
      }),
    );
    expect(applied.status).toBe(201);
    const agentRun = await call(replicaA, 'POST', '/v1/agents/greeter/runs', key, { input: 'Hello' });
    expect(agentRun.body.status).toBe('completed');
    const deadline = Date.now() + 10_000;
    let runs: Json[] = [];
    while (runs.length === 0 && Date.now() < deadline) {
      runs = await runsOf('follow-up');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(runs).toHaveLength(1);
    const done = await settled(String(runs[0]?.id));
    expect(done).toMatchObject({ status: 'completed', trigger: 'event', input: { run: agentRun.body.id } });
    // The workflow's own agent step completed a greeter run too: a child run, which starts nothing.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await runsOf('follow-up')).toHaveLength(1);
  });
});
