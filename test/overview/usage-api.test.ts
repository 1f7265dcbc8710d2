/**
 * The usage API behind the console's overview, on a real hub: calls through the gateway (the `openai` client,
 * a scripted model that fails on request), then the series, totals and budgets' burn-down of `/admin/v1/usage`
 * and the tenant's own `/v1/usage`, each equal to the ledger to the picodollar, and the CLI printing the same
 * numbers. Failed calls are errors, apart from the successful ones; bad ranges are 400s naming the field.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BudgetBurnDown, LedgerRow, ListResponse, UsageRow, UsageSeries } from '../../src/admin/contract.js';
import { picosToUsd, usdToPicos } from '../../src/core/index.js';
import { call, createPerson, type Person } from '../inbox/inbox-support.js';
import { admin, createKey, createTenant, ledgerRows } from '../support/economy.js';
import { startTestHub, type TestHub } from '../support/hub.js';

const CONFIG = {
  providers: [
    {
      id: 'script',
      type: 'scripted' as const,
      script: [
        { when: { last_user_message_contains: 'fail' }, error: { status: 400, message: 'scripted refusal' }, repeat: true },
        { text: 'fine', usage: { input_tokens: 1_234, output_tokens: 567 }, repeat: true },
      ],
    },
  ],
  models: [{ name: 'scripted', targets: [{ provider: 'script', model: 'scripted' }], pricing: { input_per_mtok: 3, output_per_mtok: 15 } }],
  routing: { retries: 0 },
};

const run = promisify(execFile);
const CLI = join(import.meta.dirname, '..', '..', 'src', 'cli', 'index.ts');

const ledgerCost = (rows: LedgerRow[]): string => picosToUsd(rows.reduce((sum, row) => sum + usdToPicos(row.cost_usd), 0n));

describe('the usage API behind the overview', () => {
  let hub: TestHub;
  let tenantA: string;
  let tenantB: string;
  let owner: Person;
  let from: string;
  let rowsA: LedgerRow[];

  beforeAll(async () => {
    hub = await startTestHub(CONFIG);
    from = new Date(Date.now() - 3_600_000).toISOString();
    tenantA = (await createTenant(hub, 'Acme')).id;
    tenantB = (await createTenant(hub, 'Beta')).id;
    owner = await createPerson(hub, tenantA, 'owner', 'olga@acme.test');
    const keyA = await createKey(hub, { tenant_id: tenantA, name: 'web' });
    const keyB = await createKey(hub, { tenant_id: tenantB });
    const clientA = new OpenAI({ apiKey: keyA.key, baseURL: hub.openaiBaseUrl, maxRetries: 0 });
    for (const text of ['one', 'two', 'three']) {
      await clientA.chat.completions.create({ model: 'scripted', messages: [{ role: 'user', content: text }] });
    }
    await expect(
      clientA.chat.completions.create({ model: 'scripted', messages: [{ role: 'user', content: 'please fail' }] }),
    ).rejects.toThrow();
    await new OpenAI({ apiKey: keyB.key, baseURL: hub.openaiBaseUrl }).chat.completions.create({
      model: 'scripted',
      messages: [{ role: 'user', content: 'b' }],
    });
    rowsA = (await ledgerRows(hub)).filter((row) => row.tenant_id === tenantA);
  }, 180_000);
  afterAll(async () => {
    await hub?.close();
  });

  it('answers a series whose totals equal the ledger exactly, with the failed call counted as an error', async () => {
    expect(rowsA).toHaveLength(4);
    const failed = rowsA.filter((row) => row.status >= 400);
    expect(failed).toHaveLength(1);
    for (const interval of ['hour', 'day', 'month']) {
      const series = await admin<UsageSeries>(
        hub,
        'GET',
        `/admin/v1/usage?tenant_id=${tenantA}&interval=${interval}&group_by=model&from=${from}`,
      );
      expect(series).toMatchObject({ object: 'list', interval, group_by: 'model', latency_relative_error: 0.19 });
      expect(series.totals).toMatchObject({ requests: 4, errors: 1, cost_usd: ledgerCost(rowsA) });
      expect(series.totals.prompt_tokens).toBe(rowsA.reduce((sum, row) => sum + row.prompt_tokens, 0));
      expect(series.totals.latency_p50_ms).not.toBeNull();
      expect(series.groups).toEqual([expect.objectContaining({ group: 'scripted', other: false, requests: 4, errors: 1 })]);
      expect(series.data.reduce((sum, point) => sum + usdToPicos(point.cost_usd), 0n)).toBe(usdToPicos(ledgerCost(rowsA)));
      expect(Date.parse(series.from)).toBeLessThanOrEqual(Date.parse(from));
    }
    // The successful calls' cost: 3 × (1,234 × $3 + 567 × $15) / 1M.
    expect(ledgerCost(rowsA)).toBe(picosToUsd(3n * (1_234n * 3_000_000n + 567n * 15_000_000n)));

    // Every tenant: both tenants' calls, split by key.
    const all = await admin<UsageSeries>(hub, 'GET', `/admin/v1/usage?interval=day&group_by=key&from=${from}`);
    expect(all.totals.requests).toBe(5);
    expect(all.groups.map((group) => group.requests).sort()).toEqual([1, 4]);
    // top folds the rest into one `other` group, and the sums stay exact.
    const top = await admin<UsageSeries>(hub, 'GET', `/admin/v1/usage?interval=day&group_by=key&top=1&from=${from}`);
    expect(top.groups.map((group) => [group.other, group.requests])).toEqual([
      [false, 4],
      [true, 1],
    ]);
    expect(top.totals).toEqual(all.totals);
  });

  it('keeps the totals API as it was, with errors and top', async () => {
    const totals = await admin<ListResponse<UsageRow>>(hub, 'GET', `/admin/v1/usage?tenant_id=${tenantA}&group_by=none`);
    expect(totals.data).toEqual([
      {
        group: 'all',
        requests: 4,
        errors: 1,
        prompt_tokens: expect.any(Number),
        completion_tokens: expect.any(Number),
        cached_tokens: 0,
        cost_usd: ledgerCost(rowsA),
      },
    ]);
    const topKeys = await admin<ListResponse<UsageRow>>(hub, 'GET', '/admin/v1/usage?group_by=key&top=1');
    expect(topKeys.data).toHaveLength(1);
    expect(topKeys.data[0]?.requests).toBe(4);
  });

  it('gives a person of the tenant the same numbers on /v1/usage, and nothing of another tenant', async () => {
    const mine = await call(hub, 'GET', `/v1/usage?interval=day&group_by=key&from=${from}`, undefined, owner.key);
    expect(mine.status).toBe(200);
    const series = mine.body as unknown as UsageSeries;
    expect(series.totals).toMatchObject({ requests: 4, errors: 1, cost_usd: ledgerCost(rowsA) });
    expect(JSON.stringify(series)).not.toContain(tenantB);
    const other = await call(hub, 'GET', `/v1/usage?tenant_id=${tenantB}&interval=day&from=${from}`, undefined, owner.key);
    expect(other.status).toBe(400);
    expect(other.body).toMatchObject({ error: { param: 'tenant_id' } });
    const totals = await call(hub, 'GET', '/v1/usage?group_by=none', undefined, owner.key);
    expect((totals.body as unknown as ListResponse<UsageRow>).data[0]).toMatchObject({ requests: 4, cost_usd: ledgerCost(rowsA) });
    expect((await call(hub, 'GET', '/v1/usage?group_by=none', undefined, hub.adminKey)).status).toBe(403);
  });

  it('refuses bad ranges with a 400 naming the field', async () => {
    const cases: [string, string][] = [
      [`interval=day&from=${from}&to=${from}`, 'to'],
      [`interval=day&from=2026-03-02T00:00:00Z&to=2026-03-01T00:00:00Z`, 'to'],
      ['interval=hour&from=2020-01-01T00:00:00Z&to=2026-01-01T00:00:00Z', 'interval'],
      [`interval=week&from=${from}`, 'interval'],
      ['interval=day', 'from'],
      [`interval=day&group_by=day&from=${from}`, 'group_by'],
      [`interval=day&run_id=run_1&from=${from}`, 'run_id'],
      [`interval=day&top=0&from=${from}`, 'top'],
      [`interval=day&from=yesterday`, 'from'],
    ];
    for (const [query, param] of cases) {
      const answer = await call(hub, 'GET', `/admin/v1/usage?${query}`, undefined, hub.adminKey);
      expect([answer.status, (answer.body.error as { param?: string } | undefined)?.param], query).toEqual([400, param]);
    }
    // 10,000 buckets is the most a series may have.
    const most = await call(
      hub,
      'GET',
      '/admin/v1/usage?interval=hour&from=2025-01-01T00:00:00Z&to=2026-02-21T16:00:00Z',
      undefined,
      hub.adminKey,
    );
    expect(most.status).toBe(200);
  });

  it("shows each budget's burn-down from the rollups, for the admin and for the tenant", async () => {
    await admin(hub, 'POST', '/admin/v1/budgets', { scope: 'tenant', tenant_id: tenantA, limit_usd: '1', period: 'month' });
    const burn = await admin<ListResponse<BudgetBurnDown>>(hub, 'GET', `/admin/v1/usage/budgets?tenant_id=${tenantA}`);
    expect(burn.data).toHaveLength(1);
    const [budget] = burn.data;
    expect(budget?.budget).toMatchObject({ scope: 'tenant', limit_usd: '1.00', spent_usd: ledgerCost(rowsA) });
    expect(budget?.recent_spend_usd).toBe(ledgerCost(rowsA));
    expect(budget?.exhausted).toBe(false);
    // It spent in the last hour what the window covers: the rate per day is at least that.
    expect(usdToPicos(budget?.rate_usd_per_day ?? '0')).toBeGreaterThanOrEqual(usdToPicos(ledgerCost(rowsA)));
    if (budget?.runs_out_at) expect(Date.parse(budget.runs_out_at)).toBeGreaterThan(Date.now() - 60_000);
    expect(usdToPicos(budget?.projected_usd ?? '0')).toBeGreaterThanOrEqual(usdToPicos(ledgerCost(rowsA)));
    const mine = await call(hub, 'GET', '/v1/usage/budgets', undefined, owner.key);
    expect(mine.status).toBe(200);
    expect((mine.body as unknown as ListResponse<BudgetBurnDown>).data.map((entry) => entry.budget.id)).toEqual([budget?.budget.id]);
    const missing = await call(hub, 'GET', '/admin/v1/usage/budgets', undefined, hub.adminKey);
    expect([missing.status, (missing.body.error as { param?: string }).param]).toEqual([400, 'tenant_id']);
    expect((await call(hub, 'GET', '/admin/v1/usage/budgets?tenant_id=ten_nobody', undefined, hub.adminKey)).status).toBe(404);
  });

  it('prints the same totals in the CLI (`tokenhub usage`)', { timeout: 120_000 }, async () => {
    const tokenhub = async (...args: string[]) =>
      (
        await run(process.execPath, ['--import', 'tsx', CLI, 'usage', ...args, '--url', hub.url, '--admin-key', hub.adminKey], {
          env: { ...process.env, TOKENHUB_ADMIN_KEY: '' },
        })
      ).stdout;
    const series = JSON.parse(
      await tokenhub('--tenant', tenantA, '--interval', 'day', '--group-by', 'none', '--from', from, '--json'),
    ) as UsageSeries;
    expect(series.totals).toMatchObject({ requests: 4, errors: 1, cost_usd: ledgerCost(rowsA) });
    const table = await tokenhub('--tenant', tenantA, '--interval', 'day', '--group-by', 'model', '--from', from);
    expect(table.split('\n')[0]).toMatch(/^bucket\s+group\s+requests\s+errors/);
    expect(table).toContain(ledgerCost(rowsA));
    const totals = JSON.parse(await tokenhub('--tenant', tenantA, '--group-by', 'none', '--json')) as UsageRow[];
    expect(totals[0]?.cost_usd).toBe(ledgerCost(rowsA));
  });
});
