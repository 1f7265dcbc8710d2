/**
 * Workflow runs end to end over HTTP on the scripted provider: llm, tool and branch steps, maps, loops,
 * retries, timeouts and error paths, budgets, streaming, and every token on the ledger with the workflow and run.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { usdToPicos } from '../../src/core/index.js';
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
  ({ hub, key, otherKey, apply, run, until } = await startWorkflowRunHub('workflow-runs'));
});

afterAll(async () => {
  await hub?.close();
});

beforeEach(() => {
  hub.hub.scripted('script').setScript([]);
});

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

  it('refuses input, metadata and answers the database cannot store with a 400 naming the field, storing nothing', async () => {
    await apply(workflow('stored', { steps: [{ id: 'say', kind: 'llm', model: 'scripted', prompt: 'Say' }] }));
    const before = (await call(hub, 'GET', '/v1/workflow-runs?workflow=stored', key)).body.data as Json[];
    for (const [body, param] of [
      [{ input: { note: 'a\u0000b' } }, 'input'],
      [{ input: { ['k\u0000']: 1 } }, 'input'],
      [{ input: { deep: [['\ud800']] } }, 'input'],
      [{ metadata: { tag: 'x\u0000' } }, 'metadata'],
    ] as const) {
      const answer = await call(hub, 'POST', '/v1/workflows/stored/runs', key, body);
      expect(answer.status, JSON.stringify(body)).toBe(400);
      expect(answer.body.error).toMatchObject({ param });
    }
    expect((await call(hub, 'GET', '/v1/workflow-runs?workflow=stored', key)).body.data).toHaveLength(before.length);
  });
});
