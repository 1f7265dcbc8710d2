/**
 * `POST /v1/messages/count_tokens` through the official Anthropic SDK (`messages.countTokens`, as Claude
 * Code calls it): Anthropic upstreams count themselves, every other model is counted by the hub; the call
 * is admitted like any other (model allow-list, requests per minute) but reserves, bills and records nothing.
 */
import Anthropic from '@anthropic-ai/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeAnthropic, fakeAnthropicInputTokens, startFakeAnthropic } from '../../../test/fake-upstreams/anthropic.js';
import { type FakeOpenAI, startFakeOpenAI } from '../../../test/fake-upstreams/openai.js';
import { ledgerRows } from '../../../test/support/economy.js';
import { startTestHub, type TestHub } from '../../../test/support/hub.js';
import { usdToPicos } from '../../core/index.js';
import { countPromptTokens } from '../../economy/index.js';

let claude: FakeAnthropic;
let openaiUpstream: FakeOpenAI;
let hub: TestHub;
let anthropic: Anthropic;

const PRICING = { input_per_mtok: 3, output_per_mtok: 15 };
const weatherTool = {
  name: 'get_weather',
  description: 'Weather for a city',
  input_schema: { type: 'object' as const, properties: { city: { type: 'string' } }, required: ['city'] },
};
const messages = [{ role: 'user' as const, content: 'Hello, world' }];

beforeAll(async () => {
  claude = await startFakeAnthropic({ apiKey: 'sk-ant-upstream' });
  openaiUpstream = await startFakeOpenAI();
  hub = await startTestHub({
    providers: [
      { id: 'claude', type: 'anthropic', base_url: claude.url, api_key: 'sk-ant-upstream' },
      { id: 'oai', type: 'openai', base_url: openaiUpstream.url },
    ],
    models: [
      { name: 'claude-test', targets: [{ provider: 'claude', model: 'claude-sonnet-4-20250514' }], pricing: PRICING },
      { name: 'gpt-test', targets: [{ provider: 'oai', model: 'gpt-4o-mini' }], pricing: PRICING },
    ],
    routing: { retries: 0, backoff_ms: 1 },
  });
  anthropic = new Anthropic({ apiKey: hub.adminKey, baseURL: hub.url, maxRetries: 0 });
});

afterAll(async () => {
  await hub?.close();
  await claude?.close();
  await openaiUpstream?.close();
});

describe('POST /v1/messages/count_tokens', () => {
  it('is passed through to an Anthropic upstream, re-targeted and without max_tokens', async () => {
    const { data, response } = await anthropic.messages
      .countTokens({ model: 'claude-test', system: 'Be brief.', messages, tools: [weatherTool] })
      .withResponse();
    const sent = claude.requests.at(-1);
    expect(sent?.path).toBe('/v1/messages/count_tokens');
    expect(sent?.body?.model).toBe('claude-sonnet-4-20250514');
    expect(sent?.body).not.toHaveProperty('max_tokens');
    expect(sent?.headers['x-api-key']).toBe('sk-ant-upstream');
    expect(data).toEqual({ input_tokens: fakeAnthropicInputTokens(sent?.body ?? {}) });
    expect(response.headers.get('x-tokenhub-model')).toBe('claude-test');
  });

  it('is counted by the hub for other upstreams, system and tools included, without calling them', async () => {
    const before = openaiUpstream.requests.length;
    const plain = await anthropic.messages.countTokens({ model: 'gpt-test', messages });
    expect(plain.input_tokens).toBe(countPromptTokens({ messages: [{ role: 'user', content: 'Hello, world' }] }, 'gpt-4o-mini'));
    const withSystem = await anthropic.messages.countTokens({ model: 'gpt-test', system: 'You are a terse assistant.', messages });
    expect(withSystem.input_tokens).toBeGreaterThan(plain.input_tokens);
    const withTools = await anthropic.messages.countTokens({ model: 'gpt-test', messages, tools: [weatherTool] });
    expect(withTools.input_tokens).toBeGreaterThan(plain.input_tokens);
    expect(openaiUpstream.requests.length).toBe(before);
  });

  it('answers an unknown model with a 404 in the Anthropic shape', async () => {
    await expect(anthropic.messages.countTokens({ model: 'no-such-model', messages })).rejects.toBeInstanceOf(Anthropic.NotFoundError);
  });

  it('is admitted like any call (allow-list, requests per minute) but reserves, bills and records nothing', async () => {
    const tenant = await hub.hub.economy.tenancy.createTenant('count-tokens');
    const created = await hub.hub.economy.keys.create({
      tenantId: tenant.id,
      projectId: null,
      name: 'counting',
      models: ['claude-test', 'gpt-test'],
      // A token window already too small for any prompt: counting must not be charged against it.
      rateLimits: { rpm: 3, tpm: 1 },
      budget: { limitPicos: usdToPicos('1'), period: 'total' },
    });
    const budgetId = created.budget?.id;
    if (!budgetId) throw new Error('the key was created without its budget');
    const client = new Anthropic({ apiKey: created.secret, baseURL: hub.url, maxRetries: 0 });
    const rowsBefore = (await ledgerRows(hub)).length;

    expect((await client.messages.countTokens({ model: 'claude-test', messages })).input_tokens).toBeGreaterThan(0);
    expect((await client.messages.countTokens({ model: 'gpt-test', messages, tools: [weatherTool] })).input_tokens).toBeGreaterThan(0);
    expect((await client.messages.countTokens({ model: 'claude-test', messages })).input_tokens).toBeGreaterThan(0);
    // The fourth call in the minute is over the key's 3 requests per minute.
    await expect(client.messages.countTokens({ model: 'gpt-test', messages })).rejects.toBeInstanceOf(Anthropic.RateLimitError);

    const stranger = await hub.hub.economy.keys.create({
      tenantId: tenant.id,
      projectId: null,
      name: 'gpt only',
      models: ['gpt-test'],
      rateLimits: {},
    });
    const restricted = new Anthropic({ apiKey: stranger.secret, baseURL: hub.url, maxRetries: 0 });
    await expect(restricted.messages.countTokens({ model: 'claude-test', messages })).rejects.toBeInstanceOf(
      Anthropic.PermissionDeniedError,
    );

    const budget = await hub.hub.economy.budgets.get(budgetId);
    expect(budget.spent).toBe(0n);
    expect(budget.reserved).toBe(0n);
    expect((await ledgerRows(hub)).length).toBe(rowsBefore);
  });
});
