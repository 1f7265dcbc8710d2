/**
 * `n` and `best_of` ask the upstream for several generations, each billed (attack report F2): the
 * reservation covers max_tokens for every one of them, on chat and on legacy completions, so a hard
 * budget holds and the tokens-per-minute window counts them too.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Budget } from '../../src/admin/contract.js';
import { usdToPicos } from '../../src/core/index.js';
import { type FakeOpenAI, startFakeOpenAI } from '../fake-upstreams/openai.js';
import { admin, createKey, createTenant, ledgerRows } from '../support/economy.js';
import { startTestHub, type TestHub } from '../support/hub.js';

let upstream: FakeOpenAI;
let hub: TestHub;

beforeAll(async () => {
  upstream = await startFakeOpenAI();
  hub = await startTestHub({
    providers: [{ id: 'up', type: 'openai', base_url: upstream.url }],
    models: [{ name: 'faithful', targets: [{ provider: 'up', model: 'faithful' }], pricing: { input_per_mtok: 10, output_per_mtok: 30 } }],
  });
});

afterAll(async () => {
  await hub?.close();
  await upstream?.close();
});

async function post(key: string, path: string, body: Record<string, unknown>): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${hub.url}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'faithful', ...body }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

const chat = (key: string, body: Record<string, unknown>) =>
  post(key, '/v1/chat/completions', { messages: [{ role: 'user', content: 'hi' }], ...body });

describe('several choices per request', () => {
  it('reserves max_tokens for each of n choices, so n cannot spend past a hard budget', async () => {
    const tenant = await createTenant(hub, 'n-choices');
    const key = await createKey(hub, { tenant_id: tenant.id, budget: { limit_usd: '0.01', period: 'total' } });
    // One choice of 100 tokens at $30/Mtok is $0.003: it fits. 128 of them ($0.384) do not.
    const refused = await chat(key.key, { max_tokens: 100, n: 128 });
    expect(refused.status).toBe(402);
    expect(refused.body.error).toMatchObject({ code: 'budget_exceeded', type: 'insufficient_quota' });
    expect(String((refused.body.error as { message: string }).message)).toMatch(/may cost up to \$0\.384/);

    const three = await chat(key.key, { max_tokens: 100, n: 3 });
    expect(three.status).toBe(200);
    expect(three.body.choices).toHaveLength(3);
    const rows = (await ledgerRows(hub)).filter((row) => row.key_id === key.id && row.status === 200);
    expect(rows).toHaveLength(1);
    expect(rows[0]?.completion_tokens).toBe(15);
    const budgets = await admin<{ data: Budget[] }>(hub, 'GET', `/admin/v1/budgets?key_id=${key.id}`);
    expect(usdToPicos(budgets.data[0]?.spent_usd ?? '0')).toBeLessThanOrEqual(usdToPicos('0.01'));
    expect(budgets.data[0]?.reserved_usd).toBe('0.00');
  });

  it('reserves max_tokens for each best_of candidate of a text completion', async () => {
    const key = await createKey(hub, {
      tenant_id: (await createTenant(hub, 'best-of')).id,
      budget: { limit_usd: '0.01', period: 'total' },
    });
    const refused = await post(key.key, '/v1/completions', { prompt: 'hi', max_tokens: 100, best_of: 20, n: 20 });
    expect(refused.status).toBe(402);
    expect(String((refused.body.error as { message: string }).message)).toMatch(/may cost up to \$0\.06/);
    const bestOfOnly = await post(key.key, '/v1/completions', { prompt: 'hi', max_tokens: 100, best_of: 20 });
    expect(bestOfOnly.status).toBe(402);
  });

  it('counts every choice against the tokens-per-minute window', async () => {
    const key = await createKey(hub, { tenant_id: (await createTenant(hub, 'n-tpm')).id, rate_limits: { tpm: 1_000 } });
    expect((await chat(key.key, { max_tokens: 100, n: 5 })).status).toBe(200);
    const refused = await chat(key.key, { max_tokens: 100, n: 20 });
    expect(refused.status).toBe(429);
    expect(refused.body.error).toMatchObject({ code: 'tokens_per_minute_exceeded' });
  });
});
