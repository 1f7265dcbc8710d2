import OpenAI from 'openai';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type FakeOpenAI, startFakeOpenAI } from '../../../test/fake-upstreams/openai.js';
import { startTestHub, type TestHub } from '../../../test/support/hub.js';

let upstream: FakeOpenAI;
let backup: FakeOpenAI;
let hub: TestHub;
let client: OpenAI;

beforeAll(async () => {
  upstream = await startFakeOpenAI({ apiKey: 'sk-upstream-secret' });
  backup = await startFakeOpenAI({ reply: 'Backup answer.' });
  hub = await startTestHub({
    providers: [
      { id: 'main', type: 'openai', base_url: upstream.url, api_key: 'sk-upstream-secret' },
      { id: 'backup', type: 'openai', preset: 'vllm', base_url: backup.url },
    ],
    models: [
      { name: 'gpt-test', targets: [{ provider: 'main', model: 'upstream-gpt' }], fallbacks: ['backup-model'] },
      { name: 'backup-model', targets: [{ provider: 'backup', model: 'qwen-7b' }] },
      { name: 'embed-test', kind: 'embedding', targets: [{ provider: 'main', model: 'text-embedding-3-small' }] },
    ],
    routing: { retries: 1, backoff_ms: 1, timeout_ms: 5_000, first_byte_timeout_ms: 1_000 },
  });
  client = new OpenAI({ apiKey: hub.adminKey, baseURL: hub.openaiBaseUrl, maxRetries: 0 });
});

afterAll(async () => {
  await hub?.close();
  await upstream?.close();
  await backup?.close();
});

afterEach(() => {
  upstream.set({ omitUsage: false, delayMs: 0 });
});

