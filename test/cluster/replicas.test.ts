import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type FakeOpenAI, startFakeOpenAI } from '../fake-upstreams/openai.js';
import { freePort, type HubProcess, startHubProcess } from '../support/hub-process.js';
import {
  ADMIN_KEY,
  chat,
  createTenantKey,
  findPostgres,
  fleetConfig,
  ledgerRows,
  pgExec,
  redisPipeline,
  stopChild,
  tcpReachable,
  waitUntil,
  withSchema,
} from './fleet-support.js';

// The CLI has no way to set the economy's Redis key prefix (no TOKENHUB_REDIS_KEY_PREFIX), so the fleet
// gets a Redis database of its own instead, flushed before use.
const REDIS_DB = 13;
const REDIS_PORT = 6379;
const RPM = 30;
const TENANT_BUDGET_USD = 0.0003;
const LOAD_MS = 6_000;
const KILL_AT_MS = 3_000;
const WORKERS = 16;

const postgres = await findPostgres();
const redisUp = await tcpReachable('127.0.0.1', REDIS_PORT);
const skipReason = 'reason' in postgres ? postgres.reason : redisUp ? null : `Redis not reachable at 127.0.0.1:${REDIS_PORT}`;
if (skipReason) console.warn(`[cluster/replicas] skipped: ${skipReason}`);

interface Attempt {
  replica: number;
  startedAt: number;
  durationMs: number;
  keyName: string;
  status: number | 'network-error';
  requestId: string | null;
  complete: boolean;
}

const schema = `cluster_${process.pid}_${Date.now().toString(36)}`;
const replicas: (HubProcess | undefined)[] = [];
const dataDirs: string[] = [];
let upstream: FakeOpenAI | undefined;
let schemaCreated = false;

afterAll(async () => {
  for (const replica of replicas) if (replica) await stopChild(replica.child);
  await upstream?.close();
  for (const dir of dataDirs) await rm(dir, { recursive: true, force: true });
  if (schemaCreated && 'url' in postgres) await pgExec(postgres.url, `drop schema if exists "${schema}" cascade`);
});

