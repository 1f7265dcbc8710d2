import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getTestDb, TEST_ENGINES, type TestDb } from '../../test/support/test-db.js';
import { type Picos, picos, usdToPicos } from '../core/index.js';
import { type BudgetRecord, type LedgerEntry, LedgerWriter } from '../storage/index.js';
import { budgetBurnDown } from './budget-burn.js';
import type { BudgetStatus } from './budget-counters.js';
import { periodWindow } from './periods.js';

const HOUR_MS = 3_600_000;
const NOW = new Date('2026-03-15T12:30:00Z');

const spend = (index: number, at: Date, usd: string, keyId = 'key_1', projectId: string | null = 'prj_1'): LedgerEntry => ({
  requestId: `burn_${index}`,
  clientRequestId: null,
  tenantId: 'ten_burn',
  projectId,
  keyId,
  surface: 'openai',
  modelRequested: 'm',
  modelServed: 'm',
  providerId: 'p',
  upstreamModel: 'm',
  inputTokens: 1,
  outputTokens: 1,
  cachedTokens: 0,
  cacheWriteTokens: 0,
  usageSource: 'upstream',
  usageAnomaly: null,
  agent: null,
  runId: null,
  threadId: null,
  workflow: null,
  costPicos: usdToPicos(usd),
  priceKnown: true,
  latencyMs: 10,
  ttfbMs: null,
  status: 200,
  errorCode: null,
  stream: false,
  attempts: 1,
  createdAt: at,
});

function status(budget: Partial<BudgetRecord> & Pick<BudgetRecord, 'scope' | 'period'>, spentUsd: string, limitUsd: string): BudgetStatus {
  const record: BudgetRecord = {
    id: `bud_${budget.scope}_${budget.period}_${limitUsd}`,
    tenantId: 'ten_burn',
    projectId: null,
    keyId: null,
    limitPicos: usdToPicos(limitUsd),
    createdAt: new Date('2026-01-01T00:00:00Z'),
    ...budget,
  };
  const spent = usdToPicos(spentUsd);
  const left = record.limitPicos - spent;
  return {
    budget: record,
    window: periodWindow(record.period, NOW.getTime()),
    spent,
    reserved: picos(0n),
    remaining: picos(left > 0n ? left : 0n) as Picos,
  };
}

describe.each(TEST_ENGINES)('budget burn-down (%s)', (engine) => {
  let test: TestDb;
  beforeAll(async () => {
    test = await getTestDb({ engine });
    // $1 an hour for the last 24 hours (the oldest one falls before the rate window), and an old, big spend.
    const rows = Array.from({ length: 25 }, (_, index) => spend(index, new Date(NOW.getTime() - index * HOUR_MS - 20 * 60_000), '1'));
    rows.push(spend(100, new Date('2026-03-01T09:00:00Z'), '500'));
    rows.push(spend(101, new Date(NOW.getTime() - HOUR_MS), '0.5', 'key_2', 'prj_2'));
    await new LedgerWriter(test.db).append(rows);
  }, 180_000);
  afterAll(async () => {
    await test?.close();
  });

  it('projects the run-out date at the last 24 hours’ rate, exactly', async () => {
    const budgets = [
      status({ scope: 'key', keyId: 'key_1', projectId: 'prj_1', period: 'month' }, '40', '100'),
      status({ scope: 'project', projectId: 'prj_2', period: 'month' }, '0.5', '100'),
      status({ scope: 'tenant', period: 'total' }, '600', '1000'),
      status({ scope: 'key', keyId: 'key_1', projectId: 'prj_1', period: 'day' }, '12', '30'),
      status({ scope: 'project', projectId: 'prj_1', period: 'day' }, '12', '12'),
      status({ scope: 'key', keyId: 'key_9', period: 'month' }, '0', '5'),
    ];
    const [month, otherProject, total, day, exhausted, idle] = await budgetBurnDown(test.db, 'ten_burn', budgets, NOW);
    // The window: 11:00 yesterday (23 hours before this hour) until now, 23.5 hours, in which key_1 spent 24 × $1.
    expect(month?.rateWindowStart.toISOString()).toBe('2026-03-14T13:00:00.000Z');
    expect(month?.rateWindowMs).toBe(23.5 * HOUR_MS);
    expect(month?.recentPicos).toBe(usdToPicos('24'));
    // $60 left at $24 per 23.5 h: 58.75 hours from now.
    expect(month?.runsOutAt?.toISOString()).toBe(new Date(NOW.getTime() + 58.75 * HOUR_MS).toISOString());
    // $40 spent + $24 × (16 days 11.5 h) / 23.5 h by 1 April.
    const left = BigInt(Date.parse('2026-04-01T00:00:00Z') - NOW.getTime());
    expect(month?.projectedPicos).toBe(usdToPicos('40') + (usdToPicos('24') * left) / BigInt(23.5 * HOUR_MS));
    expect(otherProject?.recentPicos).toBe(usdToPicos('0.5'));
    // The tenant: everything in the window, both keys; a total budget has no period end to project to.
    expect(total?.recentPicos).toBe(usdToPicos('24.5'));
    expect(total?.projectedPicos).toBeNull();
    expect(total?.runsOutAt?.toISOString()).toBe(
      new Date(NOW.getTime() + Number((usdToPicos('400') * BigInt(23.5 * HOUR_MS)) / usdToPicos('24.5'))).toISOString(),
    );
    // $18 left at ~$1 an hour is ~17.6 h, past midnight: the day's budget resets first.
    expect(day?.runsOutAt).toBeNull();
    expect(day?.exhausted).toBe(false);
    expect(exhausted).toMatchObject({ exhausted: true, runsOutAt: null });
    expect(idle).toMatchObject({ exhausted: false, runsOutAt: null, recentPicos: 0n });
  });

  it('reads nothing for a tenant without budgets', async () => {
    expect(await budgetBurnDown(test.db, 'ten_burn', [], NOW)).toEqual([]);
  });
});
