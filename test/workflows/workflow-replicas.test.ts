/**
 * Workflow runs on two replicas sharing one database (and one Redis, when the suite has one): a run paused
 * on a human step holds no lease, so a person's decision through the other replica's inbox resumes it, and
 * whichever replica leases it runs the next step exactly once (one model call, one ledger row). Two human
 * steps in parallel branches pause the run once with both pending, and are decided on different replicas.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { admin, createKey, createTenant, ledgerRows } from '../support/economy.js';
import { type ConfigInput, startTestHub, type TestHub } from '../support/hub.js';
import { getTestDb, TEST_REDIS_URL, type TestDb, uniqueRedisPrefix } from '../support/test-db.js';
import { call, type Json } from '../support/workflows.js';

let database: TestDb;
let replicaA: TestHub;
let replicaB: TestHub;
let key: string;
let operatorKey: string;
let operatorId: string;

interface StepView {
  key: string;
  id: string;
  kind: string;
  status: string;
  output: unknown;
}

const workflow = (name: string, steps: Json[]): Json => ({
  apiVersion: 'tokenhub.dev/v1',
  kind: 'Workflow',
  metadata: { name },
  spec: { steps },
});

/** Reads the run through `hub` until it is in one of `statuses` (a replica may hear of another's progress only from the database). */
async function waitForStatus(hub: TestHub, id: string, statuses: readonly string[], timeoutMs = 20_000): Promise<Json> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const run = (await call(hub, 'GET', `/v1/workflow-runs/${id}`, key)).body;
    if (statuses.includes(String(run.status))) return run;
    if (Date.now() > deadline) throw new Error(`run ${id} is ${String(run.status)}, not ${statuses.join('|')}, after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The open approval tasks of the run, as the operator sees them through `hub`, once there are `count` of them. */
async function approvalTasks(hub: TestHub, runId: string, count: number, timeoutMs = 15_000): Promise<Json[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const open = await call(hub, 'GET', '/v1/inbox/tasks?kind=approval&status=open&limit=100', operatorKey);
    expect(open.status, JSON.stringify(open.body)).toBe(200);
    const tasks = (open.body.data as Json[]).filter((task) => task.run_id === runId);
    if (tasks.length >= count) return tasks;
    if (Date.now() > deadline) throw new Error(`run ${runId} has ${tasks.length} open approval tasks, not ${count}, after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Every model call either replica made, and the ledger rows of `runId` with both replicas' journals flushed. */
async function spentBy(runId: string): Promise<{ modelCalls: number; rows: Awaited<ReturnType<typeof ledgerRows>> }> {
  await replicaB.hub.economy.flush();
  const rows = (await ledgerRows(replicaA)).filter((row) => row.run_id === runId);
  const modelCalls = [replicaA, replicaB].reduce((sum, replica) => sum + replica.hub.scripted('script').calls.length, 0);
  return { modelCalls, rows };
}

beforeAll(async () => {
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
    ...(TEST_REDIS_URL ? { redisUrl: TEST_REDIS_URL, redisKeyPrefix: uniqueRedisPrefix('workflow-replicas') } : {}),
  };
  replicaA = await startTestHub(config, shared);
  replicaB = await startTestHub(config, shared);
  const tenant = await createTenant(replicaA, 'workflow-replicas');
  key = (await createKey(replicaA, { tenant_id: tenant.id, scopes: ['agents:write', 'agents:run'] })).key;
  const operator = await admin<Json>(replicaA, 'POST', '/admin/v1/users', {
    tenant_id: tenant.id,
    email: 'olga@shop.test',
    name: 'Olga',
    role: 'operator',
  });
  operatorKey = String(operator.key);
  operatorId = String(operator.id);
  for (const document of [
    workflow('refund', [
      { id: 'approve', kind: 'human', title: 'Refund ${{ input.order }}?', mode: 'approval' },
      {
        id: 'notify',
        kind: 'llm',
        model: 'scripted',
        prompt: 'Tell the customer: refund ${{ input.order }} approved=${{ steps.approve.output.approved }}',
      },
    ]),
    workflow('contract', [
      {
        id: 'sign',
        kind: 'parallel',
        branches: [
          { name: 'legal', steps: [{ id: 'legal_ok', kind: 'human', title: 'Legal review of ${{ input.deal }}', queue: 'legal' }] },
          { name: 'finance', steps: [{ id: 'finance_ok', kind: 'human', title: 'Finance review of ${{ input.deal }}', queue: 'finance' }] },
        ],
      },
      {
        id: 'report',
        kind: 'llm',
        model: 'scripted',
        prompt: 'Report: legal=${{ steps.legal_ok.output.approved }} finance=${{ steps.finance_ok.output.approved }}',
      },
    ]),
  ]) {
    const saved = await call(replicaA, 'POST', '/v1/workflows', key, document);
    expect([200, 201], JSON.stringify(saved.body)).toContain(saved.status);
  }
});

afterAll(async () => {
  await replicaA?.close();
  await replicaB?.close();
  await database?.close();
});

beforeEach(() => {
  // Every replica has the script (whichever leases the run calls its own model); `repeat` so a second run of a step would show.
  for (const replica of [replicaA, replicaB]) {
    replica.hub.scripted('script').setScript([
      { when: { last_user_message_contains: 'refund #W7 approved=true' }, text: 'Your refund is on its way.', repeat: true },
      { when: { last_user_message_contains: 'Report: legal=true finance=true' }, text: 'Signed by both.', repeat: true },
    ]);
  }
});

