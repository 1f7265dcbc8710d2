/**
 * Agents as models through the official OpenAI SDK: `model: "agent/<name>"` on chat completions and the
 * Responses API, streaming and not, runs the agent (its tool steps inside the hub) and answers its final
 * text with the run's usage and id; a run that does not complete is a clear error, never retried.
 */
import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createKey, createTenant, ledgerRows } from '../support/economy.js';
import { startTestHub, type TestHub } from '../support/hub.js';

let hub: TestHub;
let client: OpenAI;
let inferenceOnly: OpenAI;
let otherTenant: OpenAI;
let key: string;

beforeAll(async () => {
  hub = await startTestHub({
    providers: [{ id: 'script', type: 'scripted' }],
    models: [
      { name: 'scripted', targets: [{ provider: 'script', model: 'scripted' }], pricing: { input_per_mtok: 10, output_per_mtok: 30 } },
    ],
  });
  const tenant = await createTenant(hub, 'agent-models');
  key = (await createKey(hub, { tenant_id: tenant.id, scopes: ['inference', 'agents:write', 'agents:run'] })).key;
  client = new OpenAI({ apiKey: key, baseURL: hub.openaiBaseUrl });
  inferenceOnly = new OpenAI({ apiKey: (await createKey(hub, { tenant_id: tenant.id })).key, baseURL: hub.openaiBaseUrl, maxRetries: 0 });
  const other = await createTenant(hub, 'agent-models-other');
  otherTenant = new OpenAI({
    apiKey: (await createKey(hub, { tenant_id: other.id, scopes: ['agents:run'] })).key,
    baseURL: hub.openaiBaseUrl,
    maxRetries: 0,
  });
  const agent = {
    name: 'calc',
    model: 'scripted',
    instructions: 'You compute.',
    tools: [
      { type: 'builtin', name: 'calculator' },
      { type: 'builtin', name: 'transfer_to_human' },
    ],
  };
  const created = await fetch(`${hub.url}/v1/agents`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify(agent),
  });
  expect(created.status).toBe(201);
});

afterAll(async () => {
  await hub?.close();
});

/** A tool step inside the hub, then the answer; the usage of both model calls is given, so it sums exactly. */
function scriptAnswer(text: string): void {
  hub.hub.scripted('script').setScript([
    { tool_calls: [{ name: 'calculator', arguments: { expression: '6 * 7' } }], usage: { input_tokens: 20, output_tokens: 5 } },
    { when: { last_tool_result_contains: '42' }, text, usage: { input_tokens: 30, output_tokens: 7 } },
  ]);
}

async function runRows(runId: string) {
  return (await ledgerRows(hub)).filter((row) => row.run_id === runId);
}

beforeEach(() => {
  hub.hub.scripted('script').setScript([]);
});

