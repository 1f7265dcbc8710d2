import OpenAI from 'openai';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type FakeAnthropic, startFakeAnthropic } from '../../../test/fake-upstreams/anthropic.js';
import { type FakeOpenAI, startFakeOpenAI } from '../../../test/fake-upstreams/openai.js';
import { ADMIN_KEY, type ResponsesHub, startResponsesHub, TENANT_A_KEY, TENANT_B_KEY } from '../../../test/support/responses-hub.js';

let upstream: FakeOpenAI;
let native: FakeOpenAI;
let anthropic: FakeAnthropic;
let hub: ResponsesHub;
let client: OpenAI;
let tenantA: OpenAI;
let tenantB: OpenAI;

const weatherTool: OpenAI.Responses.FunctionTool = {
  type: 'function',
  name: 'get_weather',
  description: 'Weather for a city',
  parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'], additionalProperties: false },
  strict: true,
};

beforeAll(async () => {
  upstream = await startFakeOpenAI({ cachedTokens: 3 });
  native = await startFakeOpenAI({ reply: 'Native answer.', chunks: 3, promptTokens: 40, cachedTokens: 8 });
  anthropic = await startFakeAnthropic({ cacheReadInputTokens: 5 });
  hub = await startResponsesHub(
    {
      providers: [
        { id: 'chat-only', type: 'openai', preset: 'vllm', base_url: upstream.url },
        { id: 'native', type: 'openai', base_url: native.url, responses_api: true },
        { id: 'claude', type: 'anthropic', base_url: anthropic.url, api_key: 'sk-ant-fake' },
      ],
      models: [
        { name: 'gpt-test', targets: [{ provider: 'chat-only', model: 'upstream-gpt' }] },
        { name: 'native-test', targets: [{ provider: 'native', model: 'gpt-upstream-native' }] },
        { name: 'claude-test', targets: [{ provider: 'claude', model: 'claude-upstream' }] },
      ],
      routing: { retries: 0, backoff_ms: 1, timeout_ms: 5_000, first_byte_timeout_ms: 2_000 },
    },
    { retention_days: 7 },
  );
  const make = (apiKey: string) => new OpenAI({ apiKey, baseURL: hub.openaiBaseUrl, maxRetries: 0 });
  client = make(ADMIN_KEY);
  tenantA = make(TENANT_A_KEY);
  tenantB = make(TENANT_B_KEY);
});

afterAll(async () => {
  await hub?.close();
  await upstream?.close();
  await native?.close();
  await anthropic?.close();
});

afterEach(() => {
  upstream.set({ omitUsage: false });
});

const lastChatBody = (): Record<string, unknown> => {
  const sent = upstream.requests.at(-1);
  expect(sent?.path).toBe('/v1/chat/completions');
  return sent?.body ?? {};
};

