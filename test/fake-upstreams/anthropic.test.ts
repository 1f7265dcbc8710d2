import Anthropic from '@anthropic-ai/sdk';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type FakeAnthropic, fakeAnthropicInputTokens, startFakeAnthropic } from './anthropic.js';

// The official SDK is the judge of whether the fake speaks the Messages API faithfully.
let fake: FakeAnthropic;
let client: Anthropic;

beforeAll(async () => {
  fake = await startFakeAnthropic();
  client = new Anthropic({ apiKey: 'sk-ant-fake', baseURL: fake.url.replace(/\/v1$/, ''), maxRetries: 0 });
});

afterAll(() => fake.close());
beforeEach(() => fake.reset());

const hello = { model: 'claude-haiku-4-5', max_tokens: 100, messages: [{ role: 'user' as const, content: 'Hello' }] };

describe('fake Anthropic upstream', () => {
  it('answers a message with deterministic text and usage', async () => {
    fake.setBehaviour({ cacheReadInputTokens: 3 });
    const message = await client.messages.create(hello);
    expect(message.content).toEqual([{ type: 'text', text: 'Hello from fake Anthropic' }]);
    expect(message.stop_reason).toBe('end_turn');
    expect(message.usage).toMatchObject({ input_tokens: 25, output_tokens: 4, cache_read_input_tokens: 3, cache_creation_input_tokens: 0 });
    expect(fake.requests[0]?.headers['anthropic-version']).toBe('2026-10-21');
    expect(fake.requests[0]?.headers.authorization).toBe('Bearer sk-ant-fake');
  });

  it('streams what the SDK accumulates into the same message', async () => {
    fake.setBehaviour({ chunks: 3, inputTokens: 'derived' });
    const stream = client.messages.stream(hello);
    const message = await stream.finalMessage();
    expect(message.content).toMatchObject([{ type: 'text', text: 'Hello from fake Anthropic' }]);
    expect(message.usage).toMatchObject({ input_tokens: fakeAnthropicInputTokens(hello), output_tokens: 3 });
  });

  it('streams thinking and tool use the SDK parses', async () => {
    const stream = client.messages.stream({
      ...hello,
      max_tokens: 2048,
      thinking: { type: 'enabled', budget_tokens: 1024 },
      tools: [{ name: 'lookup', input_schema: { type: 'object', properties: { q: { type: 'string' }, n: { type: 'integer' } } } }],
      messages: [{ role: 'user', content: 'please use tool' }],
    });
    const message = await stream.finalMessage();
    expect(message.stop_reason).toBe('tool_use');
    expect(message.content.map((block) => block.type)).toEqual(['thinking', 'text', 'tool_use']);
    expect(message.content[2]).toMatchObject({ type: 'tool_use', id: 'toolu_fake_1_0', name: 'lookup', input: { q: 'test q', n: 1 } });
  });

  it('stops at stop sequences and max_tokens', async () => {
    const stopped = await client.messages.create({ ...hello, stop_sequences: [' fake'] });
    expect(stopped).toMatchObject({ stop_reason: 'stop_sequence', stop_sequence: ' fake', content: [{ text: 'Hello from' }] });
    const capped = await client.messages.create({ ...hello, max_tokens: 1 });
    expect(capped).toMatchObject({ stop_reason: 'max_tokens', content: [{ text: 'Hello' }], usage: { output_tokens: 1 } });
  });

  it('answers scripted failures with Anthropic errors', async () => {
    fake.failNext({ kind: 'status', status: 429, retryAfter: 2 }, { kind: 'status', status: 529 });
    const limited = await client.messages.create(hello).catch((error: unknown) => error);
    expect(limited).toBeInstanceOf(Anthropic.RateLimitError);
    expect((limited as InstanceType<typeof Anthropic.RateLimitError>).headers.get('retry-after')).toBe('2');
    const overloaded = await client.messages.create(hello).catch((error: unknown) => error);
    expect(overloaded).toMatchObject({ status: 529, error: { type: 'error', error: { type: 'overloaded_error' } } });
  });

  it('refuses a wrong key and a missing version', async () => {
    const wrong = new Anthropic({ apiKey: 'nope', baseURL: fake.url.replace(/\/v1$/, ''), maxRetries: 0 });
    await expect(wrong.messages.create(hello)).rejects.toBeInstanceOf(Anthropic.AuthenticationError);
    const response = await fetch(`${fake.url}/messages`, {
      method: 'POST',
      headers: { 'x-api-key': 'sk-ant-fake', 'content-type': 'application/json' },
      body: JSON.stringify(hello),
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ type: 'error', error: { type: 'invalid_request_error' } });
  });

  it('ends a stream with an error event the SDK raises', async () => {
    fake.failNext({ kind: 'stream-error', afterDeltas: 1 });
    const stream = client.messages.stream(hello);
    await expect(stream.finalMessage()).rejects.toThrow(/overloaded/);
  });
});

describe('fake Anthropic upstream: API versions', () => {
  it('refuses sampling parameters under 2026-10-21 and takes them under 2023-06-01', async () => {
    const send = (version: string) =>
      fetch(`${fake.url}/messages`, {
        method: 'POST',
        headers: { 'x-api-key': 'sk-ant-fake', 'anthropic-version': version, 'content-type': 'application/json' },
        body: JSON.stringify({ ...hello, temperature: 1 }),
      });
    const refused = await send('2026-10-21');
    expect(refused.status).toBe(400);
    expect(await refused.json()).toMatchObject({
      error: { type: 'invalid_request_error', message: 'temperature: Extra inputs are not permitted' },
    });
    expect((await send('2023-06-01')).status).toBe(200);
  });
});