describe.skipIf(skipReason !== null)('three replicas sharing PostgreSQL and Redis', () => {
  it('keep serving when one is SIGKILLed, keep limits global, and lose no completed request', async () => {
    if (!('url' in postgres)) return;
    upstream = await startFakeOpenAI({ chunks: 5, chunkDelayMs: 2 });
    await pgExec(postgres.url, `create schema "${schema}"`);
    schemaCreated = true;
    const flushed = await redisPipeline(REDIS_PORT, [['SELECT', String(REDIS_DB)], ['FLUSHDB']]);
    expect(flushed).toEqual(['+OK', '+OK']);

    const config = fleetConfig(upstream.url);
    const env = {
      TOKENHUB_ADMIN_KEY: ADMIN_KEY,
      TOKENHUB_DATABASE_URL: withSchema(postgres.url, schema),
      TOKENHUB_REDIS_URL: `redis://127.0.0.1:${REDIS_PORT}/${REDIS_DB}`,
    };
    const ports: number[] = [];
    for (let index = 0; index < 3; index++) {
      dataDirs.push(await mkdtemp(join(tmpdir(), `tokenhub-replica-${index}-`)));
      ports.push(await freePort());
    }
    const start = (index: number): Promise<HubProcess> =>
      startHubProcess({ dataDir: dataDirs[index] ?? '', config, port: ports[index] ?? 0, env, readyTimeoutMs: 60_000 });
    // The first replica migrates the shared schema; the others then start together.
    replicas[0] = await start(0);
    [replicas[1], replicas[2]] = await Promise.all([start(1), start(2)]);
    const urls = replicas.map((replica) => replica?.url ?? '');

    const limited = await createTenantKey(urls[0] ?? '', 'rpm-limited', { rate_limits: { rpm: RPM } });
    const budgeted = await createTenantKey(urls[1] ?? '', 'tenant-budgeted');
    await fetch(`${urls[1]}/admin/v1/budgets`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ scope: 'tenant', tenant_id: budgeted.tenant.id, limit_usd: TENANT_BUDGET_USD, period: 'total' }),
    }).then(async (response) => expect(response.status, await response.text()).toBe(201));
    const open = await createTenantKey(urls[2] ?? '', 'unlimited');
    const keys = [
      { name: 'limited', secret: limited.key.key },
      { name: 'budgeted', secret: budgeted.key.key },
      { name: 'open', secret: open.key.key },
      { name: 'open', secret: open.key.key },
    ];

    const attempts: Attempt[] = [];
    const loadStart = Date.now();
    let killedAt = Number.POSITIVE_INFINITY;
    let next = 0;
    const send = async (worker: number, iteration: number): Promise<void> => {
      const key = keys[(worker + iteration) % keys.length] ?? keys[0];
      if (!key) return;
      const stream = iteration % 2 === 0;
      // Round robin; a replica that refuses the connection is skipped for the next one.
      for (let tries = 0; tries < 3; tries++) {
        const replica = next++ % 3;
        const startedAt = Date.now();
        try {
          const outcome = await chat(urls[replica] ?? '', key.secret, stream, 10_000);
          attempts.push({ replica, startedAt, durationMs: Date.now() - startedAt, keyName: key.name, ...outcome });
          return;
        } catch {
          attempts.push({
            replica,
            startedAt,
            durationMs: Date.now() - startedAt,
            keyName: key.name,
            status: 'network-error',
            requestId: null,
            complete: false,
          });
        }
      }
    };
    const worker = async (index: number): Promise<void> => {
      for (let iteration = 0; iteration < 10_000 && Date.now() - loadStart < LOAD_MS; iteration++) await send(index, iteration);
    };
    const killer = (async () => {
      await new Promise((resolve) => setTimeout(resolve, KILL_AT_MS));
      killedAt = Date.now();
      replicas[1]?.child.kill('SIGKILL');
      await replicas[1]?.exited;
    })();
    await Promise.all([...Array.from({ length: WORKERS }, (_, index) => worker(index)), killer]);

    const afterKill = attempts.filter((attempt) => attempt.startedAt > killedAt + 50);
    const toLive = afterKill.filter((attempt) => attempt.replica !== 1);
    const toDead = afterKill.filter((attempt) => attempt.replica === 1);
    expect(toLive.filter((attempt) => attempt.keyName === 'open' && attempt.complete).length).toBeGreaterThan(20);
    // Live replicas answer everything (limits may refuse with 429 and budgets with 402, nothing else).
    expect(toLive.filter((attempt) => attempt.status !== 200 && attempt.status !== 429 && attempt.status !== 402)).toEqual([]);
    expect(toDead.length).toBeGreaterThan(0);
    // Refused at once by the dead port (bound generous for a loaded CI machine).
    expect(toDead.every((attempt) => attempt.status === 'network-error' && attempt.durationMs < 5_000)).toBe(true);

    // rpm is global: across all three replicas at most RPM admitted per (fixed, calendar) minute window;
    // a run that straddles a minute boundary spans two windows.
    expect(Date.now() - loadStart).toBeLessThan(60_000);
    const windows = Math.floor((Date.now() + 1_000) / 60_000) - Math.floor(loadStart / 60_000) + 1;
    const limitedOk = attempts.filter((attempt) => attempt.keyName === 'limited' && attempt.status === 200).length;
    expect(limitedOk).toBeLessThanOrEqual(RPM * windows);
    expect(limitedOk).toBeGreaterThan(RPM / 2);
    expect(attempts.some((attempt) => attempt.keyName === 'limited' && attempt.status === 429)).toBe(true);
    expect(attempts.some((attempt) => attempt.keyName === 'budgeted' && attempt.status === 402)).toBe(true);

    // The killed replica comes back on its data dir and replays its journal.
    replicas[1] = await start(1);
    const completed = attempts.filter((attempt) => attempt.complete && attempt.requestId).map((attempt) => attempt.requestId ?? '');
    expect(completed.length).toBeGreaterThan(50);
    let missing: string[] = completed;
    await waitUntil(async () => {
      const ids = new Set((await ledgerRows(urls[0] ?? '')).map((row) => row.request_id));
      missing = completed.filter((id) => !ids.has(id));
      return missing.length === 0;
    }, 15_000);
    expect(missing).toEqual([]);

    const rows = await ledgerRows(urls[2] ?? '');
    expect(new Set(rows.map((row) => row.request_id)).size).toBe(rows.length);
    const tenantSpend = rows.filter((row) => row.tenant_id === budgeted.tenant.id).reduce((sum, row) => sum + Number(row.cost_usd), 0);
    expect(tenantSpend).toBeGreaterThan(0);
    expect(tenantSpend).toBeLessThanOrEqual(TENANT_BUDGET_USD);
  }, 150_000);
});
