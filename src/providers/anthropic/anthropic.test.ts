import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type FakeAnthropic, startFakeAnthropic } from '../../../test/fake-upstreams/anthropic.js';
import type { ProviderConfig } from '../../config/index.js';
import { type ChatRequest, HubError, type StreamPart } from '../../core/index.js';
import type { CallContext, Provider } from '../spec.js';
import { createAnthropicProvider } from './index.js';

let fake: FakeAnthropic;
let provider: Provider;

const config = (baseUrl: string, apiKey = 'sk-ant-fake'): ProviderConfig => ({
  id: 'claude-test',
  type: 'anthropic',
  base_url: baseUrl,
  api_key: apiKey,
  max_connections: 8,
});

const context = (signal = new AbortController().signal): CallContext => ({ signal, requestId: 'req_test' });

const request = (patch: Partial<ChatRequest> = {}): ChatRequest => ({
  model: 'claude-haiku-4-5',
  stream: false,
  messages: [
    { role: 'system', content: 'Be brief.' },
    { role: 'user', content: 'Hi there' },
  ],
  ...patch,
});

const weatherTool = {
  name: 'get_weather',
  description: 'Current weather',
  parameters: { type: 'object', properties: { city: { type: 'string' }, days: { type: 'integer' } } },
};

async function collect(stream: AsyncIterable<StreamPart>): Promise<StreamPart[]> {
  const parts: StreamPart[] = [];
  for await (const part of stream) parts.push(part);
  return parts;
}

async function failure(promise: Promise<unknown>): Promise<HubError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof HubError) return error;
    throw error;
  }
  throw new Error('expected a HubError');
}

async function streamFailure(request: ChatRequest): Promise<{ parts: StreamPart[]; error: HubError }> {
  const parts: StreamPart[] = [];
  const stream = await provider.streamChat(request, context());
  const error = await failure(
    (async () => {
      for await (const part of stream) parts.push(part);
    })(),
  );
  return { parts, error };
}

beforeAll(async () => {
  fake = await startFakeAnthropic();
  provider = createAnthropicProvider(config(fake.url));
});

afterAll(async () => {
  await provider.close();
  await fake.close();
});

beforeEach(() => fake.reset());

describe('anthropic provider: chat', () => {
  it('sends a Messages request with Anthropic headers and maps the answer', async () => {
    fake.setBehaviour({ cacheReadInputTokens: 100, cacheCreationInputTokens: 10 });
    const result = await provider.chat(request(), context());

    const sent = fake.requests[0];
    expect(sent?.path).toBe('/v1/messages');
    expect(sent?.headers['x-api-key']).toBe('sk-ant-fake');
    expect(sent?.headers['anthropic-version']).toBe('2023-06-01');
    expect(sent?.headers.authorization).toBeUndefined();
    expect(sent?.body).toEqual({
      model: 'claude-haiku-4-5',
      max_tokens: 4096,
      system: 'Be brief.',
      messages: [{ role: 'user', content: 'Hi there' }],
    });

    expect(result).toMatchObject({
      id: 'msg_fake_1',
      model: 'claude-haiku-4-5',
      choices: [{ index: 0, message: { content: 'Hello from fake Anthropic' }, finishReason: 'stop' }],
    });
    expect(result.usage).toEqual({
      inputTokens: 135,
      outputTokens: 4,
      cachedInputTokens: 100,
      cacheWriteInputTokens: 10,
      source: 'upstream',
    });
  });

  it('maps tool use to canonical tool calls', async () => {
    const result = await provider.chat(
      request({ messages: [{ role: 'user', content: 'Please use tool for Paris' }], tools: [weatherTool], maxTokens: 50 }),
      context(),
    );
    expect(fake.requests[0]?.body?.tools).toEqual([
      { name: 'get_weather', description: 'Current weather', input_schema: weatherTool.parameters },
    ]);
    expect(result.choices[0]).toEqual({
      index: 0,
      message: {
        content: 'Let me use a tool.',
        toolCalls: [{ id: 'toolu_fake_1_0', name: 'get_weather', arguments: '{"city":"test city","days":1}' }],
      },
      finishReason: 'tool_calls',
    });
  });

  it('reports max_tokens as length', async () => {
    const result = await provider.chat(request({ maxTokens: 2 }), context());
    expect(result.choices[0]?.message.content).toBe('Hello from');
    expect(result.choices[0]?.finishReason).toBe('length');
    expect(result.usage.outputTokens).toBe(2);
  });

  it('refuses what Anthropic cannot do before calling it', async () => {
    const error = await failure(provider.chat(request({ n: 3 }), context()));
    expect(error.code).toBe('UNSUPPORTED_FEATURE');
    expect(fake.requests).toHaveLength(0);
  });
});

