import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findTestRedis, getTestDb, type TestDb, uniqueRedisPrefix } from '../../test/support/test-db.js';
import { MemoryClusterState } from '../cluster/index.js';
import { type ChatRequest, HubError, picos, type Usage, usdToPicos } from '../core/index.js';
import { LedgerRepository } from '../storage/index.js';
import type { Admission, Principal, SettlementOutcome } from './contract.js';
import { createEconomy, type Economy, type EconomyDeps } from './economy.js';
import type { NewKeyRequest } from './key-service.js';
import type { EconomyLogger } from './logger.js';
import { countPromptTokens, promptTokenBound } from './tokenizer.js';

const CONFIG: EconomyDeps['config'] = {
  models: [
    { name: 'm', pricing: { input_per_mtok: 1, output_per_mtok: 2 }, fallbacks: ['dear'] },
    { name: 'dear', pricing: { input_per_mtok: 10, output_per_mtok: 20 } },
    { name: 'cheap', pricing: { input_per_mtok: 1, output_per_mtok: 2 } },
  ],
};
const CHAT: ChatRequest = { model: 'cheap', messages: [{ role: 'user', content: 'hi' }], stream: false, maxTokens: 100 };
const PROMPT = countPromptTokens(CHAT, 'cheap');
/** Worst case of CHAT on `cheap`: prompt at $1/Mtok + 100 output tokens at $2/Mtok, in picos. */
const WORST = BigInt(PROMPT) * 1_000_000n + 100n * 2_000_000n;
/** What admission reserves for CHAT first: the prompt's byte bound (≥ PROMPT) instead of its BPE count. */
const BOUND_WORST = BigInt(promptTokenBound(CHAT)) * 1_000_000n + 100n * 2_000_000n;

const REDIS_URL = await findTestRedis();
let test: TestDb;
let dirs: string[] = [];
const economies: Economy[] = [];
let requestCounter = 0;

async function economy(overrides: Partial<EconomyDeps> = {}): Promise<Economy> {
  const dataDir = overrides.dataDir ?? (await mkdtemp(join(tmpdir(), 'th-economy-')));
  dirs.push(dataDir);
  const created = await createEconomy({ db: test.db, dataDir, config: CONFIG, adminKeyHash: undefined, ...overrides });
  economies.push(created);
  return created;
}

async function tenantKey(target: Economy, options: Partial<NewKeyRequest> = {}) {
  const tenant = await target.tenancy.createTenant(`t${++requestCounter}`);
  const created = await target.keys.create({ tenantId: tenant.id, ...options });
  return { tenant, key: created.record, secret: created.secret, budget: created.budget };
}

const outcome = (usage: Usage | null, overrides: Partial<SettlementOutcome> = {}): SettlementOutcome => ({
  servedModel: 'cheap',
  providerId: 'p',
  upstreamModel: 'cheap-upstream',
  usage,
  outputText: '',
  status: 200,
  latencyMs: 5,
  stream: false,
  attempts: 1,
  ...overrides,
});
const used = (input: number, output: number): Usage => ({
  inputTokens: input,
  outputTokens: output,
  cachedInputTokens: 0,
  cacheWriteInputTokens: 0,
  source: 'upstream',
});
const admit = (target: Economy, principal: Principal, overrides: Partial<Parameters<Economy['gate']['admit']>[1]> = {}) =>
  target.gate.admit(principal, { requestId: `req_${++requestCounter}`, model: 'cheap', chat: CHAT, surface: 'openai', ...overrides });

beforeAll(async () => {
  test = await getTestDb();
});
afterAll(async () => {
  for (const created of economies) await created.close();
  await test?.close();
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
  dirs = [];
});