describe('POST /v1/responses, translated onto a chat-completions upstream', () => {
  it('answers a string input with a Response object and exact usage, billed once', async () => {
    const response = await client.responses.create({
      model: 'gpt-test',
      input: 'Hi',
      instructions: 'Be brief.',
      max_output_tokens: 50,
      temperature: 0.2,
      metadata: { purpose: 'test' },
    });
    expect(response).toMatchObject({
      object: 'response',
      status: 'completed',
      model: 'gpt-test',
      instructions: 'Be brief.',
      max_output_tokens: 50,
      temperature: 0.2,
      metadata: { purpose: 'test' },
      store: true,
      error: null,
      incomplete_details: null,
    });
    expect(response.id).toMatch(/^resp_/);
    expect(response.output_text).toBe('Hello from fake OpenAI!');
    const message = response.output[0];
    expect(message).toMatchObject({
      type: 'message',
      role: 'assistant',
      status: 'completed',
      content: [{ type: 'output_text', text: 'Hello from fake OpenAI!', annotations: [] }],
    });
    expect(message?.id).toMatch(/^msg_/);
    expect(response.usage).toEqual({
      input_tokens: 11,
      input_tokens_details: { cached_tokens: 3 },
      output_tokens: 5,
      output_tokens_details: { reasoning_tokens: 0 },
      total_tokens: 16,
    });

    const body = lastChatBody();
    expect(body.model).toBe('upstream-gpt');
    expect(body.messages).toEqual([
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'Hi' },
    ]);
    expect(body.max_tokens).toBe(50);
    expect(body.temperature).toBe(0.2);

    const recorded = hub.gate.last();
    expect(recorded?.admission.surface).toBe('responses');
    expect(recorded?.settlements).toHaveLength(1);
    expect(recorded?.settlements[0]).toMatchObject({
      status: 200,
      stream: false,
      providerId: 'chat-only',
      usage: { inputTokens: 11, outputTokens: 5, cachedInputTokens: 3, source: 'upstream' },
    });
  });

  it('streams the Responses event sequence that the SDK stream helper accumulates', async () => {
    const stream = client.responses.stream({ model: 'gpt-test', input: [{ role: 'user', content: 'Hi' }] });
    const events: OpenAI.Responses.ResponseStreamEvent[] = [];
    let deltas = '';
    stream.on('response.output_text.delta', (event) => {
      deltas += event.delta;
    });
    for await (const event of stream) events.push(event);
    const final = await stream.finalResponse();

    expect(deltas).toBe('Hello from fake OpenAI!');
    expect(final.output_text).toBe('Hello from fake OpenAI!');
    expect(final.status).toBe('completed');
    expect(final.usage).toMatchObject({ input_tokens: 11, output_tokens: 5, total_tokens: 16 });
    const types = events.map((event) => event.type);
    expect(types.slice(0, 4)).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.content_part.added',
    ]);
    expect(types.filter((type) => type === 'response.output_text.delta')).toHaveLength(5);
    expect(types.slice(-4)).toEqual([
      'response.output_text.done',
      'response.content_part.done',
      'response.output_item.done',
      'response.completed',
    ]);
    expect(events.map((event) => event.sequence_number)).toEqual(events.map((_, index) => index));
    const created = events[0] as OpenAI.Responses.ResponseCreatedEvent;
    expect(created.response.id).toBe(final.id);
    expect(created.response.status).toBe('in_progress');

    const recorded = hub.gate.last();
    expect(recorded?.settlements).toHaveLength(1);
    expect(recorded?.settlements[0]).toMatchObject({ stream: true, status: 200, usage: { inputTokens: 11, outputTokens: 5 } });
    // A streamed response is stored like any other.
    await expect(client.responses.retrieve(final.id)).resolves.toMatchObject({ id: final.id, status: 'completed' });
  });

  it('calls function tools and takes their output back, streamed and not', async () => {
    const first = await client.responses.create({ model: 'gpt-test', input: 'please use tool', tools: [weatherTool] });
    const call = first.output.find((item) => item.type === 'function_call');
    expect(call).toMatchObject({ type: 'function_call', name: 'get_weather', arguments: '{"city":"Paris"}', status: 'completed' });
    expect(call?.id).toMatch(/^fc_/);
    expect(call?.call_id).toMatch(/^call_fake/);
    expect(lastChatBody().tools).toEqual([
      {
        type: 'function',
        function: { name: 'get_weather', description: 'Weather for a city', parameters: weatherTool.parameters, strict: true },
      },
    ]);

    const second = await client.responses.create({
      model: 'gpt-test',
      previous_response_id: first.id,
      input: [{ type: 'function_call_output', call_id: call?.call_id ?? '', output: '{"temperature":21}' }],
      tools: [weatherTool],
    });
    expect(second.output_text).toBe('Hello from fake OpenAI!');
    const messages = lastChatBody().messages as Record<string, unknown>[];
    expect(messages.slice(-2)).toEqual([
      {
        role: 'assistant',
        content: null,
        tool_calls: [{ id: call?.call_id, type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }],
      },
      { role: 'tool', content: '{"temperature":21}', tool_call_id: call?.call_id },
    ]);

    const stream = client.responses.stream({ model: 'gpt-test', input: 'please use tool', tools: [weatherTool], tool_choice: 'required' });
    const argumentDeltas: string[] = [];
    stream.on('response.function_call_arguments.delta', (event) => argumentDeltas.push(event.delta));
    const final = await stream.finalResponse();
    expect(argumentDeltas.join('')).toBe('{"city":"Paris"}');
    expect(final.output).toHaveLength(1);
    expect(final.output[0]).toMatchObject({ type: 'function_call', name: 'get_weather', arguments: '{"city":"Paris"}' });
    expect(lastChatBody().tool_choice).toBe('required');
  });

  it('maps text.format json_schema onto response_format', async () => {
    const schema = { type: 'object', properties: { answer: { type: 'string' } }, required: ['answer'], additionalProperties: false };
    await client.responses.create({
      model: 'gpt-test',
      input: 'Answer in JSON',
      text: { format: { type: 'json_schema', name: 'answer', schema, strict: true } },
    });
    expect(lastChatBody().response_format).toEqual({ type: 'json_schema', json_schema: { name: 'answer', schema, strict: true } });
  });

  it('continues a conversation from previous_response_id without inheriting instructions', async () => {
    const first = await client.responses.create({ model: 'gpt-test', input: 'My name is Ada.', instructions: 'Turn one only.' });
    const second = await client.responses.create({ model: 'gpt-test', input: 'What is my name?', previous_response_id: first.id });
    expect(second.previous_response_id).toBe(first.id);
    expect(lastChatBody().messages).toEqual([
      { role: 'user', content: [{ type: 'text', text: 'My name is Ada.' }] },
      { role: 'assistant', content: 'Hello from fake OpenAI!' },
      { role: 'user', content: 'What is my name?' },
    ]);
    // Input items of a continued response: the earlier turn's input and output, then its own input.
    const items = await client.responses.inputItems.list(second.id, { order: 'asc' });
    expect(items.data.map((item) => item.type)).toEqual(['message', 'message', 'message']);
    expect(items.data[1]).toMatchObject({ role: 'assistant', content: [{ type: 'output_text', text: 'Hello from fake OpenAI!' }] });
  });

  it('reports usage as null, not zeros, when the upstream sent none (billing counts it instead)', async () => {
    upstream.set({ omitUsage: true });
    const response = await client.responses.create({ model: 'gpt-test', input: 'Hi' });
    expect(response.usage ?? null).toBeNull();
    // No believable usage reached settlement (a tokenizer-source placeholder), so it counts the text.
    expect(hub.gate.last()?.settlements[0]).toMatchObject({ usage: { source: 'tokenizer' }, outputText: 'Hello from fake OpenAI!' });
    const streamed = await client.responses.stream({ model: 'gpt-test', input: 'Hi' }).finalResponse();
    expect(streamed.usage ?? null).toBeNull();
    expect(hub.gate.last()?.settlements).toHaveLength(1);
    expect(hub.gate.last()?.settlements[0]?.usage).toBeNull();
  });

  it('refuses a hosted tool with a 400 naming it, before any upstream call or reservation', async () => {
    const requestsBefore = upstream.requests.length;
    const admissionsBefore = hub.gate.calls.length;
    const error = await client.responses
      .create({ model: 'gpt-test', input: 'Search the web', tools: [{ type: 'web_search' }] })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    const badRequest = error as InstanceType<typeof OpenAI.BadRequestError>;
    expect(badRequest.message).toContain("Hosted tool 'web_search' (web search)");
    expect(badRequest.param).toBe('tools');
    expect(badRequest.code).toBe('unsupported_feature');
    expect(upstream.requests.length).toBe(requestsBefore);
    expect(hub.gate.calls.length).toBe(admissionsBefore);
  });

  it('rejects out-of-range parameters and a missing input with 400s naming the field', async () => {
    const post = (body: unknown) =>
      fetch(`${hub.openaiBaseUrl}/responses`, {
        method: 'POST',
        headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const hot = await post({ model: 'gpt-test', input: 'x', temperature: 3 });
    expect(hot.status).toBe(400);
    expect(((await hot.json()) as { error: { param: string } }).error.param).toBe('temperature');
    const missing = await post({ model: 'gpt-test' });
    expect(missing.status).toBe(400);
    expect(((await missing.json()) as { error: { param: string } }).error.param).toBe('input');
    const badItem = await post({ model: 'gpt-test', input: [{ type: 'function_call_output', output: 'x' }] });
    expect(badItem.status).toBe(400);
    expect(((await badItem.json()) as { error: { param: string } }).error.param).toBe('input[0].call_id');
  });

  it('ends a stream that fails midway with response.failed and an error the SDK raises, settled once', async () => {
    upstream.failNext({ kind: 'error-event', afterChunks: 2 });
    const stream = client.responses.stream({ model: 'gpt-test', input: 'Hi' });
    const seen: string[] = [];
    await expect(
      (async () => {
        for await (const event of stream) seen.push(event.type);
      })(),
    ).rejects.toThrow();
    expect(seen).toContain('response.failed');
    const recorded = hub.gate.last();
    expect(recorded?.settlements).toHaveLength(1);
    expect(recorded?.settlements[0]?.status).toBe(502);
  });
});

