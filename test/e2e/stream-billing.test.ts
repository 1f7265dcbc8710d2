import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countPromptTokens, countTextTokens } from '../../src/economy/index.js';
import { type FakeOpenAI, splitReply, startFakeOpenAI } from '../fake-upstreams/openai.js';
import { createKey, createTenant, ledgerRow } from '../support/economy.js';
import { startTestHub, type TestHub } from '../support/hub.js';

const REPLY = 'Hello from fake OpenAI!';
const MESSAGES = [{ role: 'user' as const, content: 'Tell me something.' }];
// $1 / $2 per million tokens: a token costs exactly 1 or 2 micro-dollars.
const PRICING = { input_per_mtok: 1, output_per_mtok: 2 };
const BACKUP_PRICING = { input_per_mtok: 3, output_per_mtok: 5 };

let primary: FakeOpenAI;
let backup: FakeOpenAI;
let hub: TestHub;
let client: OpenAI;

const usd = (micros: number): string => (micros / 1_000_000).toFixed(6).replace(/0+$/, '').replace(/\.$/, '.00');

beforeAll(async () => {
  primary = await startFakeOpenAI({ reply: REPLY, chunks: 5, promptTokens: 11 });
  backup = await startFakeOpenAI({ reply: 'Backup!', chunks: 3, promptTokens: 9 });
  hub = await startTestHub({
    providers: [
      { id: 'primary', type: 'openai', base_url: primary.url },
      { id: 'backup', type: 'openai', base_url: backup.url },
    ],
    models: [
      { name: 'gpt-4o-mini', targets: [{ provider: 'primary', model: 'gpt-4o-mini' }], fallbacks: ['backup-model'], pricing: PRICING },
      { name: 'backup-model', targets: [{ provider: 'backup', model: 'gpt-4o' }], pricing: BACKUP_PRICING },
    ],
    routing: { retries: 1, backoff_ms: 1 },
  });
  const tenant = await createTenant(hub, 'billing');
  const key = await createKey(hub, { tenant_id: tenant.id, name: 'billing-test' });
  client = new OpenAI({ apiKey: key.key, baseURL: hub.openaiBaseUrl, maxRetries: 0 });
});

afterAll(async () => {
  await hub?.close();
  await primary?.close();
  await backup?.close();
});

async function stream(): Promise<{ requestId: string; text: string }> {
  const { data, response } = await client.chat.completions
    .create({ model: 'gpt-4o-mini', messages: MESSAGES, stream: true })
    .withResponse();
  let text = '';
  try {
    for await (const chunk of data) text += chunk.choices[0]?.delta.content ?? '';
  } catch {
    // a stream cut by the upstream surfaces as an error after the text received so far
  }
  return { requestId: response.headers.get('x-request-id') ?? '', text };
}

describe('streams are billed exactly', () => {
  it('completed: the upstream usage block, at the model price', async () => {
    const { requestId, text } = await stream();
    expect(text).toBe(REPLY);
    const row = await ledgerRow(hub, requestId);
    expect(row).toMatchObject({
      prompt_tokens: 11,
      completion_tokens: 5,
      usage_source: 'upstream',
      status: 200,
      model_served: 'gpt-4o-mini',
      stream: true,
    });
    expect(row.cost_usd).toBe(usd(11 * 1 + 5 * 2));
  });

  it('cut by the upstream: the tokens actually generated, counted with the tokenizer', async () => {
    primary.failNext({ kind: 'cut-mid-stream', afterChunks: 2 });
    const { requestId, text } = await stream();
    const sent = splitReply(REPLY, 5).slice(0, 2).join('');
    expect(text).toBe(sent);
    const row = await ledgerRow(hub, requestId);
    const prompt = countPromptTokens({ messages: MESSAGES }, 'gpt-4o-mini');
    const completion = countTextTokens(sent, 'gpt-4o-mini');
    expect(row).toMatchObject({ usage_source: 'tokenizer', prompt_tokens: prompt, completion_tokens: completion });
    expect(row.status).toBeGreaterThanOrEqual(500);
    expect(row.cost_usd).toBe(usd(prompt * 1 + completion * 2));
  });

  it('upstream without a usage block: counted with the tokenizer', async () => {
    primary.set({ omitUsage: true });
    try {
      const { requestId, text } = await stream();
      expect(text).toBe(REPLY);
      const row = await ledgerRow(hub, requestId);
      const prompt = countPromptTokens({ messages: MESSAGES }, 'gpt-4o-mini');
      const completion = countTextTokens(REPLY, 'gpt-4o-mini');
      expect(row).toMatchObject({ usage_source: 'tokenizer', prompt_tokens: prompt, completion_tokens: completion, status: 200 });
      expect(row.cost_usd).toBe(usd(prompt * 1 + completion * 2));
    } finally {
      primary.set({ omitUsage: false });
    }
  });

  it('abandoned by the client: billed what was generated until it left, status 499', async () => {
    primary.set({ chunkDelayMs: 150 });
    try {
      const controller = new AbortController();
      const { data, response } = await client.chat.completions
        .create({ model: 'gpt-4o-mini', messages: MESSAGES, stream: true }, { signal: controller.signal })
        .withResponse();
      const requestId = response.headers.get('x-request-id') ?? '';
      let received = '';
      try {
        for await (const chunk of data) {
          received += chunk.choices[0]?.delta.content ?? '';
          if (received.length > 0) controller.abort();
        }
      } catch {
        // aborted on purpose
      }
      // The hub settles once it notices; wait until the ledger has the row.
      let row: Awaited<ReturnType<typeof ledgerRow>> | undefined;
      for (let i = 0; i < 50 && !row; i++) {
        row = await ledgerRow(hub, requestId).catch(() => undefined);
        if (!row) await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(row).toBeDefined();
      const prompt = countPromptTokens({ messages: MESSAGES }, 'gpt-4o-mini');
      expect(row).toMatchObject({ status: 499, usage_source: 'tokenizer', prompt_tokens: prompt });
      // At least what the client saw, never more than the whole reply.
      expect(row?.completion_tokens).toBeGreaterThanOrEqual(countTextTokens(received, 'gpt-4o-mini'));
      expect(row?.completion_tokens).toBeLessThan(countTextTokens(REPLY, 'gpt-4o-mini'));
      expect(row?.cost_usd).toBe(usd(prompt * 1 + (row?.completion_tokens ?? 0) * 2));
    } finally {
      primary.set({ chunkDelayMs: 0 });
    }
  });

  it('retried then fallen back: billed once, at the model actually served', async () => {
    primary.failNext({ kind: 'status', status: 500 }, { kind: 'status', status: 503 });
    const { requestId, text } = await stream();
    expect(text).toBe('Backup!');
    const row = await ledgerRow(hub, requestId);
    expect(row).toMatchObject({
      model_requested: 'gpt-4o-mini',
      model_served: 'backup-model',
      provider: 'backup',
      attempts: 3,
      prompt_tokens: 9,
      completion_tokens: 3,
      usage_source: 'upstream',
      status: 200,
    });
    expect(row.cost_usd).toBe(usd(9 * 3 + 3 * 5));
  });
});