describe('economy', () => {
  it('accepts a pino logger', () => {
    const logger: EconomyLogger = pino({ level: 'silent' });
    expect(logger).toBeDefined();
  });

  it('authenticates virtual keys, refuses unknown and revoked ones, and enforces the model allow-list', async () => {
    const hub = await economy();
    const { secret, key } = await tenantKey(hub, { models: ['cheap', 'gpt-4o*'] });
    const principal = await hub.gate.authenticate(secret);
    expect(principal).toMatchObject({ kind: 'virtual-key', keyId: key.id, allowedModels: ['cheap', 'gpt-4o*'] });
    await expect(hub.gate.authenticate('thk_nope')).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    await expect(hub.gate.authenticate(undefined)).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    await expect(admit(hub, principal, { model: 'dear' })).rejects.toMatchObject({ code: 'FORBIDDEN', details: { param: 'model' } });
    const allowed = await admit(hub, principal, { model: 'gpt-4o-mini' });
    await allowed.settle(outcome(used(1, 1)));
    await hub.keys.revoke(key.id);
    await expect(hub.gate.authenticate(secret)).rejects.toThrow(/revoked/);
    await expect(admit(hub, principal)).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
  });

  it('settles exactly once at the served model and records the ledger row', async () => {
    const hub = await economy();
    const { secret, key, tenant } = await tenantKey(hub);
    const principal = await hub.gate.authenticate(secret);
    const admission = await admit(hub, principal, { requestId: 'req_settle_once', model: 'm', chat: { ...CHAT, maxTokens: 500 } });
    const settled = outcome(used(1_000, 500), { servedModel: 'dear', attempts: 3 });
    await Promise.all([admission.settle(settled), admission.settle(settled)]);
    await admission.settle(outcome(used(1, 1)));
    await hub.flush();
    const row = await new LedgerRepository(test.db, tenant.id).get('req_settle_once');
    // 1000 × $10/Mtok + 500 × $20/Mtok = $0.02
    expect(row).toMatchObject({
      keyId: key.id,
      modelRequested: 'm',
      modelServed: 'dear',
      costPicos: usdToPicos('0.02'),
      attempts: 3,
      usageSource: 'upstream',
    });
    const usage = await hub.usage.summarize({ tenantId: tenant.id, groupBy: 'model' });
    expect(usage).toEqual([
      { group: 'dear', requests: 1, errors: 0, inputTokens: 1_000, outputTokens: 500, cachedTokens: 0, costPicos: usdToPicos('0.02') },
    ]);
  });

  it('bills by tokenizer when the upstream gives no usage, and nothing for a failure that generated nothing', async () => {
    const hub = await economy();
    const { secret, tenant } = await tenantKey(hub);
    const principal = await hub.gate.authenticate(secret);
    await (await admit(hub, principal, { requestId: 'req_cut' })).settle(
      outcome(null, { outputText: 'Hello world', status: 200, stream: true }),
    );
    await (await admit(hub, principal, { requestId: 'req_failed' })).settle(
      outcome(null, { status: 502, error: new HubError('UPSTREAM_ERROR', 'boom') }),
    );
    await hub.flush();
    const ledger = new LedgerRepository(test.db, tenant.id);
    expect(await ledger.get('req_cut')).toMatchObject({ inputTokens: PROMPT, outputTokens: 2, usageSource: 'tokenizer' });
    expect(await ledger.get('req_failed')).toMatchObject({ inputTokens: 0, outputTokens: 0, costPicos: 0n, errorCode: 'UPSTREAM_ERROR' });
  });

  it('meters the admin without limits, with tenant null', async () => {
    const hub = await economy();
    const admission = await hub.gate.admit(
      { kind: 'admin', tenantId: null, projectId: null, keyId: null, allowedModels: null, scopes: ['inference'] },
      {
        requestId: 'req_admin',
        model: 'cheap',
        chat: CHAT,
        surface: 'openai',
      },
    );
    await admission.settle(outcome(used(10, 10)));
    await hub.flush();
    expect(await new LedgerRepository(test.db, null).get('req_admin')).toMatchObject({
      tenantId: null,
      keyId: null,
      costPicos: 30_000_000n,
    });
  });

  it('reserves the dearest model of the fallback chain', async () => {
    const hub = await economy();
    const worstOnDear = BigInt(countPromptTokens(CHAT, 'm')) * 10_000_000n + 100n * 20_000_000n;
    const { secret } = await tenantKey(hub, { budget: { limitPicos: picos(worstOnDear - 1n), period: 'total' } });
    const principal = await hub.gate.authenticate(secret);
    await expect(admit(hub, principal, { model: 'm' })).rejects.toMatchObject({ code: 'BUDGET_EXCEEDED' });
    await expect(admit(hub, principal, { model: 'm', fallbackModels: [] })).resolves.toBeDefined();
  });

  it('refuses with 402 whether reservations or settled spend fill a budget, naming the budget and what remains', async () => {
    const hub = await economy();
    const { secret, budget } = await tenantKey(hub, { budget: { limitPicos: picos(WORST), period: 'total' } });
    const principal = await hub.gate.authenticate(secret);
    const first = await admit(hub, principal);
    await expect(admit(hub, principal)).rejects.toMatchObject({ code: 'BUDGET_EXCEEDED', status: 402, details: { retryAfterSeconds: 1 } });
    await first.settle(outcome(used(PROMPT, 100)));
    const refusal = await admit(hub, principal).catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(HubError);
    expect(refusal).toMatchObject({ code: 'BUDGET_EXCEEDED', status: 402, details: { code: 'budget_exceeded' } });
    expect((refusal as HubError).details.retryAfterSeconds).toBeUndefined();
    expect((refusal as HubError).message).toContain(budget?.id ?? 'missing');
    expect((refusal as HubError).message).toContain('$0.00 remaining');
  });

  it('reserves on the byte bound, and counts the prompt exactly only where the bound is refused', async () => {
    const hub = await economy();
    // Chinese text: 3 UTF-8 bytes a character, about one token per character or two — the bound is far above the count.
    const chat: ChatRequest = { ...CHAT, messages: [{ role: 'user', content: '请帮我把这份订单改成明天发货，谢谢。'.repeat(20) }] };
    const exact = BigInt(countPromptTokens(chat, 'cheap')) * 1_000_000n + 100n * 2_000_000n;
    const bound = BigInt(promptTokenBound(chat)) * 1_000_000n + 100n * 2_000_000n;
    expect(bound > exact * 2n).toBe(true);
    const roomy = await tenantKey(hub, { budget: { limitPicos: picos(bound * 10n), period: 'day' } });
    const roomyPrincipal = await hub.gate.authenticate(roomy.secret);
    const held = await admit(hub, roomyPrincipal, { requestId: 'req_roomy', chat, fallbackModels: [] });
    expect((await hub.budgets.get(roomy.budget?.id ?? '')).reserved).toBe(bound);
    await held.settle(outcome(used(10, 5)));
    // Room for the exact worst case but not for the bound: admitted, holding the exact amount.
    const tight = await tenantKey(hub, { budget: { limitPicos: picos(exact), period: 'day' } });
    const tightPrincipal = await hub.gate.authenticate(tight.secret);
    await admit(hub, tightPrincipal, { requestId: 'req_tight', chat, fallbackModels: [] });
    expect((await hub.budgets.get(tight.budget?.id ?? '')).reserved).toBe(exact);
    await expect(admit(hub, tightPrincipal, { requestId: 'req_tight_2', chat, fallbackModels: [] })).rejects.toMatchObject({
      code: 'BUDGET_EXCEEDED',
    });
  });

  it('resumes spend after a restart from the ledger', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'th-economy-'));
    const first = await economy({ dataDir });
    const { secret, budget } = await tenantKey(first, { budget: { limitPicos: picos(WORST * 10n), period: 'month' } });
    const admission = await admit(first, await first.gate.authenticate(secret));
    await admission.settle(outcome(used(PROMPT, 40)));
    await first.close();
    const second = await economy({ dataDir });
    const status = await second.budgets.get(budget?.id ?? '');
    expect(status.spent).toBe(BigInt(PROMPT) * 1_000_000n + 40n * 2_000_000n);
  });

  it('replays a journal left by a crash into the ledger, once', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'th-economy-'));
    // A flusher that never runs stands in for a process killed before it flushed.
    const crashed = await createEconomy({ db: test.db, dataDir, config: CONFIG, flushIntervalMs: 3_600_000 });
    dirs.push(dataDir);
    const { secret, tenant } = await tenantKey(crashed);
    const principal = await crashed.gate.authenticate(secret);
    const ids = Array.from({ length: 25 }, (_, index) => `req_crash_${index}`);
    await Promise.all(ids.map(async (requestId) => (await admit(crashed, principal, { requestId })).settle(outcome(used(3, 4)))));
    expect(await new LedgerRepository(test.db, tenant.id).page({}, { limit: 100 })).toEqual([]);

    await economy({ dataDir });
    await economy({ dataDir });
    const rows = await new LedgerRepository(test.db, tenant.id).page({}, { limit: 100 });
    expect(rows.map((row) => row.requestId).sort()).toEqual([...ids].sort());
    const usage = await crashed.usage.summarize({ tenantId: tenant.id, groupBy: 'none' });
    expect(usage[0]?.requests).toBe(25);
  });

  it('never lets 500 concurrent requests overspend a budget that admits 100 (in memory)', async () => {
    const hub = await economy();
    await overspendRace([hub]);
  });

  it('limits requests per sliding minute: a burst across a minute boundary gets the limit once, not twice', async () => {
    const clock = { t: Date.UTC(2026, 11, 1, 12, 0, 59, 900) };
    const hub = await economy({ clock: { now: () => clock.t } });
    const { secret } = await tenantKey(hub, { rateLimits: { rpm: 10 } });
    const principal = await hub.gate.authenticate(secret);
    let retryAfter: number | undefined;
    const burst = async (count: number): Promise<number> => {
      let admitted = 0;
      for (let index = 0; index < count; index++) {
        const admission = await admit(hub, principal).catch((error: HubError) => {
          expect(error.code).toBe('RATE_LIMITED');
          retryAfter = error.details.retryAfterSeconds;
          return null;
        });
        if (admission) {
          admitted++;
          await admission.settle(outcome(used(1, 1)));
        }
      }
      return admitted;
    };
    expect(await burst(10)).toBe(10);
    clock.t += 200; // 0.1 s into the next minute: ceil(10 × 59.9/60) = 10 of the last minute still count
    expect(await burst(10)).toBe(0);
    // One more fits once ceil(10 × weight) ≤ 9, i.e. weight ≤ 0.9: 6 s into the minute, 5.9 s from now.
    expect(retryAfter).toBe(6);
    clock.t += 30_000; // 30.1 s in: ceil(10 × 29.9/60) = 5 still count
    expect(await burst(10)).toBe(5);
    clock.t += 60_000; // a minute later, of the 5 in the previous minute ceil(5 × 29.9/60) = 3 count
    expect(await burst(10)).toBe(7);
  });

  it('reports readiness', async () => {
    const hub = await economy();
    expect(await hub.readiness()).toMatchObject({ ok: true, checks: { database: 'ok' } });
  });
});

