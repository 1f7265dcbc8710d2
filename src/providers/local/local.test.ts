import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { getLlama, type LlamaModel } from 'node-llama-cpp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configSchema, type ProviderConfig, providerSchema } from '../../config/index.js';
import { type ChatRequest, HubError, type StreamPart, type TextCompletionRequest } from '../../core/index.js';
import type { CallContext, Provider } from '../spec.js';
import { checkLocalModels, createLocalProvider, listLocalModels } from './index.js';

// The 260K-param TinyStories Llama from the project's shared models (a base model: no chat template).
const STORIES = fileURLToPath(new URL('../../../../shared/models/stories260K.gguf', import.meta.url));
const HAS_MODEL = existsSync(STORIES);
if (!HAS_MODEL) console.warn(`skipping local engine tests: the tiny test model ${STORIES} is absent`);

const context = (signal: AbortSignal = new AbortController().signal): CallContext => ({ signal, requestId: 'req_test' });

const completion = (overrides: Partial<TextCompletionRequest> = {}): TextCompletionRequest => ({
  model: 'stories',
  prompt: 'Once upon a time',
  stream: false,
  temperature: 0,
  maxTokens: 24,
  ...overrides,
});

const chat = (overrides: Partial<ChatRequest> = {}): ChatRequest => ({
  model: 'stories-chat',
  messages: [{ role: 'user', content: 'Tell me about Lily.' }],
  stream: false,
  temperature: 0,
  maxTokens: 24,
  ...overrides,
});

async function collect(stream: AsyncIterable<StreamPart> | undefined): Promise<StreamPart[]> {
  const parts: StreamPart[] = [];
  for await (const part of stream ?? []) parts.push(part);
  return parts;
}

function statusOf(id: string) {
  const status = listLocalModels().find((model) => model.id === id);
  if (!status) throw new Error(`no status for ${id}`);
  return status;
}