describe('anthropic provider: upstream errors', () => {
  it('maps 429 with retry-after to UPSTREAM_RATE_LIMITED', async () => {
    fake.failNext({ kind: 'status', status: 429, retryAfter: 7, message: 'Number of request tokens has exceeded your rate limit' });
    const error = await failure(provider.chat(request(), context()));
    expect(error.code).toBe('UPSTREAM_RATE_LIMITED');
    expect(error.details.retryAfterSeconds).toBe(7);
    expect(error.retryable).toBe(true);
    expect(error.message).toContain('Number of request tokens has exceeded your rate limit');
  });

  it('maps 529 overloaded to UPSTREAM_UNAVAILABLE', async () => {
    fake.failNext({ kind: 'status', status: 529 });
    const error = await failure(provider.streamChat(request({ stream: true }), context()));
    expect(error.code).toBe('UPSTREAM_UNAVAILABLE');
    expect(error.retryable).toBe(true);
  });

  it('passes a 400 on as UPSTREAM_REJECTED with status 400', async () => {
    fake.failNext({ kind: 'status', status: 400, message: 'messages: roles must alternate' });
    const error = await failure(provider.chat(request(), context()));
    expect(error.code).toBe('UPSTREAM_REJECTED');
    expect(error.status).toBe(400);
    expect(error.retryable).toBe(false);
    expect(error.message).toContain('messages: roles must alternate');
  });

  it('reports refused credentials as an upstream fault, not the client', async () => {
    const wrongKey = createAnthropicProvider(config(fake.url, 'sk-ant-wrong'));
    try {
      const error = await failure(wrongKey.chat(request(), context()));
      expect(error.code).toBe('UPSTREAM_ERROR');
      expect(error.message).toContain('credentials (401)');
    } finally {
      await wrongKey.close();
    }
  });

  it('gives up on a silent upstream with the reason of the abort', async () => {
    fake.failNext({ kind: 'hang' });
    const controller = new AbortController();
    const timeout = new HubError('UPSTREAM_TIMEOUT', 'no first byte');
    setTimeout(() => controller.abort(timeout), 50);
    const error = await failure(provider.streamChat(request({ stream: true }), context(controller.signal)));
    expect(error).toBe(timeout);
  });

  it('serves no embeddings', async () => {
    const error = await failure(provider.embeddings({ model: 'x', input: 'y' }, context()));
    expect(error.code).toBe('UNSUPPORTED_FEATURE');
  });
});