describe('stored responses', () => {
  it('retrieves, lists input items, and deletes', async () => {
    const created = await client.responses.create({
      model: 'gpt-test',
      input: [{ role: 'user', content: [{ type: 'input_text', text: 'Hello' }] }],
    });
    const retrieved = await client.responses.retrieve(created.id);
    expect(retrieved.id).toBe(created.id);
    expect(retrieved.output_text).toBe('Hello from fake OpenAI!');
    expect(retrieved.usage).toEqual(created.usage);

    const page = await fetch(`${hub.openaiBaseUrl}/responses/${created.id}/input_items`, {
      headers: { authorization: `Bearer ${ADMIN_KEY}` },
    });
    const list = (await page.json()) as { object: string; data: { id: string }[]; first_id: string; last_id: string; has_more: boolean };
    expect(list).toMatchObject({ object: 'list', has_more: false });
    expect(list.data).toHaveLength(1);
    expect(list.data[0]).toMatchObject({ type: 'message', role: 'user', content: [{ type: 'input_text', text: 'Hello' }] });
    expect(list.first_id).toBe(list.data[0]?.id);
    expect(list.last_id).toBe(list.data[0]?.id);

    const deleted = await fetch(`${hub.openaiBaseUrl}/responses/${created.id}`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${ADMIN_KEY}` },
    });
    expect(await deleted.json()).toEqual({ id: created.id, object: 'response', deleted: true });
    await expect(client.responses.retrieve(created.id)).rejects.toBeInstanceOf(OpenAI.NotFoundError);
    await expect(client.responses.delete(created.id)).rejects.toBeInstanceOf(OpenAI.NotFoundError);
  });

  it('pages input items with limit, order and after', async () => {
    const created = await client.responses.create({
      model: 'gpt-test',
      input: ['one', 'two', 'three'].map((text) => ({ role: 'user' as const, content: text })),
    });
    const first = await client.responses.inputItems.list(created.id, { limit: 2 });
    expect(first.data.map((item) => (item.type === 'message' ? item.content[0] : null))).toMatchObject([
      { text: 'three' },
      { text: 'two' },
    ]);
    expect(first.has_more).toBe(true);
    const rest = await client.responses.inputItems.list(created.id, { limit: 2, after: first.data[1]?.id ?? '' });
    expect(rest.data).toHaveLength(1);
    expect(rest.has_more).toBe(false);
  });

  it('does not store with store: false', async () => {
    const created = await client.responses.create({ model: 'gpt-test', input: 'Hi', store: false });
    expect((created as unknown as { store: boolean }).store).toBe(false);
    await expect(client.responses.retrieve(created.id)).rejects.toBeInstanceOf(OpenAI.NotFoundError);
  });

  it('keeps each tenant to its own responses', async () => {
    const own = await tenantA.responses.create({ model: 'gpt-test', input: 'Secret of tenant A' });
    await expect(tenantA.responses.retrieve(own.id)).resolves.toMatchObject({ id: own.id });
    await expect(tenantB.responses.retrieve(own.id)).rejects.toBeInstanceOf(OpenAI.NotFoundError);
    await expect(client.responses.retrieve(own.id)).rejects.toBeInstanceOf(OpenAI.NotFoundError);
    await expect(tenantB.responses.inputItems.list(own.id)).rejects.toBeInstanceOf(OpenAI.NotFoundError);
    await expect(tenantB.responses.delete(own.id)).rejects.toBeInstanceOf(OpenAI.NotFoundError);
    const continued = await tenantB.responses
      .create({ model: 'gpt-test', input: 'And then?', previous_response_id: own.id })
      .catch((caught: unknown) => caught);
    expect(continued).toBeInstanceOf(OpenAI.NotFoundError);
    expect((continued as InstanceType<typeof OpenAI.NotFoundError>).param).toBe('previous_response_id');
    // Still there for its owner after the other tenant's attempts.
    await expect(tenantA.responses.retrieve(own.id)).resolves.toMatchObject({ id: own.id });
  });
});

describe('native pass-through (responses_api: true)', () => {
  it('forwards the body to /responses with the upstream model and bills the upstream usage once', async () => {
    const response = await client.responses.create({ model: 'native-test', input: 'Hi', tools: [{ type: 'web_search' }] });
    expect(response.id).toBe(`resp_fake${native.requests.length}`);
    expect(response.output_text).toBe('Native answer.');
    const sent = native.requests.at(-1);
    expect(sent?.path).toBe('/v1/responses');
    expect(sent?.body).toMatchObject({ model: 'gpt-upstream-native', input: 'Hi', tools: [{ type: 'web_search' }] });

    const recorded = hub.gate.last();
    expect(recorded?.settlements).toHaveLength(1);
    expect(recorded?.settlements[0]).toMatchObject({
      providerId: 'native',
      usage: { inputTokens: 40, cachedInputTokens: 8, outputTokens: 3, reasoningTokens: 2 },
    });
    await expect(client.responses.retrieve(response.id)).resolves.toMatchObject({ id: response.id });
  });

  it('relays the native event stream and bills from response.completed once', async () => {
    const stream = client.responses.stream({ model: 'native-test', input: 'Hi' });
    const final = await stream.finalResponse();
    expect(final.output_text).toBe('Native answer.');
    expect(final.usage).toMatchObject({ input_tokens: 40, output_tokens: 3 });
    const recorded = hub.gate.last();
    expect(recorded?.settlements).toHaveLength(1);
    expect(recorded?.settlements[0]).toMatchObject({ stream: true, status: 200, usage: { inputTokens: 40, outputTokens: 3 } });

    // previous_response_id is resolved by TokenHub and replayed as input items.
    await client.responses.create({ model: 'native-test', input: 'More', previous_response_id: final.id });
    const sent = native.requests.at(-1)?.body;
    expect(sent?.previous_response_id).toBeUndefined();
    expect(sent?.input).toEqual([
      { type: 'message', role: 'user', status: 'completed', content: [{ type: 'input_text', text: 'Hi' }] },
      {
        type: 'message',
        status: 'completed',
        role: 'assistant',
        content: [{ type: 'output_text', text: 'Native answer.', annotations: [], logprobs: [] }],
      },
      { role: 'user', content: 'More' },
    ]);
  });
});

describe('translated onto an Anthropic upstream', () => {
  it('answers with text and maps usage exactly (cache reads included in input_tokens)', async () => {
    const response = await client.responses.create({ model: 'claude-test', input: 'Hi', instructions: 'Be kind.' });
    expect(response.output_text).toBe('Hello from fake Anthropic');
    const sent = anthropic.requests.at(-1)?.body;
    expect(sent).toMatchObject({ model: 'claude-upstream', system: 'Be kind.' });
    const recorded = hub.gate.last();
    expect(recorded?.settlements).toHaveLength(1);
    const usage = recorded?.settlements[0]?.usage;
    expect(usage?.cachedInputTokens).toBe(5);
    expect(response.usage).toEqual({
      input_tokens: usage?.inputTokens,
      input_tokens_details: { cached_tokens: 5 },
      output_tokens: usage?.outputTokens,
      output_tokens_details: { reasoning_tokens: 0 },
      total_tokens: (usage?.inputTokens ?? 0) + (usage?.outputTokens ?? 0),
    });
  });

  it('streams a tool call from Anthropic as function_call events', async () => {
    const stream = client.responses.stream({ model: 'claude-test', input: 'please use tool', tools: [weatherTool] });
    const final = await stream.finalResponse();
    expect(final.output.map((item) => item.type)).toEqual(['message', 'function_call']);
    const call = final.output[1];
    expect(call).toMatchObject({ type: 'function_call', name: 'get_weather', status: 'completed' });
    expect(() => JSON.parse(call?.type === 'function_call' ? call.arguments : '')).not.toThrow();
    expect(hub.gate.last()?.settlements).toHaveLength(1);
  });
});
