/**
 * A workflow form step decided from the inbox: approving its task with a bad answer is a 400 `invalid_form`
 * naming the field, the task stays open (or held by its claimant) and the run still waits with nothing stored;
 * a good answer then resolves the task and the run goes on. Rejecting carries no values to check.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKey, createTenant } from '../support/economy.js';
import { startTestHub, type TestHub } from '../support/hub.js';
import { decisionState } from '../support/workflow-runs.js';
import { type Answer, call, createPerson, type Json, type Person, SCRIPTED_CONFIG, waitFor } from './inbox-support.js';

let hub: TestHub;
let serviceKey: string;
let operator: Person;

const REVIEW_FORM = {
  apiVersion: 'tokenhub.dev/v1',
  kind: 'Workflow',
  metadata: { name: 'intake' },
  spec: {
    steps: [
      {
        id: 'review',
        kind: 'human',
        // biome-ignore lint/suspicious/noTemplateCurlyInString: a workflow expression, not a JavaScript template
        title: 'Review ${{ input.order }}',
        mode: 'form',
        queue: 'intake',
        fields: [
          { name: 'email', type: 'string', required: true },
          { name: 'count', type: 'integer', required: true },
          { name: 'urgent', type: 'boolean', default: false },
        ],
      },
    ],
    // biome-ignore lint/suspicious/noTemplateCurlyInString: workflow expressions, not JavaScript templates
    output: { approved: '${{ steps.review.output.approved }}', values: '${{ steps.review.output.values }}' },
  },
};

const stored = (runId: string): Promise<Json> => decisionState(hub, runId);

/** Starts a run of the form workflow and returns it with the open approval task the operator sees for it. */
async function openTask(order: string): Promise<{ runId: string; taskId: string }> {
  const started = await call(hub, 'POST', '/v1/workflows/intake/runs', { input: { order } }, serviceKey);
  expect(started.body.status, JSON.stringify(started.body)).toBe('waiting_approval');
  const runId = String(started.body.id);
  const task = await waitFor('the step’s task', async () => {
    const open = await call(hub, 'GET', '/v1/inbox/tasks?kind=approval&status=open', undefined, operator.key);
    return (open.body.data as Json[]).find((candidate) => candidate.run_id === runId);
  });
  expect(task).toMatchObject({ queue: 'intake', subject: `Review ${order}`, call: { id: 'review', arguments: { mode: 'form' } } });
  return { runId, taskId: String(task.id) };
}

const act = (taskId: string, verb: string, body: Json): Promise<Answer> =>
  call(hub, 'POST', `/v1/inbox/tasks/${taskId}/${verb}`, body, operator.key);

async function runOf(runId: string): Promise<Json> {
  return (await call(hub, 'GET', `/v1/workflow-runs/${runId}`, undefined, serviceKey)).body;
}

async function settled(runId: string): Promise<Json> {
  return waitFor('the run to end', async () => {
    const run = await runOf(runId);
    return ['completed', 'failed'].includes(String(run.status)) ? run : undefined;
  });
}

function expectRefused(answer: Answer, param: string): void {
  expect(answer.status, JSON.stringify(answer.body)).toBe(400);
  expect(answer.body.error).toMatchObject({ type: 'invalid_request_error', code: 'invalid_form', param });
}

beforeAll(async () => {
  hub = await startTestHub(SCRIPTED_CONFIG);
  const tenant = await createTenant(hub, 'inbox-forms');
  serviceKey = (await createKey(hub, { tenant_id: tenant.id, scopes: ['agents:write', 'agents:run'] })).key;
  operator = await createPerson(hub, tenant.id, 'operator', 'fran@inbox-forms.test');
  const saved = await call(hub, 'POST', '/v1/workflows', REVIEW_FORM, serviceKey);
  expect([200, 201], JSON.stringify(saved.body)).toContain(saved.status);
});

afterAll(async () => {
  await hub?.close();
});

describe('inbox decisions on a workflow form step', () => {
  it('refuses a bad answer on an open and on a claimed task, keeps both decidable, then takes a good one', async () => {
    const { runId, taskId } = await openTask('#I1');
    const open = await stored(runId);

    expectRefused(await act(taskId, 'approve', { values: { email: 7, count: 1 } }), 'values.email');
    expectRefused(await act(taskId, 'approve', {}), 'values.email');
    expect(await stored(runId)).toEqual(open);

    const claimed = await act(taskId, 'claim', { lease_seconds: 600 });
    expect(claimed.body, JSON.stringify(claimed.body)).toMatchObject({ status: 'claimed', assignee: operator.id });
    const held = await stored(runId);
    expectRefused(await act(taskId, 'approve', { values: { email: 'bo@shop.test', count: 'three' } }), 'values.count');
    expectRefused(await act(taskId, 'approve', { values: { email: 'bo@shop.test', count: 3, urgent: 'yes' } }), 'values.urgent');
    expect(await stored(runId)).toEqual(held);
    expect(held).toMatchObject({ run: { status: 'waiting_approval' }, decided: 0, tasks: [{ status: 'claimed', assignee: operator.id }] });
    expect(await runOf(runId)).toMatchObject({ status: 'waiting_approval', pending: [expect.objectContaining({ call_id: 'review' })] });

    const approved = await act(taskId, 'approve', { reason: 'checked', values: { email: 'bo@shop.test', count: 3 } });
    expect(approved.status, JSON.stringify(approved.body)).toBe(200);
    expect(approved.body).toMatchObject({ status: 'resolved', resolution: 'approved' });
    expect(await settled(runId)).toMatchObject({
      status: 'completed',
      output: { approved: true, values: { email: 'bo@shop.test', count: 3, urgent: false } },
    });
  });

  it('rejects a form task without checking values: the run goes on with no values', async () => {
    const { runId, taskId } = await openTask('#I2');
    const rejected = await act(taskId, 'reject', { reason: 'duplicate', values: { email: 7 } });
    expect(rejected.status, JSON.stringify(rejected.body)).toBe(200);
    expect(rejected.body).toMatchObject({ status: 'resolved', resolution: 'rejected: duplicate' });
    expect(await settled(runId)).toMatchObject({ status: 'completed', output: { approved: false, values: {} } });
  });
});
