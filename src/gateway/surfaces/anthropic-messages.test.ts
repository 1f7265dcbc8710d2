import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeAnthropic, startFakeAnthropic } from '../../../test/fake-upstreams/anthropic.js';
import { type FakeOpenAI, startFakeOpenAI } from '../../../test/fake-upstreams/openai.js';
import { startTestHub, type TestHub } from '../../../test/support/hub.js';

let claude: FakeAnthropic;
let openaiUpstream: FakeOpenAI;
let hub: TestHub;
let anthropic: Anthropic;
let openai: OpenAI;

const weatherTool = {
  name: 'get_weather',
  description: 'Weather for a city',
  input_schema: { type: 'object' as const, properties: { city: { type: 'string' } }, required: ['city'] },
};

beforeAll(async () => {
  claude = await startFakeAnthropic({
    apiKey: 'sk-ant-upstream',
    replyText: 'Hello from fake Anthropic',
    cacheReadInputTokens: 7,
    inputTokens: 25,
  });
  openaiUpstream = await startFakeOpenAI({ promptTokens: 13, cachedTokens: 4 });
  hub = await startTestHub({
    providers: [
      { id: 'claude', type: 'anthropic', base_url: claude.url, api_key: 'sk-ant-upstream' },
      { id: 'oai', type: 'openai', base_url: openaiUpstream.url },
    ],
    models: [
      { name: 'claude-test', targets: [{ provider: 'claude', model: 'claude-sonnet-4-20250514' }] },
      { name: 'gpt-test', targets: [{ provider: 'oai', model: 'gpt-4o-mini' }] },
    ],
    routing: { retries: 1, backoff_ms: 1 },
  });
  anthropic = new Anthropic({ apiKey: hub.adminKey, baseURL: hub.url, maxRetries: 0 });
  openai = new OpenAI({ apiKey: hub.adminKey, baseURL: hub.openaiBaseUrl, maxRetries: 0 });
});

afterAll(async () => {
  await hub?.close();
  await claude?.close();
  await openaiUpstream?.close();
});

describe('Anthropic client → Anthropic upstream (pass-through)', () => {
  it('answers non-streaming with the upstream message and forwards anthropic-version', async () => {
    const message = await anthropic.messages.create({
      model: 'claude-test',
      max_tokens: 100,
      system: 'Be brief.',
      messages: [{ role: 'user', content: 'Hi' }],
    });
    expect(message.content[0]).toMatchObject({ type: 'text', text: 'Hello from fake Anthropic' });
    expect(message.usage).toMatchObject({ input_tokens: 25, cache_read_input_tokens: 7 });
    const sent = claude.requests.at(-1);
    expect(sent?.body?.model).toBe('claude-sonnet-4-20250514');
    // The client's own protocol version reaches the upstream (the SDK sends its current one).
    expect(sent?.headers['anthropic-version']).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(sent?.headers['x-api-key']).toBe('sk-ant-upstream');
  });

  it('streams events the SDK assembles into the final message, tool use included', async () => {
    const stream = anthropic.messages.stream({
      model: 'claude-test',
      max_tokens: 200,
      tools: [weatherTool],
      messages: [{ role: 'user', content: 'please use tool' }],
    });
    const final = await stream.finalMessage();
    expect(final.stop_reason).toBe('tool_use');
    const toolUse = final.content.find((block) => block.type === 'tool_use');
    expect(toolUse).toMatchObject({ type: 'tool_use', name: 'get_weather' });
  });
});

describe('Anthropic client → OpenAI upstream (translation)', () => {
  it('translates a non-streaming answer with usage mapped exactly', async () => {
    const message = await anthropic.messages.create({
      model: 'gpt-test',
      max_tokens: 50,
      system: 'sys',
      messages: [{ role: 'user', content: 'Hi' }],
    });
    expect(message.type).toBe('message');
    expect(message.model).toBe('gpt-test');
    expect(message.content).toEqual(
      [{ type: 'text', text: 'Hello from fake OpenAI!', citations: null }].map(({ citations: _c, ...block }) =>
        expect.objectContaining(block),
      ),
    );
    expect(message.stop_reason).toBe('end_turn');
    // OpenAI prompt_tokens 13 with 4 cached → Anthropic input 9 + cache_read 4.
    expect(message.usage).toMatchObject({ input_tokens: 9, cache_read_input_tokens: 4, output_tokens: 5 });
    const sent = openaiUpstream.requests.at(-1)?.body as { messages: { role: string }[]; max_tokens: number };
    expect(sent.messages[0]).toEqual({ role: 'system', content: 'sys' });
    expect(sent.max_tokens).toBe(50);
  });

  it('translates a stream, tool calls included', async () => {
    const text = await anthropic.messages
      .stream({ model: 'gpt-test', max_tokens: 50, messages: [{ role: 'user', content: 'Hi' }] })
      .finalText();
    expect(text).toBe('Hello from fake OpenAI!');

    const final = await anthropic.messages
      .stream({ model: 'gpt-test', max_tokens: 50, tools: [weatherTool], messages: [{ role: 'user', content: 'please use tool' }] })
      .finalMessage();
    expect(final.stop_reason).toBe('tool_use');
    expect(final.content.find((block) => block.type === 'tool_use')).toMatchObject({ name: 'get_weather', input: { city: 'Paris' } });
    expect(final.usage).toMatchObject({ input_tokens: 9, cache_read_input_tokens: 4 });
  });
});

