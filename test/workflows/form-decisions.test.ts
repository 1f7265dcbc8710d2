/**
 * A form step's answer is checked when it is submitted through `POST /v1/workflow-runs/{id}/decisions`: a bad value
 * is a 400 `invalid_form` naming the field, the run still waits with nothing stored, and a good answer afterwards
 * lets the run go on. A rejection carries no values to check.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decisionState, startWorkflowRunHub, type WorkflowRunHub, workflow } from '../support/workflow-runs.js';
import { call, type Json } from '../support/workflows.js';

let hub: WorkflowRunHub['hub'];
let key: string;
let run: WorkflowRunHub['run'];
let until: WorkflowRunHub['until'];

const REVIEW_FORM = workflow('review-order', {
  steps: [
    {
      id: 'review',
      kind: 'human',
      title: 'Review ${{ input.order }}',
      mode: 'form',
      fields: [
        { name: 'email', type: 'string', required: true },
        { name: 'count', type: 'integer', required: true },
        { name: 'plan', type: 'enum', options: ['basic', 'pro'], default: 'basic' },
        { name: 'note', type: 'text' },
      ],
    },
  ],
  output: { approved: '${{ steps.review.output.approved }}', values: '${{ steps.review.output.values }}' },
});

const stored = (runId: string): Promise<Json> => decisionState(hub, runId);

/** A run of the form workflow, waiting on its step, once the inbox has opened the step's task. */
async function waitingRun(order: string): Promise<string> {
  const started = await run('review-order', { order });
  expect(started.body.status, JSON.stringify(started.body)).toBe('waiting_approval');
  const runId = String(started.body.id);
  const deadline = Date.now() + 15_000;
  while ((await hub.hub.db.query('select id from inbox_tasks where run_id = $1', [runId])).length === 0) {
    if (Date.now() > deadline) throw new Error(`the inbox opened no task for ${runId}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return runId;
}

const decide = (runId: string, body: Json) => call(hub, 'POST', `/v1/workflow-runs/${runId}/decisions`, key, body);

beforeAll(async () => {
  ({ hub, key, run, until } = await startWorkflowRunHub('form-decisions'));
  const saved = await call(hub, 'POST', '/v1/workflows', key, REVIEW_FORM);
  expect([200, 201], JSON.stringify(saved.body)).toContain(saved.status);
});

afterAll(async () => {
  await hub?.close();
});

describe('form answers checked at decision time', () => {
  it('refuses a bad answer with a 400 naming the field, stores nothing, and takes a good answer afterwards', async () => {
    const runId = await waitingRun('#F1');
    const before = await stored(runId);
    expect(before).toMatchObject({ run: { status: 'waiting_approval' }, decided: 0, tasks: [{ status: 'open' }] });

    const refusals: [Json | undefined, string, string][] = [
      [{ email: 42, count: 3 }, 'values.email', 'must be text'],
      [{ email: 'ann@shop.test' }, 'values.count', 'is required'],
      [{ email: 'ann@shop.test', count: 2.5 }, 'values.count', 'must be a whole number'],
      [{ email: 'ann@shop.test', count: 2, plan: 'gold' }, 'values.plan', 'must be one of basic, pro'],
      [undefined, 'values.email', 'is required'],
    ];
    for (const [values, param, problem] of refusals) {
      const answer = await decide(runId, { call_id: 'review', decision: 'approve', ...(values ? { values } : {}) });
      expect(answer.status, JSON.stringify(answer.body)).toBe(400);
      expect(answer.body.error).toMatchObject({ type: 'invalid_request_error', code: 'invalid_form', param });
      expect(String((answer.body.error as Json).message)).toContain(problem);
    }
    expect(await stored(runId)).toEqual(before);
    const read = await call(hub, 'GET', `/v1/workflow-runs/${runId}`, key);
    expect(read.body).toMatchObject({ status: 'waiting_approval', pending: [expect.objectContaining({ call_id: 'review' })] });

    // A call the run does not wait on is still refused for that, not for its values.
    const unknown = await decide(runId, { call_id: 'nope', decision: 'approve', values: { email: 1 } });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error).toMatchObject({ param: 'call_id' });

    const good = await decide(runId, {
      call_id: 'review',
      decision: 'approve',
      values: { email: 'ann@shop.test', count: 2, ignored: 'dropped' },
    });
    expect(good.status, JSON.stringify(good.body)).toBe(200);
    const done = await until(runId, ['completed', 'failed']);
    expect(done).toMatchObject({
      status: 'completed',
      output: { approved: true, values: { email: 'ann@shop.test', count: 2, plan: 'basic', note: null } },
    });
    expect(await stored(runId)).toMatchObject({ decided: 1, tasks: [{ status: 'resolved', resolution: 'approved through the API' }] });
  });

  it('takes a rejection without checking values: the step gives no values and the run goes on', async () => {
    const runId = await waitingRun('#F2');
    const rejected = await decide(runId, { call_id: 'review', decision: 'reject', reason: 'not ours', values: { email: 42 } });
    expect(rejected.status, JSON.stringify(rejected.body)).toBe(200);
    const done = await until(runId, ['completed', 'failed']);
    expect(done).toMatchObject({ status: 'completed', output: { approved: false, values: {} } });
  });
});
