/**
 * Workflow runs that wait: for a person (a form step through the inbox's approval path), for a time, for child
 * runs (agents, sub-workflows, parallel branches), and what a retry or a cancel does to those children.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ledgerRows } from '../support/economy.js';
import { startWorkflowRunHub, stepsOf, type WorkflowRunHub, workflow } from '../support/workflow-runs.js';
import { call, type Json } from '../support/workflows.js';

let hub: WorkflowRunHub['hub'];
let key: string;
let otherKey: string;
let apply: WorkflowRunHub['apply'];
let run: WorkflowRunHub['run'];
let until: WorkflowRunHub['until'];

beforeAll(async () => {
  ({ hub, key, otherKey, apply, run, until } = await startWorkflowRunHub('workflow-children'));
});

afterAll(async () => {
  await hub?.close();
});

beforeEach(() => {
  hub.hub.scripted('script').setScript([]);
});

describe('workflow runs that wait on people and child runs', () => {
  it('waits for a person without a lease: a form step in the inbox, decided, and the run goes on', async () => {
    await apply(
      workflow('photos', {
        steps: [
          {
            id: 'check',
            kind: 'human',
            title: 'Check the photos of ${{ input.order }}',
            mode: 'form',
            queue: 'returns',
            fields: [
              { name: 'photos_ok', type: 'boolean', required: true },
              { name: 'note', type: 'text', default: 'none' },
            ],
          },
          {
            id: 'decide',
            kind: 'branch',
            cases: [{ when: 'steps.check.output.values.photos_ok', next: 'refund' }],
            default: 'refuse',
          },
          {
            id: 'refund',
            kind: 'llm',
            model: 'scripted',
            prompt: 'Refund ${{ input.order }} (${{ steps.check.output.values.note }})',
            end: true,
          },
          { id: 'refuse', kind: 'llm', model: 'scripted', prompt: 'Refuse' },
        ],
      }),
    );
    const started = await run('photos', { order: '#W1' });
    expect(started.body.status, JSON.stringify(started.body)).toBe('waiting_approval');
    expect(started.body.pending).toEqual([
      expect.objectContaining({ call_id: 'check', step: 'check', title: 'Check the photos of #W1', mode: 'form' }),
    ]);
    const runId = String(started.body.id);
    const other = await call(hub, 'POST', `/v1/workflow-runs/${runId}/decisions`, otherKey, { call_id: 'check', decision: 'approve' });
    expect(other.status).toBe(404);
    const missing = await call(hub, 'POST', `/v1/workflow-runs/${runId}/decisions`, key, { call_id: 'nope', decision: 'approve' });
    expect(missing.status).toBe(400);

    hub.hub.scripted('script').setScript([{ when: { last_user_message_contains: 'Refund #W1 (none)' }, text: 'refunded' }]);
    const decided = await call(hub, 'POST', `/v1/workflow-runs/${runId}/decisions`, key, {
      call_id: 'check',
      decision: 'approve',
      values: { photos_ok: true },
    });
    expect(decided.status, JSON.stringify(decided.body)).toBe(200);
    const done = await until(runId, ['completed', 'failed']);
    expect(done).toMatchObject({ status: 'completed', output: { text: 'refunded' } });
    expect(stepsOf(done).find((step) => step.key === 'check')).toMatchObject({
      output: { approved: true, values: { photos_ok: true } },
      decision: { decision: 'approve' },
    });
    // The inbox had opened the step's task in its queue; decided through the API, it is resolved, not left open.
    const tasks = await hub.hub.db.query<{ status: string; queue: string; subject: string; resolution: string }>(
      'select status, queue, subject, resolution from inbox_tasks where run_id = $1',
      [runId],
    );
    expect(tasks).toEqual([
      { status: 'resolved', queue: 'returns', subject: 'Check the photos of #W1', resolution: 'approved through the API' },
    ]);
  });

  it('runs an agent as a child run and a wait step that pauses and wakes', async () => {
    await apply(
      workflow('with-agent', {
        steps: [
          { id: 'pause', kind: 'wait', seconds: 1 },
          { id: 'triage', kind: 'agent', agent: 'triage', input: 'Triage: ${{ input.text }}' },
        ],
      }),
    );
    hub.hub.scripted('script').setScript([{ when: { last_user_message_contains: 'Triage: broken' }, text: 'it is damaged' }]);
    const started = await run('with-agent', { text: 'broken' });
    expect(started.body.status).toBe('waiting');
    const done = await until(String(started.body.id), ['completed', 'failed']);
    expect(done.status, JSON.stringify(done)).toBe('completed');
    const triage = stepsOf(done).find((step) => step.key === 'triage') as Json;
    expect(triage.output).toMatchObject({ text: 'it is damaged' });
    const child = await call(hub, 'GET', `/v1/runs/${String(triage.child_run_id)}`, key);
    expect(child.body).toMatchObject({ status: 'completed', agent: 'triage' });
    const rows = (await ledgerRows(hub)).filter((row) => row.run_id === triage.child_run_id);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ agent: 'triage', workflow: 'with-agent' });
  });

  it('joins parallel branches and runs a sub-workflow as a child run whose output the parent reads', async () => {
    await apply(
      workflow('summarise', {
        inputs: { type: 'object', properties: { topic: { type: 'string' } }, required: ['topic'] },
        steps: [{ id: 'sum', kind: 'llm', model: 'scripted', prompt: 'Summarise ${{ input.topic }}' }],
        output: '${{ steps.sum.output.text }}',
      }),
    );
    await apply(
      workflow('both', {
        steps: [
          {
            id: 'fork',
            kind: 'parallel',
            branches: [
              { name: 'left', steps: [{ id: 'l', kind: 'llm', model: 'scripted', prompt: 'Left' }] },
              { name: 'right', steps: [{ id: 'r', kind: 'workflow', workflow: 'summarise', input: { topic: 'rivers' } }] },
            ],
          },
        ],
        output: { left: '${{ steps.l.output.text }}', right: '${{ steps.fork.output.right.output }}' },
      }),
    );
    hub.hub.scripted('script').setScript([
      { when: { last_user_message_contains: 'Left' }, text: 'west' },
      { when: { last_user_message_contains: 'Summarise rivers' }, text: 'rivers flow' },
    ]);
    const answer = await run('both');
    expect(answer.body, JSON.stringify(answer.body.error)).toMatchObject({
      status: 'completed',
      output: { left: 'west', right: 'rivers flow' },
    });
    const sub = stepsOf(answer.body).find((step) => step.key === 'fork.right.r') as Json;
    expect(sub).toMatchObject({ kind: 'workflow', status: 'completed' });
    const child = await call(hub, 'GET', `/v1/workflow-runs/${String(sub.child_run_id)}`, key);
    expect(child.body).toMatchObject({ workflow: 'summarise', status: 'completed', parent_run_id: answer.body.id, trigger: 'workflow' });
    // The parent's usage holds the child's call.
    expect((answer.body.usage as Json).model_calls).toBe(2);
  });

  it('retries a failed agent step by running the same child run again: its finished turns and tool results are kept', async () => {
    await call(hub, 'POST', '/v1/agents', key, {
      name: 'counter',
      model: 'scripted',
      instructions: 'You count.',
      tools: [{ type: 'builtin', name: 'calculator' }],
    });
    await apply(
      workflow('count', {
        steps: [
          {
            id: 'ask',
            kind: 'agent',
            agent: 'counter',
            input: 'Count 2 + 2',
            retry: { max_attempts: 2, backoff_ms: 10, on: ['child_failed'] },
          },
        ],
      }),
    );
    hub.hub.scripted('script').setScript([
      { when: { last_user_message_contains: 'Count 2 + 2' }, tool_calls: [{ name: 'calculator', arguments: { expression: '2 + 2' } }] },
      { when: { last_tool_result_contains: '4' }, error: { status: 400, message: 'context rejected' } },
      { when: { last_tool_result_contains: '4' }, text: 'It is 4.' },
    ]);
    const answer = await run('count');
    expect(answer.body, JSON.stringify(answer.body.error)).toMatchObject({ status: 'completed', output: { text: 'It is 4.' } });
    const ask = stepsOf(answer.body).find((step) => step.key === 'ask') as Json;
    expect(ask.attempt).toBe(2);
    const child = await call(hub, 'GET', `/v1/runs/${String(ask.child_run_id)}`, key);
    const steps = child.body.steps as { kind: string; status: string; attempts: number }[];
    expect(steps.map((step) => [step.kind, step.status, step.attempts])).toEqual([
      ['model', 'finished', 1],
      ['tool', 'finished', 1],
      ['model', 'finished', 1],
    ]);
  });

  it('waits without a lease while its agent step waits for an approval, and a cancel stops the child too', async () => {
    await call(hub, 'POST', '/v1/agents', key, {
      name: 'careful',
      model: 'scripted',
      instructions: 'You ask first.',
      tools: [{ type: 'builtin', name: 'calculator', approval: 'always' }],
    });
    await apply(workflow('careful-flow', { steps: [{ id: 'ask', kind: 'agent', agent: 'careful', input: 'Compute 1 + 1' }] }));
    hub.hub
      .scripted('script')
      .setScript([
        { when: { last_user_message_contains: 'Compute 1 + 1' }, tool_calls: [{ name: 'calculator', arguments: { expression: '1 + 1' } }] },
      ]);
    const answer = await run('careful-flow');
    expect(answer.body.status, JSON.stringify(answer.body)).toBe('waiting');
    const ask = stepsOf(answer.body).find((step) => step.key === 'ask') as Json;
    expect(ask.status).toBe('waiting');
    const child = await call(hub, 'GET', `/v1/runs/${String(ask.child_run_id)}`, key);
    expect(child.body.status).toBe('waiting_approval');

    const cancelled = await call(hub, 'POST', `/v1/workflow-runs/${String(answer.body.id)}/cancel`, key);
    expect(cancelled.body.status).toBe('cancelled');
    expect((await call(hub, 'GET', `/v1/runs/${String(ask.child_run_id)}`, key)).body.status).toBe('cancelled');
  });
});
