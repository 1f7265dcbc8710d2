/**
 * Sandboxes are metered like tokens: a tenant's budget stops a loop of code calls with 402 `budget_exceeded`
 * before the ledger passes it (each call reserves its worst case first), storage is billed by bytes × seconds,
 * and a tenant holds at most `max_live_per_tenant` live sandboxes (409 `sandbox_quota_exceeded`).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Budget } from '../../src/admin/contract.js';
import { usdToPicos } from '../../src/core/index.js';
import { admin, createKey, createTenant, ledgerRows } from '../support/economy.js';
import { type SandboxHub, startSandboxHub } from './sandbox-hub.js';

interface ErrorBody {
  error: { message: string; type: string; param: string | null; code: string | null };
}
interface Sandbox {
  id: string;
  status: string;
  usage: { calls: number; cpu_ms: number; cost_usd: string };
}

/** Dear CPU time, so that a small budget is spent in a few loops: $1 a CPU-second. */
const CPU_SECOND_USD = 1;
const BUDGET_USD = '2';
const LOOP_CPU_MS = 100;
const MAX_LIVE = 5;
/** $3.60 per GB-hour: a byte kept one second costs a picodollar. */
const STORAGE_GB_HOUR_USD = 3.6;

let box: SandboxHub;

beforeAll(async () => {
  box = await startSandboxHub({
    sandboxes: { pricing: { cpu_second_usd: CPU_SECOND_USD, storage_gb_hour_usd: STORAGE_GB_HOUR_USD }, max_live_per_tenant: MAX_LIVE },
  });
});
afterAll(async () => {
  await box?.close();
});

async function tenantKey(name: string): Promise<{ tenantId: string; key: string }> {
  const tenant = await createTenant(box.hub, name);
  const { key } = await createKey(box.hub, { tenant_id: tenant.id, scopes: ['sandboxes'] });
  return { tenantId: tenant.id, key };
}

describe("a tenant's budget", () => {
  it('stops loops of code calls in parallel sandboxes with 402 budget_exceeded, the ledger never passing the budget', async () => {
    await admin(box.hub, 'POST', '/admin/v1/budgets', { scope: 'tenant', tenant_id: box.tenantId, limit_usd: BUDGET_USD, period: 'total' });
    const sandboxes = await Promise.all(
      Array.from(
        { length: 4 },
        async () => (await box.call<Sandbox>('POST', '/v1/sandboxes', { limits: { cpu_ms: LOOP_CPU_MS } })).body.id,
      ),
    );
    const outcomes: { status: number; code: string | null | undefined }[] = [];
    const refusals: ErrorBody[] = [];
    await Promise.all(
      sandboxes.map(async (id) => {
        // Bounded: with a $1.10 worst case per call against $2, about ten calls fit; forty never do.
        for (let attempt = 0; attempt < 40; attempt++) {
          const answer = await box.call<{ error: { code?: string } | null } & ErrorBody>('POST', `/v1/sandboxes/${id}/code`, {
            language: 'javascript',
            code: 'while (true) {}',
          });
          outcomes.push({ status: answer.status, code: answer.status === 200 ? answer.body.error?.code : answer.body.error.code });
          if (answer.status === 402) {
            refusals.push(answer.body);
            return;
          }
        }
      }),
    );

    expect(refusals).toHaveLength(sandboxes.length);
    for (const refusal of refusals) expect(refusal.error).toMatchObject({ type: 'insufficient_quota', code: 'budget_exceeded' });
    const ran = outcomes.filter((outcome) => outcome.status === 200);
    expect(ran.length).toBeGreaterThanOrEqual(2);
    expect(new Set(outcomes.map((outcome) => `${outcome.status} ${outcome.code}`))).toEqual(
      new Set(['200 cpu_limit_exceeded', '402 budget_exceeded']),
    );

    const limit = usdToPicos(BUDGET_USD);
    const billed = (await ledgerRows(box.hub)).filter((row) => row.tenant_id === box.tenantId && row.usage_kind === 'sandbox');
    const total = billed.reduce((sum, row) => sum + usdToPicos(row.cost_usd), 0n);
    expect(billed.filter((row) => row.status === 200)).toHaveLength(ran.length);
    expect(total > 0n).toBe(true);
    expect(total <= limit).toBe(true);
    const budgets = await admin<{ data: Budget[] }>(box.hub, 'GET', `/admin/v1/budgets?tenant_id=${box.tenantId}`);
    expect(budgets.data).toHaveLength(1);
    expect(usdToPicos(budgets.data[0]?.spent_usd ?? '0')).toBe(total);
    expect(usdToPicos(budgets.data[0]?.reserved_usd ?? '1')).toBe(0n);

    const calls = await Promise.all(sandboxes.map(async (id) => (await box.call<Sandbox>('GET', `/v1/sandboxes/${id}`)).body.usage.calls));
    expect(calls.reduce((sum, count) => sum + count, 0)).toBe(ran.length);
    // Even a call that would cost almost nothing is refused: its worst case (the CPU limit) no longer fits.
    const quick = await box.call<ErrorBody>('POST', `/v1/sandboxes/${sandboxes[0]}/code`, { language: 'javascript', code: '1' });
    expect(quick.status).toBe(402);
    expect(quick.body.error.code).toBe('budget_exceeded');
  }, 120_000);
});

