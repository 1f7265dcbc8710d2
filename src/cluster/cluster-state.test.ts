import { afterAll, describe, expect, it } from 'vitest';
import { findTestRedis, uniqueRedisPrefix } from '../../test/support/test-db.js';
import type { AdmitCommand, ClusterState } from './contract.js';
import { MemoryClusterState } from './memory-state.js';
import { createRedisClusterState } from './redis-state.js';

const REDIS_URL = await findTestRedis();

const engines: { name: string; create: () => Promise<ClusterState> }[] = [{ name: 'memory', create: async () => new MemoryClusterState() }];
if (REDIS_URL) {
  const url = REDIS_URL;
  engines.push({ name: 'redis', create: () => createRedisClusterState({ url, keyPrefix: uniqueRedisPrefix('cluster') }) });
}

const NOW = Date.now();

const admitCommand = (overrides: Partial<AdmitCommand>): AdmitCommand => ({
  reservationId: 'req_1',
  amount: 10n,
  budgets: [],
  windows: [],
  leaseExpiresAt: NOW + 600_000,
  now: NOW,
  ...overrides,
});

describe.each(engines)('cluster state ($name)', ({ create }) => {
  const states: ClusterState[] = [];
  const open = async (): Promise<ClusterState> => {
    const state = await create();
    states.push(state);
    return state;
  };
  afterAll(async () => {
    for (const state of states) await state.close();
  });

  it('asks for a seed, reserves on every budget, and settles reserved into spent', async () => {
    const state = await open();
    const budgets = [
      { key: 'b:key', limit: 100n, expiresAt: null },
      { key: 'b:tenant', limit: 1_000n, expiresAt: NOW + 86_400_000 },
    ];
    expect(await state.admit(admitCommand({ budgets }))).toEqual({ ok: false, reason: 'unseeded', budgetIndex: 0 });
    await state.seedBudget('b:key', 20n, null);
    await state.seedBudget('b:key', 99n, null); // already seeded: ignored
    await state.seedBudget('b:tenant', 0n, NOW + 86_400_000);
    expect(await state.admit(admitCommand({ budgets, amount: 50n }))).toEqual({ ok: true });
    expect(await state.readBudget('b:key', NOW)).toEqual({ spent: 20n, reserved: 50n });
    expect(await state.admit(admitCommand({ reservationId: 'req_2', budgets, amount: 31n }))).toEqual({
      ok: false,
      reason: 'budget',
      budgetIndex: 0,
      spent: 20n,
      reserved: 50n,
    });
    // A refusal charges nothing anywhere.
    expect(await state.readBudget('b:tenant', NOW)).toEqual({ spent: 0n, reserved: 50n });
    await state.settle({ reservationId: 'req_1', budgetKeys: ['b:key', 'b:tenant'], actual: 7n, windowAdjustments: [], now: NOW });
    expect(await state.readBudget('b:key', NOW)).toEqual({ spent: 27n, reserved: 0n });
    expect(await state.readBudget('b:tenant', NOW)).toEqual({ spent: 7n, reserved: 0n });
    // Settling twice moves no reservation again (the gate guarantees once; the store stays sane anyway).
    expect(await state.readBudget('b:unknown', NOW)).toBeNull();
  });

  it('keeps money exact beyond 2^53 picos', async () => {
    const state = await open();
    const limit = 10n ** 20n + 7n; // $100,000,000.000000000007
    await state.seedBudget('b:big', 10n ** 20n - 3n, null);
    const budgets = [{ key: 'b:big', limit, expiresAt: null }];
    expect(await state.admit(admitCommand({ budgets, amount: 11n }))).toMatchObject({ ok: false, reason: 'budget' });
    expect(await state.admit(admitCommand({ budgets, amount: 10n }))).toEqual({ ok: true });
    await state.settle({ reservationId: 'req_1', budgetKeys: ['b:big'], actual: 9n, windowAdjustments: [], now: NOW });
    expect(await state.readBudget('b:big', NOW)).toEqual({ spent: 10n ** 20n + 6n, reserved: 0n });
  });

  it('releases the reservation of a holder that never settles once its lease expires', async () => {
    const state = await open();
    await state.seedBudget('b:lease', 0n, null);
    const budgets = [{ key: 'b:lease', limit: 100n, expiresAt: null }];
    expect(await state.admit(admitCommand({ budgets, amount: 100n, leaseExpiresAt: NOW + 1_000 }))).toEqual({ ok: true });
    expect(await state.admit(admitCommand({ reservationId: 'req_2', budgets, amount: 1n }))).toMatchObject({ reason: 'budget' });
    expect(await state.admit(admitCommand({ reservationId: 'req_2', budgets, amount: 1n, now: NOW + 1_001 }))).toEqual({ ok: true });
    // The late settle still records the spend.
    await state.settle({ reservationId: 'req_1', budgetKeys: ['b:lease'], actual: 40n, windowAdjustments: [], now: NOW + 2_000 });
    expect(await state.readBudget('b:lease', NOW + 2_000)).toEqual({ spent: 40n, reserved: 1n });
  });

  it('enforces windows and corrects them at settle', async () => {
    const state = await open();
    const window = (amount: number) => ({ key: 'w:tpm', limit: 100, amount, expiresAt: NOW + 60_000 });
    expect(await state.admit(admitCommand({ windows: [window(80)] }))).toEqual({ ok: true });
    expect(await state.admit(admitCommand({ reservationId: 'req_2', windows: [window(30)] }))).toEqual({
      ok: false,
      reason: 'window',
      windowIndex: 0,
      used: 80,
      current: 80,
      previous: 0,
    });
    await state.settle({ reservationId: 'req_1', budgetKeys: [], actual: 0n, windowAdjustments: [{ key: 'w:tpm', delta: -60 }], now: NOW });
    expect(await state.admit(admitCommand({ reservationId: 'req_2', windows: [window(30)] }))).toEqual({ ok: true });
  });

  it('counts the previous window by the share of it still inside a sliding window', async () => {
    const state = await open();
    const previous = { key: 'w:rpm:1', limit: 10, amount: 1, expiresAt: NOW + 120_000 };
    for (let index = 0; index < 10; index++) {
      expect(await state.admit(admitCommand({ reservationId: `p${index}`, windows: [previous] }))).toEqual({ ok: true });
    }
    // A quarter into the next minute, three quarters of the previous 10 still count: ceil(7.5) = 8, so 2 fit.
    const current = (weight: number) => ({
      key: 'w:rpm:2',
      limit: 10,
      amount: 1,
      expiresAt: NOW + 180_000,
      previous: { key: 'w:rpm:1', weight },
    });
    for (let index = 0; index < 2; index++) {
      expect(await state.admit(admitCommand({ reservationId: `c${index}`, windows: [current(0.75)] }))).toEqual({ ok: true });
    }
    expect(await state.admit(admitCommand({ reservationId: 'c3', windows: [current(0.75)] }))).toEqual({
      ok: false,
      reason: 'window',
      windowIndex: 0,
      used: 10,
      current: 2,
      previous: 10,
    });
    // Later in the minute less of the previous one counts (0.7 × 10 is 7.000000000000001 in floats: still 7), and it fits.
    expect(await state.admit(admitCommand({ reservationId: 'c3', windows: [current(0.7)] }))).toEqual({ ok: true });
    expect(await state.admit(admitCommand({ reservationId: 'c4', windows: [current(0.7)] }))).toMatchObject({ ok: false, used: 10 });
    // A fixed window (no previous) ignores the last minute entirely.
    expect(await state.admit(admitCommand({ reservationId: 'f1', windows: [{ ...previous, key: 'w:rpm:3' }] }))).toEqual({ ok: true });
  });

  it('limits concurrency and frees the slot at settle or lease expiry', async () => {
    const state = await open();
    const concurrency = { key: 'c:key', limit: 2 };
    expect(await state.admit(admitCommand({ reservationId: 'a', concurrency }))).toEqual({ ok: true });
    expect(await state.admit(admitCommand({ reservationId: 'b', concurrency, leaseExpiresAt: NOW + 500 }))).toEqual({ ok: true });
    expect(await state.admit(admitCommand({ reservationId: 'c', concurrency }))).toEqual({ ok: false, reason: 'concurrency', active: 2 });
    await state.settle({ reservationId: 'a', budgetKeys: [], actual: 0n, windowAdjustments: [], concurrencyKey: 'c:key', now: NOW });
    expect(await state.admit(admitCommand({ reservationId: 'c', concurrency }))).toEqual({ ok: true });
    expect(await state.admit(admitCommand({ reservationId: 'd', concurrency, now: NOW + 501 }))).toEqual({ ok: true });
  });

  it('admits exactly what fits when 500 reservations race for one budget', async () => {
    const state = await open();
    await state.seedBudget('b:race', 0n, null);
    const budgets = [{ key: 'b:race', limit: 1_000n, expiresAt: null }];
    const results = await Promise.all(
      Array.from({ length: 500 }, (_, index) => state.admit(admitCommand({ reservationId: `r${index}`, budgets, amount: 10n }))),
    );
    expect(results.filter((result) => result.ok)).toHaveLength(100);
    expect(await state.readBudget('b:race', NOW)).toEqual({ spent: 0n, reserved: 1_000n });
  });

  it('stays exact when settlements and new admissions come in the same bursts', async () => {
    const state = await open();
    await state.seedBudget('b:burst', 0n, null);
    const budgets = [{ key: 'b:burst', limit: 10_000n, expiresAt: null }];
    const reserve = (prefix: string) =>
      Array.from({ length: 300 }, (_, index) => state.admit(admitCommand({ reservationId: `${prefix}${index}`, budgets, amount: 20n })));
    expect((await Promise.all(reserve('s'))).every((result) => result.ok)).toBe(true);
    const settleAll = Array.from({ length: 300 }, (_, index) =>
      state.settle({ reservationId: `s${index}`, budgetKeys: ['b:burst'], actual: 7n, windowAdjustments: [], now: NOW }),
    );
    const [, admitted] = await Promise.all([Promise.all(settleAll), Promise.all(reserve('t'))]);
    expect(admitted.every((result) => result.ok)).toBe(true);
    expect(await state.readBudget('b:burst', NOW)).toEqual({ spent: 2_100n, reserved: 6_000n });
  });

  it('delivers published messages to subscribers', async () => {
    const state = await open();
    const received: string[] = [];
    const unsubscribe = await state.subscribe('invalidate', (message) => received.push(message));
    await state.publish('invalidate', 'key:1');
    await expect.poll(() => received, { timeout: 1_000 }).toEqual(['key:1']);
    await unsubscribe();
    expect((await state.health()).ok).toBe(true);
  });
});

