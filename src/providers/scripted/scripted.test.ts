import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKey, createTenant, ledgerRow } from '../../../test/support/economy.js';
import { startTestHub, type TestHub } from '../../../test/support/hub.js';
import { configSchema } from '../../config/index.js';
import type { ScriptedProvider } from './index.js';

let hub: TestHub;
let script: ScriptedProvider;
let client: OpenAI;

const LOOKUP_TOOL: OpenAI.ChatCompletionTool = {
  type: 'function',
  function: { name: 'lookup_order', parameters: { type: 'object', properties: { order_id: { type: 'string' } } } },
};

beforeAll(async () => {
  hub = await startTestHub({
    providers: [
      { id: 'script', type: 'scripted' },
      { id: 'greeter', type: 'scripted', script: [{ text: 'Hello from the config script.' }] },
    ],
    models: [
      { name: 'agent-model', targets: [{ provider: 'script', model: 'scripted-1' }], pricing: { input_per_mtok: 1, output_per_mtok: 2 } },
      { name: 'greeter', targets: [{ provider: 'greeter', model: 'greet' }] },
    ],
    routing: { retries: 1, backoff_ms: 1 },
  });
  script = hub.hub.scripted('script');
  const tenant = await createTenant(hub, 'Scripted');
  client = new OpenAI({ apiKey: (await createKey(hub, { tenant_id: tenant.id })).key, baseURL: hub.openaiBaseUrl, maxRetries: 0 });
});

afterAll(async () => {
  await hub?.close();
});