describe('POST /v1/chat/completions (OpenAI SDK, pass-through)', () => {
  it('answers a non-streaming completion with the upstream body, usage and tracing headers', async () => {
    const { data, response } = await client.chat.completions
      .create({ model: 'gpt-test', messages: [{ role: 'user', content: 'Hi' }], max_tokens: 20 })
      .withResponse();
    expect(data.choices[0]?.message.content).toBe('Hello from fake OpenAI!');
    expect(data.usage).toMatchObject({ prompt_tokens: 11, completion_tokens: 5, total_tokens: 16 });
    expect(response.headers.get('x-request-id')).toMatch(/^req_/);
    expect(response.headers.get('server-timing')).toMatch(/^hub;dur=\d+\.\d+, upstream;dur=\d+\.\d+$/);
    const sent = upstream.requests.at(-1);
    expect(sent?.body?.model).toBe('upstream-gpt');
    expect(sent?.headers.authorization).toBe('Bearer sk-upstream-secret');
  });

  it('streams chunks and includes the usage chunk only when the client asked', async () => {
    const withUsage = await client.chat.completions.create({
      model: 'gpt-test',
      messages: [{ role: 'user', content: 'Hi' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    let usage: OpenAI.CompletionUsage | null | undefined;
    for await (const chunk of withUsage) {
      text += chunk.choices[0]?.delta.content ?? '';
      if (chunk.usage) usage = chunk.usage;
    }
    expect(text).toBe('Hello from fake OpenAI!');
    expect(usage).toMatchObject({ prompt_tokens: 11, completion_tokens: 5 });

    const withoutUsage = await client.chat.completions.create({
      model: 'gpt-test',
      messages: [{ role: 'user', content: 'Hi' }],
      stream: true,
    });
    const chunks = [];
    for await (const chunk of withoutUsage) chunks.push(chunk);
    expect(chunks.some((chunk) => chunk.usage)).toBe(false);
    // TokenHub asked the upstream for usage anyway, for metering.
    expect(upstream.requests.at(-1)?.body?.stream_options).toEqual({ include_usage: true });
  });

  it('passes tool calls through, streamed and not', async () => {
    const tools: OpenAI.ChatCompletionTool[] = [
      { type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } } },
    ];
    const completion = await client.chat.completions.create({
      model: 'gpt-test',
      messages: [{ role: 'user', content: 'please use tool' }],
      tools,
    });
    expect(completion.choices[0]?.finish_reason).toBe('tool_calls');
    expect(completion.choices[0]?.message.tool_calls?.[0]).toMatchObject({
      type: 'function',
      function: { name: 'get_weather', arguments: '{"city":"Paris"}' },
    });

    const runner = client.chat.completions.stream({ model: 'gpt-test', messages: [{ role: 'user', content: 'please use tool' }], tools });
    const final = await runner.finalChatCompletion();
    expect(final.choices[0]?.message.tool_calls?.[0]?.function).toMatchObject({ name: 'get_weather', arguments: '{"city":"Paris"}' });
  });

  it('retries a 500 and then succeeds on the same model', async () => {
    upstream.failNext({ kind: 'status', status: 500 });
    const completion = await client.chat.completions.create({ model: 'gpt-test', messages: [{ role: 'user', content: 'Hi' }] });
    expect(completion.choices[0]?.message.content).toBe('Hello from fake OpenAI!');
  });

  it('falls back to the next model when every attempt fails', async () => {
    upstream.failNext({ kind: 'status', status: 503 }, { kind: 'status', status: 502 });
    const completion = await client.chat.completions.create({ model: 'gpt-test', messages: [{ role: 'user', content: 'Hi' }] });
    expect(completion.choices[0]?.message.content).toBe('Backup answer.');
    expect(backup.requests.at(-1)?.body?.model).toBe('qwen-7b');
  });

  it('honours retry-after on 429 and does not retry a 400', async () => {
    upstream.failNext({ kind: 'status', status: 429, retryAfter: '0' });
    await expect(client.chat.completions.create({ model: 'gpt-test', messages: [{ role: 'user', content: 'Hi' }] })).resolves.toBeTruthy();

    const before = upstream.requests.length;
    upstream.failNext({ kind: 'status', status: 400, message: 'messages too long' });
    const error = await client.chat.completions
      .create({ model: 'gpt-test', messages: [{ role: 'user', content: 'Hi' }] })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect((error as InstanceType<typeof OpenAI.BadRequestError>).message).toContain('messages too long');
    expect(upstream.requests.length).toBe(before + 1);
  });

  it('times out an upstream that sends no headers, then falls back', async () => {
    upstream.failNext({ kind: 'hang-before-headers' }, { kind: 'hang-before-headers' });
    const completion = await client.chat.completions.create({ model: 'gpt-test', messages: [{ role: 'user', content: 'Hi' }] });
    expect(completion.choices[0]?.message.content).toBe('Backup answer.');
  });

  it('ends a stream that fails midway with an error event, not a silent cut', async () => {
    upstream.failNext({ kind: 'error-event', afterChunks: 2 });
    const response = await fetch(`${hub.openaiBaseUrl}/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${hub.adminKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-test', messages: [{ role: 'user', content: 'Hi' }], stream: true }),
    });
    const text = await response.text();
    expect(text).toContain('"error"');
    expect(text).not.toContain('[DONE]');
  });
});

describe('errors in the OpenAI shape', () => {
  const post = (body: string, headers: Record<string, string> = {}) =>
    fetch(`${hub.openaiBaseUrl}/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${hub.adminKey}`, 'content-type': 'application/json', ...headers },
      body,
    });

  it('400 on malformed JSON', async () => {
    const response = await post('{"model": ');
    expect(response.status).toBe(400);
    const body = (await response.json()) as { error: { type: string; message: string } };
    expect(body.error.type).toBe('invalid_request_error');
  });

  it('400 naming the field on an out-of-range parameter', async () => {
    const response = await post(JSON.stringify({ model: 'gpt-test', messages: [{ role: 'user', content: 'x' }], temperature: 7 }));
    expect(response.status).toBe(400);
    const body = (await response.json()) as { error: { param: string } };
    expect(body.error.param).toBe('temperature');
  });

  it('404 on an unknown model', async () => {
    const error = await client.chat.completions
      .create({ model: 'nope', messages: [{ role: 'user', content: 'x' }] })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.NotFoundError);
  });

  it('401 without or with a wrong key', async () => {
    const response = await fetch(`${hub.openaiBaseUrl}/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-test', messages: [{ role: 'user', content: 'x' }] }),
    });
    expect(response.status).toBe(401);
    const wrong = new OpenAI({ apiKey: 'wrong', baseURL: hub.openaiBaseUrl, maxRetries: 0 });
    await expect(wrong.models.list()).rejects.toBeInstanceOf(OpenAI.AuthenticationError);
  });

  it('413 on a body over the limit', async () => {
    const big = 'x'.repeat(9 * 1024 * 1024);
    const response = await post(JSON.stringify({ model: 'gpt-test', messages: [{ role: 'user', content: big }] }));
    expect(response.status).toBe(413);
    expect(((await response.json()) as { error: unknown }).error).toBeTruthy();
  });

  it('502 with the upstream reason after retries, and no provider key in it', async () => {
    upstream.failNext({ kind: 'status', status: 500, message: 'boom' }, { kind: 'status', status: 500, message: 'boom' });
    backup.failNext({ kind: 'status', status: 500, message: 'boom' }, { kind: 'status', status: 500, message: 'boom' });
    const response = await post(JSON.stringify({ model: 'gpt-test', messages: [{ role: 'user', content: 'x' }] }));
    expect(response.status).toBe(502);
    const text = await response.text();
    expect(text).toContain('boom');
    expect(text).not.toContain('sk-upstream-secret');
  });
});

describe('models and embeddings', () => {
  it('lists configured model names and gets one', async () => {
    const models = await client.models.list();
    expect(models.data.map((model) => model.id).sort()).toEqual(['backup-model', 'embed-test', 'gpt-test']);
    const model = await client.models.retrieve('gpt-test');
    expect(model.id).toBe('gpt-test');
    await expect(client.models.retrieve('missing')).rejects.toBeInstanceOf(OpenAI.NotFoundError);
  });

  it('embeds', async () => {
    const result = await client.embeddings.create({ model: 'embed-test', input: ['a', 'b'] });
    expect(result.data).toHaveLength(2);
    expect(result.usage.prompt_tokens).toBe(11);
  });

  it('answers health and readiness', async () => {
    expect((await fetch(`${hub.url}/healthz`)).status).toBe(200);
    const ready = await fetch(`${hub.url}/readyz`);
    expect(ready.status).toBe(200);
  });
});

describe('GET /metrics', () => {
  it('exposes request, latency, breaker and event-loop metrics in the Prometheus format', async () => {
    await client.chat.completions.create({ model: 'gpt-test', messages: [{ role: 'user', content: 'Hi' }] });
    const response = await fetch(`${hub.url}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/plain');
    const text = await response.text();
    expect(text).toMatch(/tokenhub_requests_total\{surface="openai",model="gpt-test",provider="main",status="200"\} \d+/);
    expect(text).toContain('tokenhub_request_duration_seconds_bucket');
    expect(text).toContain('tokenhub_breaker_open{target="main/upstream-gpt"}');
    expect(text).toContain('tokenhub_event_loop_lag_p99_seconds');
    expect(text).not.toContain('sk-upstream-secret');
  });
});