describe('OpenAI client → Anthropic upstream (translation)', () => {
  it('translates a non-streaming answer with cached tokens mapped exactly', async () => {
    const completion = await openai.chat.completions.create({
      model: 'claude-test',
      messages: [
        { role: 'system', content: 'sys' },
        { role: 'user', content: 'Hi' },
      ],
    });
    expect(completion.choices[0]?.message.content).toBe('Hello from fake Anthropic');
    expect(completion.choices[0]?.finish_reason).toBe('stop');
    // Anthropic input 25 + cache_read 7 → OpenAI prompt_tokens 32 of which 7 cached.
    expect(completion.usage).toMatchObject({ prompt_tokens: 32, prompt_tokens_details: { cached_tokens: 7 } });
    const sent = claude.requests.at(-1)?.body as { system: unknown; max_tokens: number };
    expect(sent.system).toBe('sys');
    expect(sent.max_tokens).toBeGreaterThan(0);
  });

  it('translates a stream with tool calls and a usage chunk', async () => {
    const stream = await openai.chat.completions.create({
      model: 'claude-test',
      stream: true,
      stream_options: { include_usage: true },
      tools: [{ type: 'function', function: { name: 'get_weather', parameters: weatherTool.input_schema } }],
      messages: [{ role: 'user', content: 'please use tool' }],
    });
    let args = '';
    let name = '';
    let finish: string | null | undefined;
    let usage: OpenAI.CompletionUsage | null | undefined;
    for await (const chunk of stream) {
      const call = chunk.choices[0]?.delta.tool_calls?.[0];
      if (call?.function?.name) name = call.function.name;
      args += call?.function?.arguments ?? '';
      finish = chunk.choices[0]?.finish_reason ?? finish;
      if (chunk.usage) usage = chunk.usage;
    }
    expect(name).toBe('get_weather');
    expect(JSON.parse(args)).toHaveProperty('city');
    expect(finish).toBe('tool_calls');
    expect(usage?.prompt_tokens).toBe(32);
  });
});

describe('errors in the Anthropic shape', () => {
  it('400 for a request without max_tokens, 404 for an unknown model, 401 for a wrong key', async () => {
    const missing = await fetch(`${hub.url}/v1/messages`, {
      method: 'POST',
      headers: { 'x-api-key': hub.adminKey, 'content-type': 'application/json', 'anthropic-version': '2023-06-01' },
      body: JSON.stringify({ model: 'claude-test', messages: [{ role: 'user', content: 'x' }] }),
    });
    expect(missing.status).toBe(400);
    expect(await missing.json()).toMatchObject({ type: 'error', error: { type: 'invalid_request_error' } });

    await expect(
      anthropic.messages.create({ model: 'nope', max_tokens: 5, messages: [{ role: 'user', content: 'x' }] }),
    ).rejects.toBeInstanceOf(Anthropic.NotFoundError);
    const wrong = new Anthropic({ apiKey: 'wrong', baseURL: hub.url, maxRetries: 0 });
    await expect(
      wrong.messages.create({ model: 'claude-test', max_tokens: 5, messages: [{ role: 'user', content: 'x' }] }),
    ).rejects.toBeInstanceOf(Anthropic.AuthenticationError);
  });

  it('passes an upstream overload through as a retryable failure, then a clean error', async () => {
    claude.failNext({ kind: 'status', status: 529 }, { kind: 'status', status: 529 });
    const error = await anthropic.messages
      .create({ model: 'claude-test', max_tokens: 5, messages: [{ role: 'user', content: 'x' }] })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(Anthropic.APIError);
    expect((error as InstanceType<typeof Anthropic.APIError>).status).toBe(503);
  });

  it('ends a pass-through stream cut by the upstream with an error event', async () => {
    claude.failNext({ kind: 'cut', afterDeltas: 1 });
    const response = await fetch(`${hub.url}/v1/messages`, {
      method: 'POST',
      headers: { 'x-api-key': hub.adminKey, 'content-type': 'application/json', 'anthropic-version': '2023-06-01' },
      body: JSON.stringify({ model: 'claude-test', max_tokens: 50, stream: true, messages: [{ role: 'user', content: 'x' }] }),
    });
    const text = await response.text();
    expect(text).toContain('event: error');
    expect(text).not.toContain('message_stop');
  });
});
