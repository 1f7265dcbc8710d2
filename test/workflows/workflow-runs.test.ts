/**
 * Workflow runs end to end over HTTP on the scripted provider: every step kind, expressions, control flow,
 * retries, a person's decision through the inbox's approval path, waits, budgets, and every token on the ledger
 * with the workflow and the run.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { usdToPicos } from '../../src/core/index.js';
import { createKey, createTenant, ledgerRows } from '../support/economy.js';
import { startTestHub, type TestHub } from '../support/hub.js';
import { type Answer, call, type Json } from '../support/workflows.js';

let hub: TestHub;
let key: string;
let otherKey: string;

beforeAll(async () => {
  hub = await startTestHub({
    providers: [{ id: 'script', type: 'scripted' }],
    models: [
      { name: 'scripted', targets: [{ provider: 'script', model: 'scripted' }], pricing: { input_per_mtok: 10, output_per_mtok: 30 } },
    ],
  });
  const tenant = await createTenant(hub, 'workflow-runs');
  key = (await createKey(hub, { tenant_id: tenant.id, scopes: ['agents:write', 'agents:run'] })).key;
  otherKey = (await createKey(hub, { tenant_id: (await createTenant(hub, 'workflow-runs-b')).id, scopes: ['agents:write', 'agents:run'] }))
    .key;
  const agent = await call(hub, 'POST', '/v1/agents', key, { name: 'triage', model: 'scripted', instructions: 'You triage.' });
  expect(agent.status).toBe(201);
});

afterAll(async () => {
  await hub?.close();
});

beforeEach(() => {
  hub.hub.scripted('script').setScript([]);
});

const workflow = (name: string, spec: Json): Json => ({ apiVersion: 'tokenhub.dev/v1', kind: 'Workflow', metadata: { name }, spec });

async function apply(document: Json): Promise<void> {
  const answer = await call(hub, 'POST', '/v1/workflows', key, document);
  expect([200, 201], JSON.stringify(answer.body)).toContain(answer.status);
}

async function run(name: string, input: Json = {}, mode = 'sync'): Promise<Answer> {
  return call(hub, 'POST', `/v1/workflows/${name}/runs`, key, { input, mode });
}

async function until(runId: string, statuses: string[], timeoutMs = 15_000): Promise<Json> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const read = await call(hub, 'GET', `/v1/workflow-runs/${runId}`, key);
    if (statuses.includes(String(read.body.status))) return read.body;
    if (Date.now() > deadline) throw new Error(`run ${runId} stayed ${String(read.body.status)}: ${JSON.stringify(read.body)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const stepsOf = (body: Json) =>
  body.steps as { key: string; id: string; kind: string; status: string; output: unknown; cost_usd: string | null }[];

describe('workflow runs', () => {
  it('runs llm, branch and tool steps in order, with CEL over earlier outputs, billed on the ledger to the workflow and run', async () => {
    await apply(
      workflow('classify', {
        inputs: { type: 'object', properties: { message: { type: 'string' } }, required: ['message'] },
        steps: [
          {
            id: 'classify',
            kind: 'llm',
            model: 'scripted',
            prompt: 'Classify: ${{ input.message }}',
            output_schema: {
              type: 'object',
              properties: { intent: { type: 'string' }, amount: { type: 'integer' } },
              required: ['intent'],
            },
          },
          {
            id: 'route',
            kind: 'branch',
            cases: [{ when: "steps.classify.output.json.intent == 'refund'", next: 'compute' }],
            default: 'other',
          },
          {
            id: 'compute',
            kind: 'tool',
            tool: { type: 'builtin', name: 'calculator' },
            arguments: { expression: '${{ string(steps.classify.output.json.amount) }} * 2' },
            end: true,
          },
          { id: 'other', kind: 'llm', model: 'scripted', prompt: 'Answer: ${{ input.message }}' },
        ],
        output: { intent: '${{ steps.classify.output.json.intent }}', doubled: '${{ steps.compute.output.content }}' },
      }),
    );
    hub.hub.scripted('script').setScript([{ when: { last_user_message_contains: 'Classify' }, text: '{"intent":"refund","amount":21}' }]);
    const answer = await run('classify', { message: 'I want my money back' });
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    expect(answer.body).toMatchObject({ object: 'workflow.run', workflow: 'classify', status: 'completed', output: { intent: 'refund' } });
    expect(String((answer.body.output as Json).doubled)).toContain('42');
    const steps = stepsOf(answer.body);
    expect(steps.find((step) => step.key === 'route')).toMatchObject({ kind: 'branch', status: 'completed' });
    expect(steps.find((step) => step.key === 'other')).toBeUndefined();
    const rows = (await ledgerRows(hub)).filter((row) => row.run_id === answer.body.id);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ workflow: 'classify' });
    expect(usdToPicos(String((answer.body.usage as Json).cost_usd))).toBe(usdToPicos(rows[0]?.cost_usd ?? '0'));
    expect(steps.find((step) => step.key === 'classify')?.cost_usd).toBe(rows[0]?.cost_usd);

    const bad = await run('classify', { message: 42 });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatchObject({ param: 'input', code: 'invalid_input' });
  });

  it('maps over a list with bounded concurrency and keeps the results in order; a loop that runs out takes its exhausted path', async () => {
    await apply(
      workflow('fanout', {
        steps: [
          {
            id: 'each',
            kind: 'map',
            items: 'input.names',
            concurrency: 3,
            steps: [{ id: 'greet', kind: 'llm', model: 'scripted', prompt: 'Greet ${{ item }} (#${{ index }})' }],
          },
          {
            id: 'refine',
            kind: 'loop',
            max_iterations: 3,
            until: "steps.draft.output.text == 'good'",
            exhausted: 'give_up',
            steps: [{ id: 'draft', kind: 'llm', model: 'scripted', prompt: 'Draft ${{ iteration }}' }],
          },
          { id: 'done', kind: 'llm', model: 'scripted', prompt: 'never', end: true },
          { id: 'give_up', kind: 'llm', model: 'scripted', prompt: 'Give up after ${{ steps.refine.status }}' },
        ],
        output: { greetings: '${{ steps.each.output.map(g, g.text) }}', last: '${{ steps.give_up.output.text }}' },
      }),
    );
    const names = ['ann', 'bob', 'cy', 'dee', 'eve'];
    hub.hub
      .scripted('script')
      .setScript([
        ...names.map((name) => ({ when: { last_user_message_contains: `Greet ${name}` }, text: `hello ${name}` })),
        { when: { last_user_message_contains: 'Draft' }, text: 'meh', repeat: true },
        { when: { last_user_message_contains: 'Give up after exhausted' }, text: 'gave up' },
      ]);
    const answer = await run('fanout', { names });
    expect(answer.body.status, JSON.stringify(answer.body)).toBe('completed');
    expect(answer.body.output).toEqual({ greetings: names.map((name) => `hello ${name}`), last: 'gave up' });
    const steps = stepsOf(answer.body);
    expect(steps.filter((step) => step.id === 'greet').map((step) => step.key)).toEqual(
      expect.arrayContaining(names.map((_, index) => `each[${index}].greet`)),
    );
    expect(steps.filter((step) => step.id === 'draft')).toHaveLength(3);
    expect(steps.find((step) => step.key === 'refine')?.status).toBe('exhausted');
    expect(steps.find((step) => step.key === 'done')).toBeUndefined();

    // Without an exhausted path, running out fails the run: never a success.
    await apply(
      workflow('fanout-strict', {
        steps: [
          {
            id: 'refine',
            kind: 'loop',
            max_iterations: 2,
            until: "steps.draft.output.text == 'good'",
            steps: [{ id: 'draft', kind: 'llm', model: 'scripted', prompt: 'Draft ${{ iteration }}' }],
          },
        ],
      }),
    );
    hub.hub.scripted('script').setScript([{ when: { last_user_message_contains: 'Draft' }, text: 'meh', repeat: true }]);
    const strict = await run('fanout-strict');
    expect(strict.body).toMatchObject({ status: 'failed', error: { code: 'loop_exhausted', step: 'refine' } });
  });

  it('retries a failing step on its declared errors, then takes its error path', async () => {
    await apply(
      workflow('retrying', {
        steps: [
          {
            id: 'ask',
            kind: 'llm',
            model: 'scripted',
            prompt: 'Ask',
            output_schema: { type: 'object', required: ['ok'] },
            retry: { max_attempts: 3, backoff_ms: 10, on: ['invalid_output'] },
            on_error: 'fallback',
            end: true,
          },
          { id: 'fallback', kind: 'llm', model: 'scripted', prompt: 'Fallback: ${{ steps.ask.error.code }}' },
        ],
      }),
    );
    hub.hub.scripted('script').setScript([
      { when: { last_user_message_contains: 'Ask' }, text: 'not JSON' },
      { when: { last_user_message_contains: 'Ask' }, text: '{"ok":"answered on the second try"}' },
    ]);
    const recovered = await run('retrying');
    expect(recovered.body, JSON.stringify(recovered.body.error)).toMatchObject({
      status: 'completed',
      output: { json: { ok: 'answered on the second try' } },
    });
    expect(stepsOf(recovered.body).find((step) => step.key === 'ask')).toMatchObject({ status: 'completed', attempt: 2 });

    hub.hub.scripted('script').setScript([
      { when: { last_user_message_contains: 'Ask' }, text: 'never JSON', repeat: true },
      { when: { last_user_message_contains: 'Fallback: invalid_output' }, text: 'fell back' },
    ]);
    const fellBack = await run('retrying');
    expect(fellBack.body).toMatchObject({ status: 'completed', output: { text: 'fell back' } });
    expect(stepsOf(fellBack.body).find((step) => step.key === 'ask')).toMatchObject({ status: 'failed', attempt: 3 });
  });

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

  it("stops at the workflow's max_cost_usd across its steps", async () => {
    await apply(
      workflow('costly', {
        max_cost_usd: '0.0005',
        steps: [
          {
            id: 'each',
            kind: 'map',
            items: '[1, 2, 3, 4, 5, 6, 7, 8, 9, 10]',
            concurrency: 1,
            steps: [{ id: 'spend', kind: 'llm', model: 'scripted', prompt: 'Spend ${{ item }}', max_tokens: 10 }],
          },
        ],
      }),
    );
    hub.hub.scripted('script').setScript([{ text: 'x'.repeat(40), repeat: true }]);
    const answer = await run('costly');
    expect(answer.body.status, JSON.stringify(answer.body)).toBe('budget_exceeded');
    expect(usdToPicos(String((answer.body.usage as Json).cost_usd))).toBeLessThanOrEqual(usdToPicos('0.0005'));
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

  it('times a step out and takes its error path; the call is aborted', async () => {
    const { createServer } = await import('node:http');
    let closed = false;
    const hanging = createServer((request) => {
      request.on('close', () => {
        closed = true;
      });
    });
    await new Promise<void>((resolve) => hanging.listen(0, '127.0.0.1', resolve));
    const port = (hanging.address() as { port: number }).port;
    try {
      await apply(
        workflow('slow', {
          steps: [
            {
              id: 'fetch',
              kind: 'tool',
              tool: {
                type: 'http',
                name: 'slow_lookup',
                description: 'A slow lookup',
                parameters: { type: 'object', properties: {} },
                request: { method: 'GET', url: `http://127.0.0.1:${port}/slow` },
                idempotent: true,
                timeout_ms: 60_000,
              },
              timeout_s: 1,
              on_error: 'late',
              end: true,
            },
            { id: 'late', kind: 'llm', model: 'scripted', prompt: 'Late: ${{ steps.fetch.error.code }}' },
          ],
        }),
      );
      hub.hub.scripted('script').setScript([{ when: { last_user_message_contains: 'Late: timeout' }, text: 'too slow' }]);
      const answer = await run('slow');
      expect(answer.body, JSON.stringify(answer.body.error)).toMatchObject({ status: 'completed', output: { text: 'too slow' } });
      expect(stepsOf(answer.body).find((step) => step.key === 'fetch')).toMatchObject({ status: 'failed' });
      expect(closed).toBe(true);
    } finally {
      hanging.closeAllConnections();
      await new Promise<void>((resolve) => hanging.close(() => resolve()));
    }
  });

  it("catches a failure inside a map with the map's own error path", async () => {
    await apply(
      workflow('map-guard', {
        steps: [
          {
            id: 'each',
            kind: 'map',
            items: "['good', 'bad']",
            concurrency: 1,
            on_error: 'recover',
            end: true,
            steps: [
              {
                id: 'check',
                kind: 'llm',
                model: 'scripted',
                prompt: 'Check ${{ item }}',
                output_schema: { type: 'object', required: ['ok'] },
              },
            ],
          },
          { id: 'recover', kind: 'llm', model: 'scripted', prompt: 'Recover from ${{ steps.each.error.code }}' },
        ],
      }),
    );
    hub.hub.scripted('script').setScript([
      { when: { last_user_message_contains: 'Check good' }, text: '{"ok":true}' },
      { when: { last_user_message_contains: 'Check bad' }, text: 'not json' },
      { when: { last_user_message_contains: 'Recover from invalid_output' }, text: 'recovered' },
    ]);
    const answer = await run('map-guard');
    expect(answer.body, JSON.stringify(answer.body.error)).toMatchObject({ status: 'completed', output: { text: 'recovered' } });
    expect(stepsOf(answer.body).find((step) => step.key === 'each')).toMatchObject({ status: 'failed' });

    // Without an error path the run fails, naming the item's step.
    await apply(
      workflow('map-unguarded', {
        steps: [
          {
            id: 'each',
            kind: 'map',
            items: "['bad']",
            steps: [
              {
                id: 'check',
                kind: 'llm',
                model: 'scripted',
                prompt: 'Check ${{ item }}',
                output_schema: { type: 'object', required: ['ok'] },
              },
            ],
          },
        ],
      }),
    );
    hub.hub.scripted('script').setScript([{ when: { last_user_message_contains: 'Check bad' }, text: 'not json' }]);
    const failed = await run('map-unguarded');
    expect(failed.body).toMatchObject({ status: 'failed', error: { code: 'invalid_output', step: 'each[0].check' } });
  });

  it('streams a run as server-sent events that end when it completes, and runs in the background', async () => {
    await apply(workflow('streamed', { steps: [{ id: 'say', kind: 'llm', model: 'scripted', prompt: 'Say hi' }] }));
    hub.hub.scripted('script').setScript([{ when: { last_user_message_contains: 'Say hi' }, text: 'hi', repeat: true }]);
    const response = await fetch(`${hub.url}/v1/workflows/streamed/runs`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ mode: 'stream' }),
    });
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    const events = [...(await response.text()).matchAll(/^event: (.+)$/gm)].map((match) => match[1]);
    expect(events[0]).toBe('run.queued');
    expect(events.at(-1)).toBe('run.completed');

    const background = await run('streamed', {}, 'background');
    expect(background.status).toBe(202);
    expect(background.body).toMatchObject({ object: 'workflow.run', status: 'queued' });
    expect(await until(String(background.body.id), ['completed'])).toMatchObject({ output: { text: 'hi' } });
    const listed = await call(hub, 'GET', '/v1/workflow-runs?workflow=streamed&status=completed', key);
    expect((listed.body.data as Json[]).map((entry) => entry.id)).toContain(background.body.id);
    expect((await call(hub, 'GET', '/v1/workflow-runs?status=nope', key)).status).toBe(400);
    expect((await call(hub, 'GET', `/v1/workflow-runs/${String(background.body.id)}`, otherKey)).status).toBe(404);
  });
});
