import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getTestDb, TEST_ENGINES, type TestDb } from '../../test/support/test-db.js';
import { type Picos, picos } from '../core/index.js';
import {
  ApiKeyLookup,
  ApiKeysRepository,
  BudgetsRepository,
  type LedgerEntry,
  LedgerRepository,
  LedgerWriter,
  ProjectsRepository,
  spentInPeriod,
  TenantsRepository,
  UsageRepository,
} from './index.js';

const entry = (overrides: Partial<LedgerEntry>): LedgerEntry => ({
  requestId: 'req_x',
  clientRequestId: null,
  tenantId: null,
  projectId: null,
  keyId: null,
  surface: 'openai',
  modelRequested: 'gpt-4o',
  modelServed: 'gpt-4o',
  providerId: 'openai',
  upstreamModel: 'gpt-4o-2024-11-20',
  inputTokens: 10,
  outputTokens: 5,
  cachedTokens: 2,
  cacheWriteTokens: 0,
  usageSource: 'upstream',
  usageAnomaly: null,
  agent: null,
  runId: null,
  threadId: null,
  workflow: null,
  costPicos: picos(1_000n),
  priceKnown: true,
  latencyMs: 12,
  ttfbMs: null,
  status: 200,
  errorCode: null,
  stream: false,
  attempts: 1,
  createdAt: new Date('2026-11-05T10:15:00Z'),
  ...overrides,
});

