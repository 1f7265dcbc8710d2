import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeOpenAI, startFakeOpenAI } from '../../../test/fake-upstreams/openai.js';
import { startTestHub, type TestHub, type TestHubOverrides } from '../../../test/support/hub.js';
import { findTestRedis, getTestDb, type TestDb, uniqueRedisPrefix } from '../../../test/support/test-db.js';

const SECRET_KEY = 'sync-secret-key-'.padEnd(40, 's');
const redisUrl = await findTestRedis();
if (!redisUrl) console.warn('[upstream-sync] pub/sub case skipped: no Redis (set TOKENHUB_TEST_REDIS_URL or run one on 127.0.0.1:6379)');

let upstream: FakeOpenAI;
let testDb: TestDb;

beforeAll(async () => {
  upstream = await startFakeOpenAI({ reply: 'replica answer', apiKey: 'sk-first' });
  testDb = await getTestDb();
});

afterAll(async () => {
  await upstream?.close();
  await testDb?.close();
});

async function admin(hub: TestHub, method: string, path: string, body?: unknown): Promise<number> {
  const response = await fetch(`${hub.url}${path}`, {
    method,
    // A content-type on a body-less DELETE, as many clients send it, must not matter.
    headers: { authorization: `Bearer ${hub.adminKey}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  await response.arrayBuffer();
  return response.status;
}

async function chatStatus(hub: TestHub, model: string): Promise<number> {
  const response = await fetch(`${hub.openaiBaseUrl}/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${hub.adminKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }] }),
  });
  await response.arrayBuffer();
  return response.status;
}

/** Polls until `check` holds; returns how long it took. */
async function within(limitMs: number, check: () => Promise<boolean>): Promise<number> {
  const started = Date.now();
  while (Date.now() - started < limitMs) {
    if (await check()) return Date.now() - started;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`not within ${limitMs} ms`);
}

/** Two replicas on one database; `shared` decides whether they share a cluster channel. */
async function replicas(first: TestHubOverrides, second: TestHubOverrides): Promise<[TestHub, TestHub]> {
  const config = { routing: { retries: 0, backoff_ms: 1 } };
  const a = await startTestHub(config, { database: testDb.db, secretKey: SECRET_KEY, ...first });
  const b = await startTestHub(config, { database: testDb.db, secretKey: SECRET_KEY, ...second });
  return [a, b];
}

async function exercise(a: TestHub, b: TestHub, suffix: string, limitMs: number): Promise<void> {
  const provider = `up-${suffix}`;
  const model = `m-${suffix}`;
  upstream.set({ apiKey: 'sk-first' });
  expect(await admin(a, 'POST', '/admin/v1/providers', { id: provider, type: 'openai', base_url: upstream.url, api_key: 'sk-first' })).toBe(
    201,
  );
  expect(await admin(a, 'POST', '/admin/v1/models', { name: model, targets: [{ provider, model: 'up' }] })).toBe(201);
  await within(limitMs, async () => (await chatStatus(b, model)) === 200);

  // A new upstream key set on one replica is the key the other one sends.
  upstream.set({ apiKey: 'sk-second' });
  expect(await admin(a, 'PATCH', `/admin/v1/providers/${provider}`, { api_key: 'sk-second' })).toBe(200);
  await within(limitMs, async () => (await chatStatus(b, model)) === 200);
  expect(upstream.requests.at(-1)?.headers.authorization).toBe('Bearer sk-second');

  expect(await admin(a, 'DELETE', `/admin/v1/models/${model}`)).toBe(200);
  await within(limitMs, async () => (await chatStatus(b, model)) === 404);
  expect(await admin(a, 'DELETE', `/admin/v1/providers/${provider}`)).toBe(200);
  await within(limitMs, async () => (await admin(b, 'GET', `/admin/v1/providers/${provider}`)) === 404);
}

describe('admin-managed upstreams across replicas', () => {
  it('reach a replica that missed every change message through the periodic reload', async () => {
    // Separate cluster channels (in-memory state, or Redis under different prefixes): only the reload carries changes.
    const [a, b] = await replicas({ upstreamReloadMs: 0 }, { upstreamReloadMs: 150 });
    try {
      await exercise(a, b, 'reload', 5_000);
    } finally {
      await b.close();
      await a.close();
    }
  });

  it('are consistent through any replica at once: the admin API reads what it has not heard of from the database', async () => {
    // No change messages between the two and no periodic reload: only the read-through can make this pass.
    const [a, b] = await replicas({ upstreamReloadMs: 0 }, { upstreamReloadMs: 0 });
    try {
      upstream.set({ apiKey: 'sk-first' });
      expect(
        await admin(a, 'POST', '/admin/v1/providers', { id: 'up-rt', type: 'openai', base_url: upstream.url, api_key: 'sk-first' }),
      ).toBe(201);
      expect(await admin(b, 'GET', '/admin/v1/providers/up-rt')).toBe(200);
      expect(await admin(b, 'POST', '/admin/v1/models', { name: 'm-rt', targets: [{ provider: 'up-rt', model: 'up' }] })).toBe(201);
      expect(await chatStatus(b, 'm-rt')).toBe(200);
      // A's model with B's model as fallback: A reads m-rt from the database first.
      expect(
        await admin(a, 'POST', '/admin/v1/models', { name: 'm-rt-a', targets: [{ provider: 'up-rt', model: 'up' }], fallbacks: ['m-rt'] }),
      ).toBe(201);
      // An update on B applies to the stored row, not to B's picture of it: A's key change survives B's PATCH.
      upstream.set({ apiKey: 'sk-second' });
      expect(await admin(a, 'PATCH', '/admin/v1/providers/up-rt', { api_key: 'sk-second' })).toBe(200);
      expect(await admin(b, 'PATCH', '/admin/v1/providers/up-rt', { max_connections: 16 })).toBe(200);
      expect(await chatStatus(b, 'm-rt')).toBe(200);
      expect(upstream.requests.at(-1)?.headers.authorization).toBe('Bearer sk-second');
      // B has not heard of A's m-rt-a, yet refuses to delete the model it falls back to.
      expect(await admin(b, 'DELETE', '/admin/v1/models/m-rt')).toBe(409);
      expect(await admin(a, 'DELETE', '/admin/v1/models/m-rt-a')).toBe(200);
      expect(await admin(b, 'DELETE', '/admin/v1/models/m-rt')).toBe(200);
      expect(await admin(b, 'DELETE', '/admin/v1/providers/up-rt')).toBe(200);
    } finally {
      await b.close();
      await a.close();
    }
  });

  it.skipIf(!redisUrl)('reach every replica through Redis pub/sub within a second', async () => {
    const prefix = uniqueRedisPrefix('upstream-sync');
    const shared = { redisUrl: redisUrl as string, redisKeyPrefix: prefix, upstreamReloadMs: 0 };
    const [a, b] = await replicas(shared, shared);
    try {
      await exercise(a, b, 'pubsub', 1_000);
    } finally {
      await b.close();
      await a.close();
    }
  });
});
