import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHub, type TestHub } from '../../../test/support/hub.js';
import { listLocalModels } from '../../providers/index.js';

const STORIES = fileURLToPath(new URL('../../../../shared/models/stories260K.gguf', import.meta.url));
const HAS_MODEL = existsSync(STORIES);
if (!HAS_MODEL) console.warn(`skipping local-model HTTP tests: the tiny test model ${STORIES} is absent`);

/** A minimal OpenAI-compatible `/v1/completions` upstream (a base model on vLLM, say). */
async function startCompletionsUpstream(): Promise<{ url: string; bodies: Record<string, unknown>[]; close(): Promise<void> }> {
  const bodies: Record<string, unknown>[] = [];
  const server: Server = createServer((request, response) => {
    let text = '';
    request.on('data', (chunk: Buffer) => {
      text += chunk.toString();
    });
    request.on('end', () => {
      const body = JSON.parse(text) as Record<string, unknown>;
      bodies.push(body);
      const base = { id: 'cmpl-up', object: 'text_completion', created: 1, model: String(body.model) };
      const usage = { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 };
      if (body.stream) {
        response.writeHead(200, { 'content-type': 'text/event-stream' });
        response.write(
          `data: ${JSON.stringify({ ...base, choices: [{ index: 0, text: ' upon', logprobs: null, finish_reason: null }] })}\n\n`,
        );
        response.write(
          `data: ${JSON.stringify({ ...base, choices: [{ index: 0, text: ' a', logprobs: null, finish_reason: 'length' }] })}\n\n`,
        );
        response.write(`data: ${JSON.stringify({ ...base, choices: [], usage })}\n\n`);
        response.end('data: [DONE]\n\n');
        return;
      }
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ ...base, choices: [{ index: 0, text: ' upon a', logprobs: null, finish_reason: 'length' }], usage }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    bodies,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('POST /v1/completions on a remote OpenAI-compatible upstream', () => {
  let upstream: Awaited<ReturnType<typeof startCompletionsUpstream>>;
  let hub: TestHub;
  let client: OpenAI;

  beforeAll(async () => {
    upstream = await startCompletionsUpstream();
    hub = await startTestHub({
      providers: [
        { id: 'vllm', type: 'openai', preset: 'vllm', base_url: upstream.url },
        { id: 'groq', type: 'openai', preset: 'groq', base_url: upstream.url },
      ],
      models: [
        { name: 'base', targets: [{ provider: 'vllm', model: 'llama-base' }] },
        { name: 'chat-only', targets: [{ provider: 'groq', model: 'llama-chat' }] },
      ],
      routing: { retries: 0 },
    });
    client = new OpenAI({ apiKey: hub.adminKey, baseURL: hub.openaiBaseUrl, maxRetries: 0 });
  });

  afterAll(async () => {
    await hub?.close();
    await upstream?.close();
  });

  it('answers with the upstream completion, re-targeted at the upstream model', async () => {
    const completion = await client.completions.create({ model: 'base', prompt: 'Once', max_tokens: 2, temperature: 0 });
    expect(completion).toMatchObject({ object: 'text_completion', model: 'base', choices: [{ text: ' upon a', finish_reason: 'length' }] });
    expect(completion.usage).toMatchObject({ prompt_tokens: 3, completion_tokens: 2 });
    expect(upstream.bodies.at(-1)).toMatchObject({ model: 'llama-base', prompt: 'Once', max_tokens: 2, temperature: 0 });
  });

  it('streams chunks, with usage only when asked', async () => {
    const stream = await client.completions.create({
      model: 'base',
      prompt: 'Once',
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    let usage: OpenAI.CompletionUsage | undefined;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.text ?? '';
      if (chunk.usage) usage = chunk.usage;
    }
    expect(text).toBe(' upon a');
    expect(usage).toMatchObject({ prompt_tokens: 3, completion_tokens: 2 });
  });

  it('answers 400 for a vendor without legacy completions, and for a batch of prompts', async () => {
    await expect(client.completions.create({ model: 'chat-only', prompt: 'Once' })).rejects.toBeInstanceOf(OpenAI.BadRequestError);
    const error = await client.completions.create({ model: 'base', prompt: ['a', 'b'] }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect((error as InstanceType<typeof OpenAI.BadRequestError>).param).toBe('prompt');
  });
});

describe.skipIf(!HAS_MODEL)('local GGUF model over HTTP (stories260K, threads 1)', () => {
  let hub: TestHub;
  let client: OpenAI;

  beforeAll(async () => {
    hub = await startTestHub({
      providers: [
        {
          id: 'box',
          type: 'local',
          models: [
            { id: 'stories', path: STORIES, context: 2048, parallel: 1, max_queue: 0, threads: 1 },
            { id: 'stories-chat', path: STORIES, context: 512, threads: 1, chat_template: 'chatML' },
          ],
        },
      ],
      models: [
        { name: 'tiny', targets: [{ provider: 'box', model: 'stories' }] },
        { name: 'tiny-chat', targets: [{ provider: 'box', model: 'stories-chat' }] },
      ],
      routing: { retries: 0 },
    });
    client = new OpenAI({ apiKey: hub.adminKey, baseURL: hub.openaiBaseUrl, maxRetries: 0 });
  });

  afterAll(async () => {
    await hub?.close();
  });

  const active = (): number => listLocalModels().find((model) => model.id === 'stories')?.active ?? -1;

  // BOS + the 6 tokens llama.cpp makes of the prompt (tokenized without a leading space after BOS).
  it('completes deterministically with exact usage', async () => {
    const request = { model: 'tiny', prompt: 'Once upon a time', max_tokens: 12, temperature: 0, seed: 42 };
    const first = await client.completions.create(request);
    const second = await client.completions.create(request);
    expect(first.choices[0]?.text).toBe(second.choices[0]?.text);
    expect(first.choices[0]?.text).toMatch(/^, there was a little girl named Lily/);
    expect(first.choices[0]?.finish_reason).toBe('length');
    expect(first.usage).toMatchObject({ prompt_tokens: 7, completion_tokens: 12, total_tokens: 19 });
  });

  it('streams completion chunks in OpenAI shape, one per token, with usage', async () => {
    const stream = await client.completions.create({
      model: 'tiny',
      prompt: 'Once upon a time',
      max_tokens: 10,
      temperature: 0,
      stream: true,
      stream_options: { include_usage: true },
    });
    const chunks: OpenAI.Completion[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    const textChunks = chunks.filter((chunk) => chunk.choices[0]?.text);
    expect(textChunks).toHaveLength(10);
    expect(chunks.every((chunk) => chunk.object === 'text_completion' && chunk.model === 'tiny' && chunk.id.startsWith('cmpl_'))).toBe(
      true,
    );
    expect(chunks.at(-2)?.choices[0]?.finish_reason).toBe('length');
    expect(chunks.at(-1)?.usage).toMatchObject({ prompt_tokens: 7, completion_tokens: 10 });
  });

  it('refuses chat on the base model with a 400 that names /v1/completions', async () => {
    const error = await client.chat.completions
      .create({ model: 'tiny', messages: [{ role: 'user', content: 'Hi' }] })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect((error as Error).message).toContain('/v1/completions');
  });

  it('streams chat through a template override, with usage', async () => {
    const stream = await client.chat.completions.create({
      model: 'tiny-chat',
      messages: [{ role: 'user', content: 'Tell me a story.' }],
      max_tokens: 8,
      temperature: 0,
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    let deltas = 0;
    let usage: OpenAI.CompletionUsage | undefined;
    let finish: string | null | undefined;
    for await (const chunk of stream) {
      const piece = chunk.choices[0]?.delta.content;
      if (piece) {
        text += piece;
        deltas++;
      }
      finish = chunk.choices[0]?.finish_reason ?? finish;
      if (chunk.usage) usage = chunk.usage;
    }
    expect(text.length).toBeGreaterThan(0);
    expect(deltas).toBe(8);
    expect(finish).toBe('length');
    expect(usage?.completion_tokens).toBe(8);
  });

  it('returns grammar-constrained JSON for response_format json_schema', async () => {
    const completion = await client.chat.completions.create({
      model: 'tiny-chat',
      messages: [{ role: 'user', content: 'Describe a pet.' }],
      max_tokens: 200,
      // Greedy decoding: a sampled run of the tiny model can spend all 200 tokens on one integer's digits.
      temperature: 0,
      seed: 7,
      response_format: {
        type: 'json_schema',
        json_schema: {
          name: 'pet',
          schema: {
            type: 'object',
            properties: { kind: { enum: ['cat', 'dog', 'bird'] }, legs: { type: 'integer' } },
            required: ['kind', 'legs'],
          },
        },
      },
    });
    const value = JSON.parse(completion.choices[0]?.message.content ?? '') as { kind: string; legs: number };
    expect(['cat', 'dog', 'bird']).toContain(value.kind);
    expect(Number.isInteger(value.legs)).toBe(true);
  });

  it('answers 503 when the only slot is busy and the queue is full, and frees the slot when the client disconnects', async () => {
    const controller = new AbortController();
    const response = await fetch(`${hub.openaiBaseUrl}/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${hub.adminKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'tiny', prompt: 'Once upon a time', max_tokens: 1900, temperature: 0, stream: true }),
      signal: controller.signal,
    });
    const reader = response.body?.getReader();
    await reader?.read();
    expect(active()).toBe(1);

    const refused = await client.completions.create({ model: 'tiny', prompt: 'Once', max_tokens: 2 }).catch((caught: unknown) => caught);
    expect(refused).toBeInstanceOf(OpenAI.InternalServerError);
    expect((refused as InstanceType<typeof OpenAI.APIError>).status).toBe(503);
    expect((refused as Error).message).toContain('max_queue 0');

    controller.abort();
    const deadline = Date.now() + 1_000;
    while (active() !== 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
    expect(active()).toBe(0);
    const after = await client.completions.create({ model: 'tiny', prompt: 'Once', max_tokens: 2, temperature: 0 });
    expect(after.usage?.completion_tokens).toBe(2);
  });
});