describe('agents as models', () => {
  it('answers a chat completion with the run’s final text, usage and id', async () => {
    scriptAnswer('6 * 7 = 42.');
    const { data, response } = await client.chat.completions
      .create({ model: 'agent/calc', messages: [{ role: 'user', content: 'What is 6 * 7?' }] })
      .withResponse();
    expect(data.object).toBe('chat.completion');
    expect(data.model).toBe('agent/calc');
    expect(data.choices[0]?.message).toMatchObject({ role: 'assistant', content: '6 * 7 = 42.' });
    expect(data.choices[0]?.finish_reason).toBe('stop');
    expect(data.usage).toMatchObject({ prompt_tokens: 50, completion_tokens: 12, total_tokens: 62 });
    const runId = response.headers.get('x-tokenhub-run-id');
    expect(runId).toMatch(/^run_/);
    const rows = await runRows(String(runId));
    expect(rows).toHaveLength(2);
    expect(rows.every((row) => row.agent === 'calc')).toBe(true);
    // The request's messages are the run's input; the tool step stayed inside the hub.
    const calls = hub.hub.scripted('script').calls;
    expect(calls).toHaveLength(2);
    expect(calls[0]?.request.messages.at(-1)).toMatchObject({ role: 'user', content: 'What is 6 * 7?' });
  });

  it('streams a chat completion', async () => {
    scriptAnswer('Streamed 42.');
    const { data: stream, response } = await client.chat.completions
      .create({
        model: 'agent/calc',
        messages: [{ role: 'user', content: '6 * 7?' }],
        stream: true,
        stream_options: { include_usage: true },
      })
      .withResponse();
    expect(response.headers.get('x-tokenhub-run-id')).toMatch(/^run_/);
    let text = '';
    let usage: OpenAI.CompletionUsage | null | undefined;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      if (chunk.usage) usage = chunk.usage;
    }
    expect(text).toBe('Streamed 42.');
    expect(usage).toMatchObject({ prompt_tokens: 50, completion_tokens: 12 });
  });

  it('answers the Responses API, streaming and not, and continues with previous_response_id', async () => {
    scriptAnswer('Responses 42.');
    const { data: response, response: raw } = await client.responses
      .create({ model: 'agent/calc', input: 'What is 6 * 7?' })
      .withResponse();
    expect(response.status).toBe('completed');
    expect(response.output_text).toBe('Responses 42.');
    expect(response.usage).toMatchObject({ input_tokens: 50, output_tokens: 12 });
    expect(raw.headers.get('x-tokenhub-run-id')).toMatch(/^run_/);

    scriptAnswer('Still 42.');
    const stream = await client.responses.create({
      model: 'agent/calc',
      input: 'And again?',
      previous_response_id: response.id,
      stream: true,
    });
    let text = '';
    let completed: OpenAI.Responses.Response | undefined;
    for await (const event of stream) {
      if (event.type === 'response.output_text.delta') text += event.delta;
      if (event.type === 'response.completed') completed = event.response;
    }
    expect(text).toBe('Still 42.');
    expect(completed?.usage).toMatchObject({ input_tokens: 50, output_tokens: 12 });
    // The second run started from the first exchange.
    const conversation = hub.hub.scripted('script').calls[0]?.request.messages.filter((message) => message.role !== 'system');
    expect(conversation?.map(({ role, content }) => ({ role, content }))).toEqual([
      { role: 'user', content: 'What is 6 * 7?' },
      { role: 'assistant', content: 'Responses 42.' },
      { role: 'user', content: 'And again?' },
    ]);
  });

  it('needs the agents:run scope: 403 missing_scope', async () => {
    for (const attempt of [
      () => inferenceOnly.chat.completions.create({ model: 'agent/calc', messages: [{ role: 'user', content: 'Hi' }] }),
      () => inferenceOnly.responses.create({ model: 'agent/calc', input: 'Hi' }),
    ]) {
      const error = await attempt().catch((thrown: unknown) => thrown);
      expect(error).toBeInstanceOf(OpenAI.APIError);
      expect((error as InstanceType<typeof OpenAI.APIError>).status).toBe(403);
      expect((error as InstanceType<typeof OpenAI.APIError>).code).toBe('missing_scope');
    }
    expect(hub.hub.scripted('script').calls).toHaveLength(0);
  });

  it("answers another tenant's or an unknown agent as an unknown model", async () => {
    for (const [caller, model] of [
      [otherTenant, 'agent/calc'],
      [client, 'agent/nobody'],
    ] as const) {
      const error = await caller.chat.completions
        .create({ model, messages: [{ role: 'user', content: 'Hi' }] })
        .catch((thrown: unknown) => thrown);
      expect((error as InstanceType<typeof OpenAI.APIError>).status).toBe(404);
      expect((error as InstanceType<typeof OpenAI.APIError>).code).toBe('model_not_found');
    }
  });

  it('answers a hand-off to a person with a 409 naming the run and the summary, and is not retried', async () => {
    hub.hub
      .scripted('script')
      .setScript([{ tool_calls: [{ name: 'transfer_to_human', arguments: { summary: 'Customer wants a refund.' } }] }]);
    const response = await fetch(`${hub.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'agent/calc', messages: [{ role: 'user', content: 'Refund me.' }] }),
    });
    expect(response.status).toBe(409);
    expect(response.headers.get('x-should-retry')).toBe('false');
    const runId = response.headers.get('x-tokenhub-run-id');
    const body = (await response.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('agent_handed_off');
    expect(body.error.message).toContain('Customer wants a refund.');
    expect(body.error.message).toContain(String(runId));

    // The SDK (which retries 409s by default) runs the agent once.
    hub.hub.scripted('script').setScript([{ tool_calls: [{ name: 'transfer_to_human', arguments: { summary: 'Again.' } }], repeat: true }]);
    const error = await client.chat.completions
      .create({ model: 'agent/calc', messages: [{ role: 'user', content: 'Refund me.' }], stream: true })
      .catch((thrown: unknown) => thrown);
    expect((error as InstanceType<typeof OpenAI.APIError>).status).toBe(409);
    expect(hub.hub.scripted('script').calls).toHaveLength(1);
  });

  it('lists the agents as models for a key that may run them', async () => {
    const ids = (await client.models.list()).data.map((model) => model.id);
    expect(ids).toContain('agent/calc');
    expect(ids).toContain('scripted');
    const inferenceIds = (await inferenceOnly.models.list()).data.map((model) => model.id);
    expect(inferenceIds).not.toContain('agent/calc');
  });
});
