import { describe, expect, it } from 'vitest';
import type { Budget, CreatedKey, LedgerRow, Tenant } from '../../src/admin/contract.js';
import { PICOS_PER_USD, usdToPicos } from '../../src/core/index.js';
import { openDatabase } from '../../src/storage/index.js';
import { startFakeOpenAI } from '../fake-upstreams/openai.js';
import { admin, ledgerRows } from '../support/economy.js';
import { type ConfigInput, startTestHub, type TestHub } from '../support/hub.js';
import { findTestRedis } from '../support/test-db.js';

// Each request reserves its worst case (its prompt, counted, + max_tokens 100 at $10/$100 per Mtok ≈ $0.0101)
// and the fake upstream really generates 100 tokens, so the actual cost is about the reservation: a $1 budget
// covers ~99 of the 500, and actual spend must never pass the limit, whatever the interleaving.
const LIMIT_USD = '1';
const REQUESTS = 500;

function config(upstreamUrl: string, durability: 'process' | 'machine'): ConfigInput {
  return {
    economy: { durability },
    providers: [{ id: 'up', type: 'openai', base_url: upstreamUrl }],
    models: [
      { name: 'gpt-4o-mini', targets: [{ provider: 'up', model: 'gpt-4o-mini' }], pricing: { input_per_mtok: 10, output_per_mtok: 100 } },
    ],
  };
}

async function fire(urls: string[], key: string): Promise<{ ok: number; refused: number; other: number[] }> {
  const statuses = await Promise.all(
    Array.from({ length: REQUESTS }, async (_, index) => {
      const response = await fetch(`${urls[index % urls.length]}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'gpt-4o-mini', max_tokens: 100, messages: [{ role: 'user', content: 'hi' }] }),
      });
      const body = await response.text();
      if (response.status === 429 || response.status === 402) expect(body).toMatch(/budget/i);
      return response.status;
    }),
  );
  return {
    ok: statuses.filter((status) => status === 200).length,
    refused: statuses.filter((status) => status === 429 || status === 402).length,
    other: statuses.filter((status) => status !== 200 && status !== 429 && status !== 402),
  };
}

async function checkSpend(hubs: TestHub[], tenant: Tenant, ok: number): Promise<void> {
  const first = hubs[0] as TestHub;
  for (const hub of hubs) await hub.hub.economy.flush();
  const rows: LedgerRow[] = (await ledgerRows(first)).filter((row) => row.tenant_id === tenant.id && row.status === 200);
  expect(rows).toHaveLength(ok);
  const spent = rows.reduce((sum, row) => sum + usdToPicos(row.cost_usd), 0n);
  expect(spent).toBeLessThanOrEqual(usdToPicos(LIMIT_USD));
  expect(spent).toBeGreaterThan(0n);
  const budgets = await admin<{ data: Budget[] }>(first, 'GET', `/admin/v1/budgets?tenant_id=${tenant.id}`);
  const remaining = usdToPicos(budgets.data[0]?.remaining_usd ?? '0');
  expect(remaining).toBe(usdToPicos(LIMIT_USD) - spent);
  expect(remaining).toBeGreaterThanOrEqual(0n);
  expect(PICOS_PER_USD).toBe(1_000_000_000_000n);
}

describe.each(['process', 'machine'] as const)('a hard budget under 500 concurrent requests (%s durability)', (durability) => {
  it('one hub: admits about what the budget covers, never spends past it', async () => {
    const upstream = await startFakeOpenAI({ delayMs: 20, reply: 'x'.repeat(100), chunks: 100, promptTokens: 8 });
    const hub = await startTestHub(config(upstream.url, durability));
    try {
      const tenant = await admin<Tenant>(hub, 'POST', '/admin/v1/tenants', { name: 'race' });
      await admin(hub, 'POST', '/admin/v1/budgets', { scope: 'tenant', tenant_id: tenant.id, limit_usd: LIMIT_USD, period: 'month' });
      const key = await admin<CreatedKey>(hub, 'POST', '/admin/v1/keys', { tenant_id: tenant.id });
      const result = await fire([hub.url], key.key);
      expect(result.other).toEqual([]);
      expect(result.ok).toBeGreaterThanOrEqual(90);
      expect(result.refused).toBeGreaterThan(0);
      await checkSpend([hub], tenant, result.ok);
    } finally {
      await hub.close();
      await upstream.close();
    }
  }, 120_000);

  it('three replicas sharing the database and Redis: the budget stays global', async (context) => {
    const redisUrl = await findTestRedis();
    if (!redisUrl) {
      console.warn('skipping the 3-replica budget test: no Redis (set TOKENHUB_TEST_REDIS_URL)');
      context.skip();
      return;
    }
    const upstream = await startFakeOpenAI({ delayMs: 20, reply: 'x'.repeat(100), chunks: 100, promptTokens: 8 });
    const databaseUrl = process.env.TOKENHUB_TEST_DATABASE_URL;
    const schema = `replicas_${process.pid}_${Date.now().toString(36)}`;
    const database = databaseUrl ? await openDatabase({ url: databaseUrl, schema }) : await openDatabase({});
    const prefix = `tokenhub-test:${schema}:`;
    const hubs: TestHub[] = [];
    try {
      for (let i = 0; i < 3; i++)
        hubs.push(await startTestHub(config(upstream.url, durability), { database, redisUrl, redisKeyPrefix: prefix }));
      const first = hubs[0] as TestHub;
      const tenant = await admin<Tenant>(first, 'POST', '/admin/v1/tenants', { name: 'race-cluster' });
      await admin(first, 'POST', '/admin/v1/budgets', { scope: 'tenant', tenant_id: tenant.id, limit_usd: LIMIT_USD, period: 'month' });
      const key = await admin<CreatedKey>(first, 'POST', '/admin/v1/keys', { tenant_id: tenant.id });
      const result = await fire(
        hubs.map((hub) => hub.url),
        key.key,
      );
      expect(result.other).toEqual([]);
      expect(result.ok).toBeGreaterThanOrEqual(90);
      expect(result.refused).toBeGreaterThan(0);
      await checkSpend(hubs, tenant, result.ok);
    } finally {
      for (const hub of hubs) await hub.close();
      if (databaseUrl) await database.query(`drop schema if exists "${schema}" cascade`).catch(() => {});
      await database.close();
      await upstream.close();
    }
  }, 180_000);
});