async function overspendRace(hubs: Economy[]): Promise<void> {
  const [owner] = hubs;
  if (!owner) throw new Error('no economy');
  // 100 reservations on the prompt's bound fit, and what is left fits no 101st even counted exactly.
  const limit = BOUND_WORST * 100n + BOUND_WORST / 2n;
  expect(limit - BOUND_WORST * 100n < WORST).toBe(true);
  const { secret, budget } = await tenantKey(owner, { budget: { limitPicos: picos(limit), period: 'day' } });
  const principals = await Promise.all(hubs.map((hub) => hub.gate.authenticate(secret)));
  const results = await Promise.allSettled(
    Array.from({ length: 500 }, (_, index) => {
      const hub = hubs[index % hubs.length] as Economy;
      return admit(hub, principals[index % hubs.length] as Principal);
    }),
  );
  const admitted = results.filter((result): result is PromiseFulfilledResult<Admission> => result.status === 'fulfilled');
  const refused = results.filter((result) => result.status === 'rejected');
  expect(admitted).toHaveLength(100);
  expect(refused.every((result) => (result as PromiseRejectedResult).reason.code === 'BUDGET_EXCEEDED')).toBe(true);
  await Promise.all(admitted.map((result) => result.value.settle(outcome(used(PROMPT, 100)))));
  const status = await owner.budgets.get(budget?.id ?? '');
  expect(status.spent).toBe(WORST * 100n);
  expect(status.spent <= limit).toBe(true);
  expect(status.reserved).toBe(0n);
}