describe('anthropic provider: streamChat', () => {
  it('streams text with exact usage', async () => {
    fake.setBehaviour({ cacheReadInputTokens: 100, cacheCreationInputTokens: 10 });
    const parts = await collect(await provider.streamChat(request({ stream: true }), context()));
    expect(fake.requests[0]?.body?.stream).toBe(true);
    expect(parts.map((part) => (part.type === 'response-start' ? { ...part, created: 0 } : part))).toEqual([
      { type: 'response-start', id: 'msg_fake_1', model: 'claude-haiku-4-5', created: 0 },
      { type: 'text-delta', index: 0, text: 'Hello' },
      { type: 'text-delta', index: 0, text: ' from' },
      { type: 'text-delta', index: 0, text: ' fake' },
      { type: 'text-delta', index: 0, text: ' Anthropic' },
      { type: 'choice-finish', index: 0, reason: 'stop' },
      {
        type: 'usage-final',
        usage: { inputTokens: 135, outputTokens: 4, cachedInputTokens: 100, cacheWriteInputTokens: 10, source: 'upstream' },
      },
    ]);
  });

  it('streams tool use as tool-call-start and tool-call-delta parts', async () => {
    const parts = await collect(
      await provider.streamChat(
        request({ stream: true, messages: [{ role: 'user', content: 'use tool please' }], tools: [weatherTool], toolChoice: 'required' }),
        context(),
      ),
    );
    expect(fake.requests[0]?.body?.tool_choice).toEqual({ type: 'any' });
    const toolParts = parts.filter((part) => part.type === 'tool-call-start' || part.type === 'tool-call-delta');
    expect(toolParts[0]).toEqual({ type: 'tool-call-start', index: 0, toolIndex: 0, id: 'toolu_fake_1_0', name: 'get_weather' });
    const args = toolParts.map((part) => (part.type === 'tool-call-delta' ? part.argumentsDelta : '')).join('');
    expect(JSON.parse(args)).toEqual({ city: 'test city', days: 1 });
    expect(toolParts.slice(1).every((part) => part.type === 'tool-call-delta')).toBe(true);
    expect(parts.find((part) => part.type === 'choice-finish')).toEqual({ type: 'choice-finish', index: 0, reason: 'tool_calls' });
    const usage = parts.at(-1);
    expect(usage?.type === 'usage-final' && usage.usage.outputTokens).toBe(7); // 5 words of preamble + 2 slices of tool input
  });

  it.each([
    ['overloaded_error', 'UPSTREAM_UNAVAILABLE'],
    ['api_error', 'UPSTREAM_ERROR'],
  ] as const)('throws on a mid-stream %s event after what came before', async (errorType, code) => {
    fake.failNext({ kind: 'stream-error', afterDeltas: 2, errorType });
    const { parts, error } = await streamFailure(request({ stream: true }));
    expect(parts.filter((part) => part.type === 'text-delta')).toHaveLength(2);
    expect(error.code).toBe(code);
    expect(error.message).toContain(`failed mid-stream: ${errorType}`);
  });

  it('throws when the connection drops mid-stream', async () => {
    fake.failNext({ kind: 'cut', afterDeltas: 1 });
    const { parts, error } = await streamFailure(request({ stream: true }));
    expect(parts.map((part) => part.type)).toEqual(['response-start', 'text-delta']);
    expect(error.code).toBe('UPSTREAM_ERROR');
  });

  it('throws when the stream ends cleanly before message_stop', async () => {
    fake.failNext({ kind: 'cut', afterDeltas: 3, mode: 'end' });
    const { error } = await streamFailure(request({ stream: true }));
    expect(error.code).toBe('UPSTREAM_ERROR');
    expect(error.message).toBe('upstream claude-test ended its stream before message_stop');
  });
});

describe('anthropic provider: forward', () => {
  const body = JSON.stringify({
    model: 'claude-sonnet-4-5',
    max_tokens: 1024,
    stream: true,
    thinking: { type: 'enabled', budget_tokens: 1024 },
    messages: [{ role: 'user', content: 'Hi' }],
  });

  it('passes a stream through byte for byte with only protocol headers', async () => {
    const answer = await provider.forward?.(
      {
        path: '/messages',
        body,
        stream: true,
        headers: { 'anthropic-version': '2023-06-01', 'anthropic-beta': 'interleaved-thinking-2025-05-14', 'x-api-key': 'client-key' },
      },
      context(),
    );
    expect(answer?.status).toBe(200);
    expect(answer?.headers['content-type']).toContain('text/event-stream');
    const chunks: Buffer[] = [];
    for await (const chunk of answer?.body ?? []) chunks.push(Buffer.from(chunk));
    const text = Buffer.concat(chunks).toString('utf8');
    expect(text.startsWith('event: message_start\n')).toBe(true);
    expect(text).toContain('"type":"thinking_delta"');
    expect(text.endsWith('event: message_stop\ndata: {"type":"message_stop"}\n\n')).toBe(true);

    const sent = fake.requests[0];
    expect(sent?.rawBody).toBe(body);
    expect(sent?.headers['x-api-key']).toBe('sk-ant-fake');
    expect(sent?.headers['anthropic-beta']).toBe('interleaved-thinking-2025-05-14');
  });

  it('passes a JSON answer through and throws for errors', async () => {
    const plain = JSON.stringify({ ...JSON.parse(body), stream: false });
    const answer = await provider.forward?.({ path: '/messages', body: plain, stream: false }, context());
    const chunks: Buffer[] = [];
    for await (const chunk of answer?.body ?? []) chunks.push(Buffer.from(chunk));
    expect(JSON.parse(Buffer.concat(chunks).toString('utf8'))).toMatchObject({ type: 'message', stop_reason: 'end_turn' });

    fake.failNext({ kind: 'status', status: 429, retryAfter: 3 });
    const error = await failure(provider.forward?.({ path: '/messages', body: plain, stream: false }, context()) ?? Promise.resolve());
    expect(error.code).toBe('UPSTREAM_RATE_LIMITED');
    expect(error.details.retryAfterSeconds).toBe(3);
  });
});