describe.skipIf(!REDIS_URL)('redis cluster state after Redis forgot its scripts', () => {
  it('loads them again for a burst of admissions sent in one pipeline', async () => {
    const { Redis } = await import('ioredis');
    const state = await createRedisClusterState({ url: REDIS_URL ?? '', keyPrefix: uniqueRedisPrefix('noscript') });
    const admin = new Redis(REDIS_URL ?? '');
    try {
      await state.seedBudget('b:flushed', 0n, null);
      await admin.script('FLUSH');
      const budgets = [{ key: 'b:flushed', limit: 1_000n, expiresAt: null }];
      const results = await Promise.all(
        Array.from({ length: 50 }, (_, index) => state.admit(admitCommand({ reservationId: `f${index}`, budgets, amount: 10n }))),
      );
      expect(results.every((result) => result.ok)).toBe(true);
      expect(await state.readBudget('b:flushed', NOW)).toEqual({ spent: 0n, reserved: 500n });
    } finally {
      admin.disconnect();
      await state.close();
    }
  });
});

describe('redis cluster state when Redis is unreachable', () => {
  it('fails closed with DEPENDENCY_UNAVAILABLE and reports it', async () => {
    const state = await createRedisClusterState({ url: 'redis://127.0.0.1:1', connectTimeoutMs: 300 });
    try {
      await expect(state.admit(admitCommand({}))).rejects.toMatchObject({ code: 'DEPENDENCY_UNAVAILABLE' });
      expect((await state.health()).ok).toBe(false);
    } finally {
      await state.close();
    }
  });
});