describe.skipIf(!REDIS_URL)('economy across replicas sharing Redis', () => {
  const replicas = async (count: number): Promise<Economy[]> => {
    const prefix = uniqueRedisPrefix('economy');
    return Promise.all(Array.from({ length: count }, () => economy({ redisUrl: REDIS_URL, redisKeyPrefix: prefix })));
  };

  it('never lets 500 concurrent requests over 3 replicas overspend a budget that admits 100', async () => {
    await overspendRace(await replicas(3));
  });

  it('applies rate limits globally', async () => {
    const [a, b] = await replicas(2);
    if (!a || !b) throw new Error('replicas');
    const { secret } = await tenantKey(a, { rateLimits: { rpm: 5 } });
    const principals = [await a.gate.authenticate(secret), await b.gate.authenticate(secret)];
    const results = await Promise.allSettled(
      Array.from({ length: 10 }, (_, index) => admit(index % 2 === 0 ? a : b, principals[index % 2] as Principal)),
    );
    const refused = results.filter((result) => result.status === 'rejected');
    expect(results.length - refused.length).toBe(5);
    expect((refused[0] as PromiseRejectedResult).reason).toMatchObject({ code: 'RATE_LIMITED' });
    expect((refused[0] as PromiseRejectedResult).reason.details.retryAfterSeconds).toBeGreaterThan(0);
  });

  it('limits concurrency across replicas and frees the slot at settle', async () => {
    const [a, b] = await replicas(2);
    if (!a || !b) throw new Error('replicas');
    const { secret } = await tenantKey(a, { rateLimits: { maxConcurrency: 1 } });
    const first = await admit(a, await a.gate.authenticate(secret));
    await expect(admit(b, await b.gate.authenticate(secret))).rejects.toMatchObject({ code: 'RATE_LIMITED' });
    await first.settle(outcome(used(1, 1)));
    await expect(admit(b, await b.gate.authenticate(secret))).resolves.toBeDefined();
  });

  it('stops a revoked key on every replica within 1 s', async () => {
    const [a, b] = await replicas(2);
    if (!a || !b) throw new Error('replicas');
    const { secret, key } = await tenantKey(a);
    await b.gate.authenticate(secret); // cached on b
    const started = Date.now();
    await a.keys.revoke(key.id);
    await expect
      .poll(
        async () =>
          b.gate.authenticate(secret).then(
            () => 'accepted',
            (error: HubError) => error.code,
          ),
        { timeout: 1_000, interval: 20 },
      )
      .toBe('UNAUTHENTICATED');
    expect(Date.now() - started).toBeLessThan(1_000);
  });
});

describe('economy when Redis is unreachable', () => {
  it('fails closed with 503 and says so in readiness', async () => {
    const hub = await economy({ redisUrl: 'redis://127.0.0.1:1', cluster: undefined });
    const { secret } = await tenantKey(hub, { budget: { limitPicos: picos(WORST * 10n), period: 'day' } });
    const principal = await hub.gate.authenticate(secret);
    await expect(admit(hub, principal)).rejects.toMatchObject({ code: 'DEPENDENCY_UNAVAILABLE', status: 503 });
    const readiness = await hub.readiness();
    expect(readiness.ok).toBe(false);
    expect(readiness.checks.cluster).toMatch(/redis/);
  });

  it('shares one in-memory cluster state between economies in one process', async () => {
    const cluster = new MemoryClusterState();
    const [a, b] = [await economy({ cluster }), await economy({ cluster })];
    const { secret, key } = await tenantKey(a);
    await b.gate.authenticate(secret);
    await a.keys.revoke(key.id);
    await expect
      .poll(
        () =>
          b.gate.authenticate(secret).then(
            () => 'ok',
            () => 'refused',
          ),
        { timeout: 1_000 },
      )
      .toBe('refused');
    await cluster.close();
  });
});
