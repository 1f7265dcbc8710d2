/**
 * A broken or hostile upstream's usage (attack report F1, F6, F10): counts that are too large,
 * fractional, strings, objects, negative or null are never believed. The answer is still served and
 * billed by the tokenizer, the ledger keeps writing every tenant's rows, a journal entry the database
 * refuses is quarantined instead of stopping the ledger and the next start, and an upstream that
 * ignores max_tokens is billed at the cap.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Budget, LedgerRow } from '../../src/admin/contract.js';
import { picos, usdToPicos } from '../../src/core/index.js';
import { Journal } from '../../src/economy/journal.js';
import type { LedgerEntry } from '../../src/storage/index.js';
import { type FakeOpenAI, startFakeOpenAI } from '../fake-upstreams/openai.js';
import { admin, createKey, createTenant, ledgerRow, ledgerRows } from '../support/economy.js';
import { type ConfigInput, startTestHub, type TestHub } from '../support/hub.js';

const HOSTILE_USAGE: [string, unknown][] = [
  ['past int4', { prompt_tokens: 2_147_483_648, completion_tokens: 1, total_tokens: 2_147_483_649 }],
  ['1e19', { prompt_tokens: 1e19, completion_tokens: 1, total_tokens: 1e19 }],
  ['fractions', { prompt_tokens: 1.5, completion_tokens: 2.5, total_tokens: 4 }],
  ['strings', { prompt_tokens: 'ten', completion_tokens: '5', total_tokens: 15 }],
  ['objects', { prompt_tokens: { a: 1 }, completion_tokens: [1], total_tokens: 2 }],
  ['negatives', { prompt_tokens: -1_000_000, completion_tokens: -1_000_000, total_tokens: -2_000_000 }],
  ['nulls', { prompt_tokens: null, completion_tokens: null, total_tokens: null }],
  ['not an object', 'lots'],
];

let upstream: FakeOpenAI;
let hub: TestHub;

function config(upstreamUrl: string): ConfigInput {
  return {
    providers: [{ id: 'up', type: 'openai', base_url: upstreamUrl }],
    models: [{ name: 'paid', targets: [{ provider: 'up', model: 'paid' }], pricing: { input_per_mtok: 10, output_per_mtok: 30 } }],
  };
}

async function chat(key: string, body: Record<string, unknown>): Promise<{ status: number; requestId: string; text: string }> {
  const response = await fetch(`${hub.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'paid', messages: [{ role: 'user', content: 'hello there' }], ...body }),
  });
  return { status: response.status, requestId: response.headers.get('x-request-id') ?? '', text: await response.text() };
}

async function readyz(target: TestHub): Promise<{ status: number; body: { status: string; checks: Record<string, string> } }> {
  const response = await fetch(`${target.url}/readyz`);
  return { status: response.status, body: (await response.json()) as { status: string; checks: Record<string, string> } };
}

beforeAll(async () => {
  upstream = await startFakeOpenAI({ reply: 'Hello from a hostile upstream, with several words.' });
  hub = await startTestHub(config(upstream.url));
});

afterAll(async () => {
  await hub?.close();
  await upstream?.close();
});

describe('untrusted upstream usage', () => {
  it('serves and bills every unbelievable usage by the tokenizer, and keeps writing every tenant’s ledger', async () => {
    const attacker = await createKey(hub, { tenant_id: (await createTenant(hub, 'hostile-usage')).id });
    const bystander = await createKey(hub, { tenant_id: (await createTenant(hub, 'bystander')).id });
    for (const [label, usage] of HOSTILE_USAGE) {
      upstream.set({ usage });
      for (const stream of [false, true]) {
        const answer = await chat(attacker.key, stream ? { stream: true, stream_options: { include_usage: true } } : {});
        expect(answer.status, `${label}, stream ${stream}: ${answer.text}`).toBe(200);
        const row = await ledgerRow(hub, answer.requestId).catch((error: unknown) => {
          throw new Error(`${label}, stream ${stream}: ${String(error)}`);
        });
        expect(row, `${label}, stream ${stream}`).toMatchObject({
          usage_source: 'tokenizer',
          usage_anomaly: 'invalid_upstream_usage',
          status: 200,
        });
        expect(row.prompt_tokens).toBeGreaterThan(0);
        expect(row.prompt_tokens).toBeLessThan(100);
        expect(row.completion_tokens).toBeGreaterThan(0);
        expect(row.completion_tokens).toBeLessThan(100);
        expect(usdToPicos(row.cost_usd)).toBeGreaterThan(0n);
      }
    }
    upstream.set({ usage: undefined });
    const honest = await chat(bystander.key, {});
    expect(honest.status).toBe(200);
    expect(await ledgerRow(hub, honest.requestId)).toMatchObject({ usage_source: 'upstream', usage_anomaly: null, key_id: bystander.id });
    expect((await readyz(hub)).body.status).toBe('ready');
    const metrics = await (await fetch(`${hub.url}/metrics`)).text();
    expect(metrics).toMatch(/tokenhub_upstream_usage_anomalies_total\{provider="up",anomaly="invalid_upstream_usage"\} 16/);
  });

  it('bills at most the prompt as cached, however many cached tokens the upstream claims', async () => {
    const key = await createKey(hub, { tenant_id: (await createTenant(hub, 'cached-claims')).id });
    upstream.set({
      usage: { prompt_tokens: 10, completion_tokens: 2, total_tokens: 12, prompt_tokens_details: { cached_tokens: 1_000_000 } },
    });
    const answer = await chat(key.key, {});
    upstream.set({ usage: undefined });
    expect(answer.status).toBe(200);
    expect(await ledgerRow(hub, answer.requestId)).toMatchObject({
      usage_source: 'upstream',
      usage_anomaly: 'sub_count_exceeds_total',
      prompt_tokens: 10,
      cached_tokens: 10,
      completion_tokens: 2,
    });
  });

  it('bills an upstream that ignores max_tokens at the cap, so a hard budget holds', async () => {
    // max_tokens 1 and a 40-word prompt: the worst case fits a few times in the budget; the upstream
    // answers 1,000 completion tokens each time, which unbounded would pass the limit on the first request.
    const prompt = Array.from({ length: 40 }, () => 'word').join(' ');
    const tenant = await createTenant(hub, 'overrun');
    const key = await createKey(hub, { tenant_id: tenant.id, budget: { limit_usd: '0.005', period: 'total' } });
    upstream.set({ usage: { prompt_tokens: 41, completion_tokens: 1_000, total_tokens: 1_041 } });
    const statuses: number[] = [];
    for (let attempt = 0; attempt < 20; attempt++) {
      statuses.push((await chat(key.key, { max_tokens: 1, messages: [{ role: 'user', content: prompt }] })).status);
    }
    upstream.set({ usage: undefined });
    expect(statuses.filter((status) => status === 200).length).toBeGreaterThan(0);
    expect(statuses.every((status) => status === 200 || status === 402)).toBe(true);
    const rows = (await ledgerRows(hub)).filter((row) => row.key_id === key.id && row.status === 200);
    expect(rows.every((row) => row.completion_tokens === 1 && row.usage_anomaly === 'output_exceeds_max_tokens')).toBe(true);
    const budgets = await admin<{ data: Budget[] }>(hub, 'GET', `/admin/v1/budgets?key_id=${key.id}`);
    const budget = budgets.data[0] as Budget;
    expect(usdToPicos(budget.spent_usd)).toBeLessThanOrEqual(usdToPicos('0.005'));
    expect(usdToPicos(budget.reserved_usd)).toBe(0n);
  });
});

describe('a ledger entry the database refuses', () => {
  const entry = (requestId: string, overrides: Partial<LedgerEntry>): LedgerEntry => ({
    requestId,
    clientRequestId: null,
    tenantId: null,
    projectId: null,
    keyId: null,
    surface: 'openai',
    modelRequested: 'paid',
    modelServed: 'paid',
    providerId: 'up',
    upstreamModel: 'paid',
    inputTokens: 5,
    outputTokens: 5,
    cachedTokens: 0,
    cacheWriteTokens: 0,
    usageSource: 'upstream',
    usageAnomaly: null,
    agent: null,
    runId: null,
    threadId: null,
    workflow: null,
    costPicos: picos(200_000n),
    priceKnown: true,
    latencyMs: 3,
    ttfbMs: null,
    status: 200,
    errorCode: null,
    stream: false,
    attempts: 1,
    createdAt: new Date(),
    ...overrides,
  });

  it('is quarantined at start and on every flush, while every other entry reaches the ledger and the hub keeps starting', async () => {
    // A journal left by a hub that believed hostile usage: counts no column can hold, a time PostgreSQL
    // refuses (found only by the database), and honest entries before and after them.
    const dataDir = await mkdtemp(join(tmpdir(), 'tokenhub-quarantine-'));
    const { journal } = await Journal.open(join(dataDir, 'journal'));
    await journal.append(entry('req_before_poison', {}));
    await journal.append(entry('req_huge_count', { inputTokens: 1e19 }));
    await journal.append(entry('req_ancient', { createdAt: new Date('-005000-01-01T00:00:00Z') }));
    await journal.append(entry('req_after_poison', {}));
    await journal.close();

    const restarted = await startTestHub(config(upstream.url), { dataDir });
    try {
      const ids = (await ledgerRows(restarted)).map((row: LedgerRow) => row.request_id);
      expect(ids).toEqual(expect.arrayContaining(['req_before_poison', 'req_after_poison']));
      expect(ids).not.toContain('req_huge_count');
      expect(ids).not.toContain('req_ancient');

      const quarantine = (await readFile(join(dataDir, 'ledger-quarantine', 'quarantine.jsonl'), 'utf8')).trim().split('\n');
      const kept = quarantine.map((line) => JSON.parse(line) as { reason: string; entry: { requestId: string; inputTokens: number } });
      expect(kept.map((line) => line.entry.requestId).sort()).toEqual(['req_ancient', 'req_huge_count']);
      expect(kept.find((line) => line.entry.requestId === 'req_huge_count')?.entry.inputTokens).toBe(1e19);

      const ready = await readyz(restarted);
      expect(ready.status).toBe(200);
      expect(ready.body.status).toBe('degraded');
      expect(ready.body.checks.ledger).toMatch(/^2 usage entries refused by the ledger/);
      expect(await (await fetch(`${restarted.url}/metrics`)).text()).toMatch(/tokenhub_ledger_quarantined_entries 2/);

      // New traffic keeps reaching the ledger.
      const key = await createKey(restarted, { tenant_id: (await createTenant(restarted, 'after-quarantine')).id });
      const response = await fetch(`${restarted.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key.key}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'paid', messages: [{ role: 'user', content: 'hi' }] }),
      });
      expect(response.status).toBe(200);
      expect(await ledgerRow(restarted, response.headers.get('x-request-id') ?? '')).toMatchObject({ key_id: key.id });
    } finally {
      await restarted.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
