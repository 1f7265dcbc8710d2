/**
 * A client's `x-request-id` never keys money (attack report F3): repeated, concurrent or another
 * tenant's ids still give one ledger row and one reservation per request, so nothing goes unbilled,
 * no reservation leaks, `max_concurrency` holds, and no tenant can erase another's rows.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Budget, LedgerRow } from '../../src/admin/contract.js';
import { usdToPicos } from '../../src/core/index.js';
import { type FakeOpenAI, startFakeOpenAI } from '../fake-upstreams/openai.js';
import { admin, createKey, createTenant, ledgerRows } from '../support/economy.js';
import { startTestHub, type TestHub } from '../support/hub.js';

let upstream: FakeOpenAI;
let slow: FakeOpenAI;
let hub: TestHub;

beforeAll(async () => {
  upstream = await startFakeOpenAI();
  slow = await startFakeOpenAI({ delayMs: 200 });
  hub = await startTestHub({
    providers: [
      { id: 'up', type: 'openai', base_url: upstream.url },
      { id: 'slow', type: 'openai', base_url: slow.url },
    ],
    models: [
      { name: 'paid', targets: [{ provider: 'up', model: 'paid' }], pricing: { input_per_mtok: 10, output_per_mtok: 30 } },
      { name: 'paid-slow', targets: [{ provider: 'slow', model: 'paid' }], pricing: { input_per_mtok: 10, output_per_mtok: 30 } },
    ],
  });
});

afterAll(async () => {
  await hub?.close();
  await Promise.all([upstream?.close(), slow?.close()]);
});

async function chat(key: string, clientId: string, model = 'paid'): Promise<{ status: number; requestId: string; echoed: string | null }> {
  const response = await fetch(`${hub.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', 'x-request-id': clientId },
    body: JSON.stringify({ model, max_tokens: 8, messages: [{ role: 'user', content: 'hi' }] }),
  });
  await response.text();
  return {
    status: response.status,
    requestId: response.headers.get('x-request-id') ?? '',
    echoed: response.headers.get('x-client-request-id'),
  };
}

const rowsOf = async (keyId: string): Promise<LedgerRow[]> => (await ledgerRows(hub)).filter((row) => row.key_id === keyId);

async function budgetOf(keyId: string): Promise<Budget> {
  const budgets = await admin<{ data: Budget[] }>(hub, 'GET', `/admin/v1/budgets?key_id=${keyId}`);
  return budgets.data[0] as Budget;
}

describe('client request ids', () => {
  it('mints a request id per request, echoes the client’s, and bills every repeat', async () => {
    const key = await createKey(hub, { tenant_id: (await createTenant(hub, 'repeats')).id, budget: { limit_usd: '1', period: 'total' } });
    const answers = [];
    for (let attempt = 0; attempt < 10; attempt++) answers.push(await chat(key.key, 'dup-req-0001'));
    expect(answers.every((answer) => answer.status === 200 && answer.echoed === 'dup-req-0001')).toBe(true);
    expect(new Set(answers.map((answer) => answer.requestId)).size).toBe(10);
    expect(answers.every((answer) => /^req_/.test(answer.requestId))).toBe(true);

    const rows = await rowsOf(key.id);
    expect(rows).toHaveLength(10);
    expect(rows.every((row) => row.client_request_id === 'dup-req-0001')).toBe(true);
    const billed = rows.reduce((sum, row) => sum + usdToPicos(row.cost_usd), 0n);
    const budget = await budgetOf(key.id);
    expect(usdToPicos(budget.spent_usd)).toBe(billed);
  });

  it('holds max_concurrency and leaks no reservation when 20 concurrent requests share one id', async () => {
    const tenant = await createTenant(hub, 'concurrent-repeats');
    const key = await createKey(hub, {
      tenant_id: tenant.id,
      rate_limits: { max_concurrency: 2 },
      budget: { limit_usd: '100', period: 'month' },
    });
    const answers = await Promise.all(Array.from({ length: 20 }, () => chat(key.key, 'conc-same', 'paid-slow')));
    const statuses = answers.map((answer) => answer.status);
    expect(statuses.filter((status) => status === 200)).toHaveLength(2);
    expect(statuses.filter((status) => status === 429)).toHaveLength(18);
    const budget = await budgetOf(key.id);
    expect(budget.reserved_usd).toBe('0.00');
    // Refusals at admission are not requests the upstream saw: only the two served are on the ledger.
    expect(await rowsOf(key.id)).toHaveLength(2);
  });

  it('never lets one tenant’s request id hide another tenant’s ledger row', async () => {
    const keyA = await createKey(hub, { tenant_id: (await createTenant(hub, 'tenant-a')).id });
    const keyB = await createKey(hub, { tenant_id: (await createTenant(hub, 'tenant-b')).id });
    expect((await chat(keyA.key, 'shared-trace-778')).status).toBe(200);
    const fromB = await chat(keyB.key, 'shared-trace-778');
    expect(fromB.status).toBe(200);
    const rowsB = await rowsOf(keyB.id);
    expect(rowsB.map((row) => row.request_id)).toEqual([fromB.requestId]);
    expect(await rowsOf(keyA.id)).toHaveLength(1);
  });
});