describe('scripted provider', () => {
  it('answers a tool call, then the text for the tool result, and bills the counted usage', async () => {
    script.setScript([
      { tool_calls: [{ name: 'lookup_order', arguments: { order_id: '#W1' } }] },
      { when: { last_tool_result_contains: 'shipped' }, text: 'Your order #W1 has shipped.' },
    ]);
    const question: OpenAI.ChatCompletionMessageParam = { role: 'user', content: 'Where is my order #W1?' };
    const first = await client.chat.completions.create({ model: 'agent-model', messages: [question], tools: [LOOKUP_TOOL] }).withResponse();
    const call = first.data.choices[0]?.message.tool_calls?.[0];
    expect(first.data.choices[0]?.finish_reason).toBe('tool_calls');
    expect(call).toMatchObject({ id: 'call_1_0', type: 'function', function: { name: 'lookup_order', arguments: '{"order_id":"#W1"}' } });
    // One token per word: five in the question; out: the tool's name and its one-word arguments.
    expect(first.data.usage).toMatchObject({ prompt_tokens: 5, completion_tokens: 2 });
    const row = await ledgerRow(hub, first.response.headers.get('x-request-id') ?? '');
    expect(row).toMatchObject({ prompt_tokens: 5, completion_tokens: 2, usage_source: 'upstream', provider: 'script', status: 200 });
    expect(row.cost_usd).toBe('0.000009');

    const second = await client.chat.completions.create({
      model: 'agent-model',
      messages: [
        question,
        { role: 'assistant', content: null, tool_calls: [call as OpenAI.ChatCompletionMessageToolCall] },
        { role: 'tool', tool_call_id: 'call_1_0', content: '{"status":"shipped"}' },
      ],
    });
    expect(second.choices[0]?.message.content).toBe('Your order #W1 has shipped.');
    expect(second.usage).toMatchObject({ prompt_tokens: 5 + 2 + 1, completion_tokens: 5 });
    expect(script.calls.map((recorded) => recorded.step)).toEqual([0, 1]);
    expect(script.calls[1]?.request.messages.at(-1)).toMatchObject({ role: 'tool', toolCallId: 'call_1_0' });
  });

  it('streams reasoning, text and parallel tool calls as canonical parts, with the usage the step gives', async () => {
    script.setScript([
      {
        reasoning: 'Two orders: look both up.',
        text: 'Looking them up.',
        tool_calls: [
          { id: 'call_a', name: 'lookup_order', arguments: { order_id: '#W1' } },
          { id: 'call_b', name: 'lookup_order', arguments: '{"order_id":"#W2"}' },
        ],
        usage: { input_tokens: 100, output_tokens: 40, reasoning_tokens: 10 },
      },
    ]);
    const stream = await client.chat.completions
      .create({
        model: 'agent-model',
        messages: [{ role: 'user', content: 'Orders #W1 and #W2?' }],
        tools: [LOOKUP_TOOL],
        stream: true,
        stream_options: { include_usage: true },
      })
      .withResponse();
    let text = '';
    let textChunks = 0;
    const calls: { id?: string; name?: string; arguments: string }[] = [];
    let finish: string | null | undefined;
    let usage: OpenAI.CompletionUsage | null | undefined;
    for await (const chunk of stream.data) {
      const delta = chunk.choices[0]?.delta;
      if (delta?.content) {
        text += delta.content;
        textChunks++;
      }
      for (const toolCall of delta?.tool_calls ?? []) {
        const entry = calls[toolCall.index] ?? { arguments: '' };
        calls[toolCall.index] = entry;
        if (toolCall.id) entry.id = toolCall.id;
        if (toolCall.function?.name) entry.name = toolCall.function.name;
        entry.arguments += toolCall.function?.arguments ?? '';
      }
      finish = chunk.choices[0]?.finish_reason ?? finish;
      if (chunk.usage) usage = chunk.usage;
    }
    expect(text).toBe('Looking them up.');
    expect(textChunks).toBe(3);
    expect(calls).toEqual([
      { id: 'call_a', name: 'lookup_order', arguments: '{"order_id":"#W1"}' },
      { id: 'call_b', name: 'lookup_order', arguments: '{"order_id":"#W2"}' },
    ]);
    expect(finish).toBe('tool_calls');
    expect(usage).toMatchObject({ prompt_tokens: 100, completion_tokens: 40 });
    const row = await ledgerRow(hub, stream.response.headers.get('x-request-id') ?? '');
    expect(row).toMatchObject({ prompt_tokens: 100, completion_tokens: 40, stream: true, usage_source: 'upstream' });
  });

  it('fails a call as an upstream would, so the router retries it on the next step', async () => {
    script.setScript([{ error: { status: 500, message: 'model crashed' } }, { text: 'Recovered.' }]);
    const answer = await client.chat.completions.create({ model: 'agent-model', messages: [{ role: 'user', content: 'Hi' }] });
    expect(answer.choices[0]?.message.content).toBe('Recovered.');

    script.setScript([{ error: { status: 400, message: 'context too long' } }]);
    await expect(
      client.chat.completions.create({ model: 'agent-model', messages: [{ role: 'user', content: 'Hi' }] }),
    ).rejects.toMatchObject({
      status: 400,
      message: expect.stringContaining('context too long'),
    });
  });

  it('answers a clear error once the script is exhausted, streaming or not', async () => {
    script.setScript([{ text: 'Only answer.' }]);
    await client.chat.completions.create({ model: 'agent-model', messages: [{ role: 'user', content: 'Hi' }] });
    for (const stream of [false, true]) {
      const error = await client.chat.completions
        .create({ model: 'agent-model', messages: [{ role: 'user', content: 'Again' }], stream })
        .then(
          () => undefined,
          (thrown: unknown) => thrown as { status: number; code: string; message: string },
        );
      expect(error).toMatchObject({ status: 500, code: 'script_exhausted' });
      expect(error?.message).toContain('scripted provider script: the script is exhausted');
    }
    expect(script.remaining()).toBe(0);
  });

  it('takes the first unused step whose condition holds, and never uses up a repeat step', async () => {
    script.setScript([
      { when: { last_user_message_contains: 'refund' }, text: 'Refunds take 5 days.' },
      { when: { last_role: 'user' }, text: 'Anything else?', repeat: true },
    ]);
    const ask = async (content: string) =>
      (await client.chat.completions.create({ model: 'agent-model', messages: [{ role: 'user', content }] })).choices[0]?.message.content;
    expect(await ask('Hello')).toBe('Anything else?');
    expect(await ask('I want a refund')).toBe('Refunds take 5 days.');
    expect(await ask('Another refund')).toBe('Anything else?');
    expect(script.remaining()).toBe(1);
  });

  it('plays the script given in the config file', async () => {
    const answer = await client.chat.completions.create({ model: 'greeter', messages: [{ role: 'user', content: 'Hi' }] });
    expect(answer.choices[0]?.message.content).toBe('Hello from the config script.');
  });

  it('refuses a bad step, in the config file and at run time, naming the field', () => {
    const bad = configSchema.safeParse({
      providers: [{ id: 's', type: 'scripted', script: [{ text: 'a' }, { reasoning: 'b', error: { status: 500 } }] }],
    });
    expect(bad.success).toBe(false);
    expect(bad.error?.issues[0]?.path).toEqual(['providers', 0, 'script', 1, 'error']);
    const misplaced = configSchema.safeParse({ providers: [{ id: 'o', type: 'openai', preset: 'openai', script: [{ text: 'a' }] }] });
    expect(misplaced.error?.issues[0]?.path).toEqual(['providers', 0, 'script']);
    expect(() => script.setScript([{ tool_calls: [{ name: '' }] }])).toThrow(/invalid script\.0\.tool_calls\.0\.name/);
    expect(() => hub.hub.scripted('nope')).toThrow(/no scripted provider/);
  });
});