describe.each(TEST_ENGINES)('economy repositories (%s)', (engine) => {
  let test: TestDb;
  beforeAll(async () => {
    test = await getTestDb({ engine });
  });
  afterAll(async () => {
    await test?.close();
  });

  it('keeps tenants apart: a repository bound to tenant B never sees tenant A', async () => {
    const tenants = new TenantsRepository(test.db);
    const a = await tenants.create('Acme');
    const b = await tenants.create('Beta');
    const projectA = await new ProjectsRepository(test.db, a.id).create('web');
    expect(await new ProjectsRepository(test.db, b.id).get(projectA.id)).toBeUndefined();

    const keysA = new ApiKeysRepository(test.db, a.id);
    const key = await keysA.create({
      id: 'key_a1',
      projectId: projectA.id,
      name: 'ci',
      keyHash: 'hash-a1',
      keyPrefix: 'thk_abcdefgh',
      models: ['gpt-4o'],
      rateLimits: { rpm: 60, maxConcurrency: 2 },
    });
    expect(key).toMatchObject({ tenantId: a.id, models: ['gpt-4o'], rateLimits: { rpm: 60, maxConcurrency: 2 }, revokedAt: null });
    const keysB = new ApiKeysRepository(test.db, b.id);
    expect(await keysB.get(key.id)).toBeUndefined();
    expect(await keysB.update(key.id, { name: 'stolen' })).toBeUndefined();
    expect(await keysB.revoke(key.id, new Date())).toBeUndefined();
    expect(await keysB.list()).toEqual([]);

    const updated = await keysA.update(key.id, { models: null, rateLimits: { tpm: 1000 } });
    expect(updated).toMatchObject({ name: 'ci', models: null, rateLimits: { tpm: 1000 } });
    const revoked = await keysA.revoke(key.id, new Date('2026-11-05T00:00:00Z'));
    await keysA.revoke(key.id, new Date('2027-01-01T00:00:00Z'));
    expect(revoked?.revokedAt?.toISOString()).toBe('2026-11-05T00:00:00.000Z');
    expect((await new ApiKeyLookup(test.db).byHash('hash-a1'))?.revokedAt?.toISOString()).toBe('2026-11-05T00:00:00.000Z');

    const budgetsA = new BudgetsRepository(test.db, a.id);
    const big = picos(10n ** 24n) as Picos; // far beyond bigint's range in USD terms: numeric keeps it exact
    const tenantBudget = await budgetsA.create({ scope: 'tenant', limitPicos: big, period: 'month' });
    const projectBudget = await budgetsA.create({ scope: 'project', projectId: projectA.id, limitPicos: picos(5n), period: 'day' });
    const keyBudget = await budgetsA.create({
      scope: 'key',
      keyId: key.id,
      projectId: projectA.id,
      limitPicos: picos(7n),
      period: 'total',
    });
    expect(tenantBudget.limitPicos).toBe(big);
    expect((await budgetsA.forKey(key.id, projectA.id)).map((budget) => budget.id)).toEqual([
      tenantBudget.id,
      projectBudget.id,
      keyBudget.id,
    ]);
    expect(await new BudgetsRepository(test.db, b.id).forKey(key.id, projectA.id)).toEqual([]);
    expect(await new BudgetsRepository(test.db, b.id).delete(keyBudget.id)).toBeUndefined();
    expect((await budgetsA.updateLimit(keyBudget.id, picos(9n)))?.limitPicos).toBe(9n);
  });

  it('appends ledger rows idempotently and keeps the hourly rollups in step', async () => {
    const writer = new LedgerWriter(test.db);
    const rows = [
      entry({ requestId: 'r1', tenantId: 't1', keyId: 'k1', costPicos: picos(10n ** 20n) }),
      entry({ requestId: 'r2', tenantId: 't1', keyId: 'k1', createdAt: new Date('2026-11-05T10:59:59Z') }),
      entry({ requestId: 'r3', tenantId: 't1', keyId: 'k2', modelServed: 'gpt-4o-mini', createdAt: new Date('2026-11-06T00:00:00Z') }),
      entry({ requestId: 'r4', tenantId: 't2', keyId: 'k9' }),
      entry({ requestId: 'r5' }), // the admin's own traffic: no tenant
    ];
    expect(await writer.append(rows)).toBe(5);
    expect(await writer.append([...rows, entry({ requestId: 'r6', tenantId: 't1', keyId: 'k1' })])).toBe(1);

    const usage = new UsageRepository(test.db, 't1');
    expect(await usage.summarize({}, 'key')).toEqual([
      { group: 'k1', requests: 3, errors: 0, inputTokens: 30, outputTokens: 15, cachedTokens: 6, costPicos: 10n ** 20n + 2_000n },
      { group: 'k2', requests: 1, errors: 0, inputTokens: 10, outputTokens: 5, cachedTokens: 2, costPicos: 1_000n },
    ]);
    expect((await usage.summarize({}, 'day')).map((row) => [row.group, row.requests])).toEqual([
      ['2026-11-05', 3],
      ['2026-11-06', 1],
    ]);
    expect((await usage.summarize({ from: new Date('2026-11-06T00:00:00Z') }, 'model')).map((row) => row.group)).toEqual(['gpt-4o-mini']);
    expect((await new UsageRepository(test.db, null).summarize({}, 'none'))[0]?.requests).toBe(6);

    expect(await spentInPeriod(test.db, { tenantId: 't1', keyId: 'k1' }, null, null)).toBe(10n ** 20n + 2_000n);
    expect(await spentInPeriod(test.db, { tenantId: 't1' }, new Date('2026-11-06T00:00:00Z'), new Date('2026-11-07T00:00:00Z'))).toBe(
      1_000n,
    );

    const ledger = new LedgerRepository(test.db, 't1');
    const first = await ledger.page({}, { limit: 2 });
    expect(first.map((row) => row.requestId)).toEqual(['r6', 'r3']);
    const second = await ledger.page({}, { limit: 10, before: first.at(-1)?.seq ?? 0n });
    expect(second.map((row) => row.requestId)).toEqual(['r2', 'r1']);
    expect(second[1]?.costPicos).toBe(10n ** 20n);
    expect(await new LedgerRepository(test.db, 't2').get('r1')).toBeUndefined();
    expect((await new LedgerRepository(test.db, null).get('r5'))?.tenantId).toBeNull();
  });

  it('writes batches larger than one statement exactly once, rollups included, however often they are replayed', async () => {
    const writer = new LedgerWriter(test.db);
    // More rows than one PGlite slice (128), in two hours and two keys.
    const rows = Array.from({ length: 300 }, (_, index) =>
      entry({
        requestId: `bulk-${index}`,
        tenantId: 'bulk',
        keyId: index % 2 === 0 ? 'even' : 'odd',
        createdAt: new Date(index < 150 ? '2026-11-05T10:15:00Z' : '2026-11-05T11:45:00Z'),
        clientRequestId: index % 3 === 0 ? `client-${index}` : null,
        ttfbMs: index % 5 === 0 ? null : 12.6,
      }),
    );
    expect(await writer.append(rows)).toBe(300);
    // A replay after a crash: the same rows again, in another order, with new ones among them.
    const replay = [...rows.slice(100), entry({ requestId: 'bulk-new', tenantId: 'bulk', keyId: 'odd' }), ...rows.slice(0, 100)];
    expect(await writer.append(replay)).toBe(1);

    const usage = new UsageRepository(test.db, 'bulk');
    expect((await usage.summarize({}, 'key')).map((row) => [row.group, row.requests, row.inputTokens, row.costPicos])).toEqual([
      ['even', 150, 1_500, 150_000n],
      ['odd', 151, 1_510, 151_000n],
    ]);
    expect(await spentInPeriod(test.db, { tenantId: 'bulk' }, null, null)).toBe(301_000n);
    const row = await new LedgerRepository(test.db, 'bulk').get('bulk-3');
    expect(row).toMatchObject({ clientRequestId: 'client-3', ttfbMs: 13, keyId: 'odd', createdAt: new Date('2026-11-05T10:15:00Z') });
    expect((await new LedgerRepository(test.db, 'bulk').get('bulk-5'))?.ttfbMs).toBeNull();
  });
});
