import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  ADMIN_KEY,
  chat,
  createTenantKey,
  fleetConfig,
  readyz,
  redisCommand,
  runCommand,
  stopChild,
  waitUntil,
} from '../cluster/fleet-support.js';
import { type FakeOpenAI, startFakeOpenAI } from '../fake-upstreams/openai.js';
import { freePort, type HubProcess, startHubProcess } from '../support/hub-process.js';

const redisServerPresent = (await runCommand('redis-server', ['--version'], 5_000)).code === 0;
if (!redisServerPresent)
  console.warn('[redis-down] skipped: redis-server is not installed (needed to run a private Redis that can be stopped)');

/** A private redis-server on `port`, without persistence, so stopping it touches nothing shared. */
async function startRedis(port: number): Promise<ChildProcess> {
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'no'],
    {
      stdio: 'ignore',
    },
  );
  const up = await waitUntil(async () => (await redisCommand(port, ['PING'])) === '+PONG', 10_000);
  if (!up) {
    await stopChild(child, 'SIGKILL');
    throw new Error(`redis-server did not answer on ${port}`);
  }
  return child;
}

let upstream: FakeOpenAI | undefined;
let redis: ChildProcess | undefined;
let hub: HubProcess | undefined;
let dataDir: string | undefined;

afterAll(async () => {
  if (hub) await stopChild(hub.child);
  if (redis) await stopChild(redis);
  await upstream?.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe.skipIf(!redisServerPresent)('Redis down', () => {
  it('fails budgeted requests closed with a 503 naming Redis, reports unready, and recovers without a restart', async () => {
    upstream = await startFakeOpenAI();
    dataDir = await mkdtemp(join(tmpdir(), 'tokenhub-redis-down-'));
    const redisPort = await freePort();
    redis = await startRedis(redisPort);
    hub = await startHubProcess({
      dataDir,
      config: fleetConfig(upstream.url),
      port: await freePort(),
      env: { TOKENHUB_ADMIN_KEY: ADMIN_KEY, TOKENHUB_REDIS_URL: `redis://127.0.0.1:${redisPort}` },
    });
    const { key } = await createTenantKey(hub.url, 'redis-down', {
      budget: { limit_usd: 10, period: 'total' },
      rate_limits: { rpm: 10_000 },
    });
    expect((await chat(hub.url, key.key, false)).complete).toBe(true);

    await stopChild(redis);
    redis = undefined;

    const started = Date.now();
    const refused = await chat(hub.url, key.key, false);
    // Fail closed at once: the hub must not wait for Redis to come back.
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(refused.status).toBe(503);
    const error = (JSON.parse(refused.body) as { error: { message: string; type: string; code: string | null } }).error;
    expect(error.type).toBe('server_error');
    expect(error.message).toMatch(/redis/i);

    const streamed = await chat(hub.url, key.key, true);
    expect(streamed.status).toBe(503);

    const notReady = await readyz(hub.url);
    expect(notReady.status).toBe(503);
    expect(notReady.body).toMatch(/redis/i);

    redis = await startRedis(redisPort);
    const hubUrl = hub.url;
    const recovered = await waitUntil(async () => (await readyz(hubUrl)).status === 200, 20_000);
    expect(recovered).toBe(true);
    const again = await waitUntil(async () => (await chat(hubUrl, key.key, false)).complete, 10_000);
    expect(again).toBe(true);
    const streamAgain = await chat(hubUrl, key.key, true);
    expect(streamAgain.complete).toBe(true);
  }, 90_000);
});