describe('storage', () => {
  it("bills a sandbox's files by bytes × whole seconds held when it ends, at the configured price", async () => {
    const { key } = await tenantKey('sandbox-storage');
    const created = await box.call<Sandbox>('POST', '/v1/sandboxes', {}, key);
    const put = await fetch(`${box.hub.url}/v1/sandboxes/${created.body.id}/files/data.bin`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/octet-stream' },
      body: 'x'.repeat(1000),
    });
    expect(put.status).toBe(201);
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const ended = await box.call<Sandbox>('DELETE', `/v1/sandboxes/${created.body.id}`, undefined, key);
    expect(ended.body.status).toBe('deleted');
    const rows = (await ledgerRows(box.hub)).filter((row) => row.sandbox_id === created.body.id);
    expect(rows).toHaveLength(1);
    const [row] = rows;
    expect(row).toMatchObject({ usage_kind: 'sandbox', model_served: 'sandbox:storage', status: 200 });
    const byteSeconds = row?.storage_byte_seconds ?? 0;
    expect(byteSeconds % 1000).toBe(0);
    expect(byteSeconds).toBeGreaterThanOrEqual(1000);
    // A byte-second is a picodollar at this price.
    expect(usdToPicos(row?.cost_usd ?? '0')).toBe(BigInt(byteSeconds));
    expect(ended.body.usage.cost_usd).toBe(row?.cost_usd);
  });
});

describe('live sandboxes per tenant', () => {
  it(`refuses a tenant's ${MAX_LIVE + 1}th live sandbox with 409 sandbox_quota_exceeded, per tenant, until one ends`, async () => {
    const full = await tenantKey('sandbox-quota-full');
    const other = await tenantKey('sandbox-quota-other');
    const ids: string[] = [];
    for (let index = 0; index < MAX_LIVE; index++) {
      const created = await box.call<Sandbox>('POST', '/v1/sandboxes', { template: 'files' }, full.key);
      expect(created.status).toBe(201);
      ids.push(created.body.id);
    }
    const refused = await box.call<ErrorBody>('POST', '/v1/sandboxes', { template: 'files' }, full.key);
    expect(refused.status).toBe(409);
    expect(refused.body.error).toMatchObject({ type: 'invalid_request_error', code: 'sandbox_quota_exceeded' });
    const live = await box.call<{ data: Sandbox[] }>('GET', '/v1/sandboxes?status=live&limit=100', undefined, full.key);
    expect(live.body.data.map((sandbox) => sandbox.id).sort()).toEqual([...ids].sort());

    expect((await box.call('POST', '/v1/sandboxes', {}, other.key)).status).toBe(201);
    expect((await box.call('DELETE', `/v1/sandboxes/${ids[0]}`, undefined, full.key)).status).toBe(200);
    expect((await box.call('POST', '/v1/sandboxes', {}, full.key)).status).toBe(201);
  });
});