async function until(condition: () => boolean, timeoutMs = 2_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe.skipIf(!HAS_MODEL)('local provider (stories260K, threads 1)', () => {
  let provider: Provider;
  let reference: LlamaModel;

  beforeAll(async () => {
    const config: ProviderConfig = providerSchema.parse({
      id: 'box',
      type: 'local',
      models: [
        { id: 'stories', path: STORIES, context: 2048, parallel: 2, max_queue: 1, threads: 1, load: 'start' },
        { id: 'stories-chat', path: STORIES, context: 512, threads: 1, chat_template: 'chatML' },
        { id: 'stories-idle', path: STORIES, context: 256, threads: 1, idle_unload_ms: 50 },
      ],
    });
    provider = createLocalProvider(config);
    // An independent tokenizer to check usage against.
    const llama = await getLlama({ gpu: false, build: 'never', skipDownload: true, progressLogs: false });
    reference = await llama.loadModel({ modelPath: STORIES });
  });

  afterAll(async () => {
    await provider?.close();
    await reference?.dispose();
  });

  it('loads at start and reports state, slots and memory', async () => {
    await until(() => statusOf('stories').state === 'ready');
    const status = statusOf('stories');
    expect(status).toMatchObject({ provider: 'box', parallel: 2, threads: 1, active: 0, queued: 0, maxQueue: 1, contextSize: 2048 });
    expect(status.chatTemplate).toBe('none');
    expect(status.memory.modelBytes).toBeGreaterThan(1_000_000);
    expect(status.memory.contextBytes).toBeGreaterThan(0);
    expect(statusOf('stories-chat').state).toBe('unloaded');
  });

  it('continues a prompt deterministically with seed + temperature 0, with exact usage', async () => {
    const first = await provider.complete?.(completion({ seed: 7 }), context());
    const second = await provider.complete?.(completion({ seed: 7 }), context());
    expect(first?.choices[0]?.text).toBe(second?.choices[0]?.text);
    expect(first?.choices[0]?.text.startsWith(', there was a little girl named Lily')).toBe(true);
    expect(first?.choices[0]?.finishReason).toBe('length');
    // BOS + the prompt's tokens, as llama.cpp evaluates them; then exactly max_tokens sampled.
    const promptTokens = 1 + reference.tokenize('Once upon a time', false, 'trimLeadingSpace').length;
    expect(first?.usage).toEqual({
      inputTokens: promptTokens,
      outputTokens: 24,
      cachedInputTokens: 0,
      cacheWriteInputTokens: 0,
      source: 'upstream',
    });
  });

  it('samples reproducibly with a seed at temperature > 0', async () => {
    const request = completion({ temperature: 1, seed: 1234, topK: 40, topP: 0.9 });
    const first = await provider.complete?.(request, context());
    const second = await provider.complete?.(request, context());
    expect(first?.choices[0]?.text).toBe(second?.choices[0]?.text);
  });

  it('stops at a stop sequence and counts the tokens actually sampled', async () => {
    const result = await provider.complete?.(completion({ stop: ['Lily'], maxTokens: 60 }), context());
    expect(result?.choices[0]?.text).toBe(', there was a little girl named');
    expect(result?.choices[0]?.finishReason).toBe('stop');
    // 9 shown tokens + the stop sequence's token (" Lily"), which was generated but is not shown.
    expect(result?.usage.outputTokens).toBe(10);
  });

  it('streams one text delta per generated token, then finish and usage', async () => {
    const stream = await provider.streamComplete?.(completion({ stream: true, maxTokens: 16 }), context());
    const parts = await collect(stream);
    expect(parts[0]?.type).toBe('response-start');
    const deltas = parts.filter((part) => part.type === 'text-delta');
    expect(deltas).toHaveLength(16);
    expect(parts.at(-2)).toEqual({ type: 'choice-finish', index: 0, reason: 'length' });
    const usage = parts.at(-1);
    expect(usage?.type === 'usage-final' && usage.usage.outputTokens).toBe(16);
  });

  it('echoes the prompt when asked', async () => {
    const result = await provider.complete?.(completion({ echo: true, maxTokens: 4 }), context());
    expect(result?.choices[0]?.text.startsWith('Once upon a time, there')).toBe(true);
  });

  it('rejects a prompt plus max_tokens larger than the context window, naming the limit', async () => {
    const error = await provider.complete?.(completion({ maxTokens: 5000 }), context()).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(HubError);
    expect((error as HubError).status).toBe(400);
    expect((error as HubError).details.code).toBe('context_length_exceeded');
  });

  it('refuses chat on a model without a chat template, pointing at /v1/completions', async () => {
    const error = await provider.chat(chat({ model: 'stories' }), context()).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(HubError);
    expect((error as HubError).code).toBe('UNSUPPORTED_FEATURE');
    expect((error as HubError).status).toBe(400);
    expect((error as HubError).message).toContain('/v1/completions');
  });

  it('chats through a chat_template override, deterministically', async () => {
    const first = await provider.chat(chat(), context());
    const second = await provider.chat(chat(), context());
    expect(first.choices[0]?.message.content).toBeTruthy();
    expect(first.choices[0]?.message.content).toBe(second.choices[0]?.message.content);
    expect(first.usage.outputTokens).toBe(24);
    expect(statusOf('stories-chat').chatTemplate).toBe('override');
  });

  it('decodes response_format json_schema under a grammar: the output parses and fits the schema', async () => {
    const schema = {
      type: 'object',
      properties: { name: { type: 'string', maxLength: 20 }, age: { type: 'integer' }, happy: { type: 'boolean' } },
      required: ['name', 'age', 'happy'],
      additionalProperties: false,
    };
    for (const seed of [1, 2, 3]) {
      const result = await provider.chat(
        chat({ temperature: 0.8, seed, maxTokens: 200, responseFormat: { type: 'json_schema', name: 'person', schema } }),
        context(),
      );
      const value = JSON.parse(result.choices[0]?.message.content ?? '') as Record<string, unknown>;
      expect(Object.keys(value).sort()).toEqual(['age', 'happy', 'name']);
      expect(typeof value.name).toBe('string');
      expect(Number.isInteger(value.age)).toBe(true);
      expect(typeof value.happy).toBe('boolean');
    }
    // json_object: any JSON object. A 260K-param model rambles inside a string until max_tokens, so
    // only the grammar's grip is checked here; the schema case above is the one that must complete.
    const anyJson = await provider.chat(chat({ maxTokens: 40, responseFormat: { type: 'json_object' } }), context());
    expect(anyJson.choices[0]?.message.content?.startsWith('{')).toBe(true);
  });

  it('forces a tool call under a grammar when tool_choice requires one', async () => {
    const result = await provider.chat(
      chat({
        maxTokens: 200,
        tools: [
          {
            name: 'get_weather',
            parameters: { type: 'object', properties: { city: { type: 'string', maxLength: 12 } }, required: ['city'] },
          },
        ],
        toolChoice: 'required',
      }),
      context(),
    );
    const choice = result.choices[0];
    expect(choice?.finishReason).toBe('tool_calls');
    expect(choice?.message.content).toBeNull();
    expect(choice?.message.toolCalls?.[0]?.name).toBe('get_weather');
    const args = JSON.parse(choice?.message.toolCalls?.[0]?.arguments ?? '') as { city: unknown };
    expect(typeof args.city).toBe('string');
  });

  it('runs up to `parallel` requests at once, queues up to max_queue, then refuses with 503', async () => {
    const holders = [new AbortController(), new AbortController()];
    // Long generations (~1 s each on one thread) hold both slots while the test looks.
    const streams = await Promise.all(
      holders.map((holder) => provider.streamComplete?.(completion({ stream: true, maxTokens: 1800 }), context(holder.signal))),
    );
    expect(statusOf('stories')).toMatchObject({ active: 2, queued: 0 });

    const queued = provider.complete?.(completion({ maxTokens: 4 }), context());
    await until(() => statusOf('stories').queued === 1);
    const refused = await provider.complete?.(completion({ maxTokens: 4 }), context()).catch((caught: unknown) => caught);
    expect(refused).toBeInstanceOf(HubError);
    expect((refused as HubError).code).toBe('OVERLOADED');
    expect((refused as HubError).status).toBe(503);
    expect((refused as HubError).message).toMatch(/busy: 2 request\(s\) decoding and 1 queued \(max_queue 1\)/);

    holders[0]?.abort(new HubError('CLIENT_CLOSED', 'client closed the request'));
    const result = await queued;
    expect(result?.usage.outputTokens).toBe(4);
    holders[1]?.abort(new HubError('CLIENT_CLOSED', 'client closed the request'));
    await Promise.all(streams.map((stream) => collect(stream).catch(() => undefined)));
    await until(() => statusOf('stories').active === 0);
  });

  it('frees the slot at once when the consumer walks away mid-stream', async () => {
    const started = Date.now();
    const stream = await provider.streamComplete?.(completion({ stream: true, maxTokens: 1800 }), context());
    const iterator = stream?.[Symbol.asyncIterator]();
    await iterator?.next();
    expect(statusOf('stories').active).toBe(1);
    await iterator?.return?.();
    expect(statusOf('stories').active).toBe(0);
    // Far sooner than the 1800 tokens would have taken.
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it('embeds with exact token counts', async () => {
    const result = await provider.embeddings({ model: 'stories', input: ['Once upon a time', 'Lily'] }, context());
    expect(result.data).toHaveLength(2);
    expect(result.data[0]?.embedding).toHaveLength(64);
    expect(result.usage.inputTokens).toBeGreaterThan(4);
    expect(statusOf('stories').memory.embeddingContext).toBe(true);
  });

  it('unloads after idle_unload_ms and loads again on the next request', async () => {
    await provider.complete?.(completion({ model: 'stories-idle', maxTokens: 2 }), context());
    await until(() => statusOf('stories-idle').state === 'unloaded');
    expect(statusOf('stories-idle').memory.modelBytes).toBe(0);
    const again = await provider.complete?.(completion({ model: 'stories-idle', maxTokens: 2 }), context());
    expect(again?.usage.outputTokens).toBe(2);
  });
});

describe.skipIf(!HAS_MODEL)('checkLocalModels (config validation)', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tokenhub-gguf-'));
    await writeFile(join(dir, 'garbage.gguf'), 'this is not a gguf file at all');
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('accepts a good file and names missing, corrupt and mis-targeted ones', async () => {
    const config = configSchema.parse({
      providers: [
        {
          id: 'box',
          type: 'local',
          models: [
            { id: 'good', path: STORIES },
            { id: 'missing', path: join(dir, 'nope.gguf') },
            { id: 'corrupt', path: join(dir, 'garbage.gguf') },
            { id: 'odd-template', path: STORIES, chat_template: 'no-such-template' },
          ],
        },
      ],
      models: [{ name: 'm', targets: [{ provider: 'box', model: 'absent' }] }],
    });
    const problems = await checkLocalModels(config);
    expect(problems).toHaveLength(4);
    expect(problems[0]).toMatch(/^providers\[0\]\.models\[1\]\.path: file not found: .*nope\.gguf$/);
    expect(problems[1]).toMatch(/^providers\[0\]\.models\[2\]\.path: .*garbage\.gguf is not a valid GGUF model file/);
    expect(problems[2]).toMatch(/^providers\[0\]\.models\[3\]\.chat_template: unknown template "no-such-template"/);
    expect(problems[3]).toMatch(/^models\[0\]\.targets\[0\]\.model: local provider "box" has no model "absent"/);
  });
});