describe('workflow runs on two replicas', () => {
  it('pauses on a human step on one replica, is approved through the other replica’s inbox, and runs the next step once', async () => {
    const started = await call(replicaA, 'POST', '/v1/workflows/refund/runs', key, { input: { order: '#W7' } });
    expect(started.status, JSON.stringify(started.body)).toBe(200);
    expect(started.body).toMatchObject({
      status: 'waiting_approval',
      pending: [{ call_id: 'approve', step: 'approve', mode: 'approval' }],
    });
    const runId = String(started.body.id);

    const [task] = await approvalTasks(replicaB, runId, 1);
    expect(task).toMatchObject({ kind: 'approval', subject: 'Refund #W7?', call: { id: 'approve' } });
    const approved = await call(replicaB, 'POST', `/v1/inbox/tasks/${String(task?.id)}/approve`, operatorKey, {});
    expect(approved.status, JSON.stringify(approved.body)).toBe(200);
    expect(approved.body).toMatchObject({ status: 'resolved', resolution: 'approved' });

    const done = await waitForStatus(replicaA, runId, ['completed', 'failed', 'needs_attention']);
    expect(done, JSON.stringify(done)).toMatchObject({ status: 'completed', output: { text: 'Your refund is on its way.' } });
    const steps = done.steps as StepView[];
    expect(steps.find((step) => step.key === 'approve')).toMatchObject({
      kind: 'human',
      status: 'completed',
      output: { approved: true, by: expect.stringContaining(operatorId) },
    });
    expect(steps.find((step) => step.key === 'notify')).toMatchObject({ kind: 'llm', status: 'completed' });

    const spent = await spentBy(runId);
    expect(spent.modelCalls).toBe(1);
    expect(spent.rows).toHaveLength(1);
    expect(spent.rows[0]).toMatchObject({ workflow: 'refund', run_id: runId });

    // Decided once: the task and the run refuse a second decision on either replica.
    const again = await call(replicaA, 'POST', `/v1/inbox/tasks/${String(task?.id)}/approve`, operatorKey, {});
    expect(again.status).toBe(409);
    const direct = await call(replicaA, 'POST', `/v1/workflow-runs/${runId}/decisions`, key, { call_id: 'approve', decision: 'approve' });
    expect(direct.status).toBe(409);
  });

  it('pauses once for two human steps in parallel branches, decided on different replicas, then completes', async () => {
    const started = await call(replicaB, 'POST', '/v1/workflows/contract/runs', key, { input: { deal: 'D-42' } });
    expect(started.status, JSON.stringify(started.body)).toBe(200);
    expect(started.body.status, JSON.stringify(started.body)).toBe('waiting_approval');
    const pending = started.body.pending as { call_id: string; title: string }[];
    expect(pending.map((entry) => [entry.call_id, entry.title]).sort()).toEqual([
      ['sign.finance.finance_ok', 'Finance review of D-42'],
      ['sign.legal.legal_ok', 'Legal review of D-42'],
    ]);
    const runId = String(started.body.id);

    const tasks = await approvalTasks(replicaA, runId, 2);
    expect(tasks).toHaveLength(2);
    const taskFor = (callId: string): Json => {
      const found = tasks.find((task) => (task.call as Json | undefined)?.id === callId);
      expect(found, callId).toBeDefined();
      return found as Json;
    };
    expect(taskFor('sign.legal.legal_ok')).toMatchObject({ queue: 'legal' });
    expect(taskFor('sign.finance.finance_ok')).toMatchObject({ queue: 'finance' });

    const legal = await call(replicaA, 'POST', `/v1/inbox/tasks/${String(taskFor('sign.legal.legal_ok').id)}/approve`, operatorKey, {});
    expect(legal.status, JSON.stringify(legal.body)).toBe(200);
    // One decision of two: the run still waits, on the other one only, and has called no model.
    const halfway = (await call(replicaB, 'GET', `/v1/workflow-runs/${runId}`, key)).body;
    expect(halfway).toMatchObject({ status: 'waiting_approval', pending: [{ call_id: 'sign.finance.finance_ok' }] });
    expect((await spentBy(runId)).modelCalls).toBe(0);

    const finance = await call(
      replicaB,
      'POST',
      `/v1/inbox/tasks/${String(taskFor('sign.finance.finance_ok').id)}/approve`,
      operatorKey,
      {},
    );
    expect(finance.status, JSON.stringify(finance.body)).toBe(200);

    const done = await waitForStatus(replicaA, runId, ['completed', 'failed', 'needs_attention']);
    expect(done, JSON.stringify(done)).toMatchObject({ status: 'completed', output: { text: 'Signed by both.' } });
    const steps = done.steps as StepView[];
    for (const stepKey of ['sign.legal.legal_ok', 'sign.finance.finance_ok']) {
      expect(
        steps.find((step) => step.key === stepKey),
        stepKey,
      ).toMatchObject({ kind: 'human', status: 'completed', output: { approved: true } });
    }
    expect(steps.find((step) => step.key === 'sign')).toMatchObject({ kind: 'parallel', status: 'completed' });
    const spent = await spentBy(runId);
    expect(spent.modelCalls).toBe(1);
    expect(spent.rows).toHaveLength(1);
    expect(spent.rows[0]).toMatchObject({ workflow: 'contract', run_id: runId });
  });
});
