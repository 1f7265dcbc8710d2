/**
 * Money amounts are checked where they enter (attack report F5 and F11): a price or budget the money code or
 * the database cannot hold is a 400 naming the field, and nothing is stored or served; a JSON number that
 * does not say exactly which amount is meant is refused rather than stored with float noise. A bad row that is
 * stored anyway (by an older version) never stops a start or a reload: it is reported, readable and deletable,
 * and everything else keeps serving.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configSchema } from '../../src/config/index.js';
import { type FakeOpenAI, startFakeOpenAI } from '../fake-upstreams/openai.js';
import { startTestHub, type TestHub } from '../support/hub.js';

const SECRET_KEY = 'k1-'.padEnd(44, 'x');

interface Answer {
  status: number;
  body: Record<string, unknown> & { error?: { message: string; param?: string | null; code?: string | null } };
}

async function call(hub: TestHub, method: string, path: string, body?: unknown): Promise<Answer> {
  const response = await fetch(`${hub.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${hub.adminKey}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as Answer['body']) : {} };
}

async function chat(hub: TestHub, model: string): Promise<Answer> {
  return call(hub, 'POST', '/v1/chat/completions', { model, messages: [{ role: 'user', content: 'hi' }] });
}

const readyz = async (hub: TestHub): Promise<{ status: string; checks: Record<string, string> }> =>
  (await fetch(`${hub.url}/readyz`)).json() as Promise<{ status: string; checks: Record<string, string> }>;

let upstream: FakeOpenAI;
let hub: TestHub;
let tenantId: string;

const hubConfig = {
  providers: [{ id: 'up', type: 'openai', base_url: 'http://127.0.0.1:9/v1' }],
  routing: { retries: 0, timeout_ms: 5_000, first_byte_timeout_ms: 2_000 },
};

beforeAll(async () => {
  upstream = await startFakeOpenAI({ reply: 'served' });
  hubConfig.providers[0] = { id: 'up', type: 'openai', base_url: upstream.url };
  hub = await startTestHub(hubConfig, { secretKey: SECRET_KEY });
  const tenant = await call(hub, 'POST', '/admin/v1/tenants', { name: 'money' });
  tenantId = String(tenant.body.id);
});

afterAll(async () => {
  await hub?.close();
  await upstream?.close();
});

describe('prices', () => {
  const model = (name: string, pricing: unknown) => ({ name, targets: [{ provider: 'up', model: 'm' }], pricing });

  it('refuses prices the money code or the database cannot hold, with a 400 naming the field, and stores nothing', async () => {
    const cases: [unknown, string][] = [
      [{ input_per_mtok: 1e21, output_per_mtok: 1 }, 'pricing.input_per_mtok'],
      [{ input_per_mtok: 1, output_per_mtok: 1e308 }, 'pricing.output_per_mtok'],
      [{ input_per_mtok: '1000000.000001', output_per_mtok: 1 }, 'pricing.input_per_mtok'],
      [{ input_per_mtok: 1_000_001, output_per_mtok: 1 }, 'pricing.input_per_mtok'],
      [{ input_per_mtok: 1, output_per_mtok: 1, cached_input_per_mtok: '1e21' }, 'pricing.cached_input_per_mtok'],
      [{ input_per_mtok: 0.1 + 0.2, output_per_mtok: 1 }, 'pricing.input_per_mtok'],
      [{ input_per_mtok: 1, output_per_mtok: 0.0000001 }, 'pricing.output_per_mtok'],
      [{ input_per_mtok: -1, output_per_mtok: 1 }, 'pricing.input_per_mtok'],
    ];
    for (const [pricing, param] of cases) {
      const answer = await call(hub, 'POST', '/admin/v1/models', model('poison', pricing));
      expect(answer.status, JSON.stringify(pricing)).toBe(400);
      expect(answer.body.error?.param, JSON.stringify(pricing)).toBe(param);
    }
    expect((await call(hub, 'GET', '/admin/v1/models/poison')).status).toBe(404);
    expect(await hub.hub.db.query('select name from routed_models')).toEqual([]);
    expect((await chat(hub, 'poison')).status).toBe(404);
  });

  it('takes the dearest allowed price, and a PATCH past the bound changes nothing', async () => {
    const created = await call(hub, 'POST', '/admin/v1/models', model('dear', { input_per_mtok: 1_000_000, output_per_mtok: '0.000001' }));
    expect(created.status).toBe(201);
    const patched = await call(hub, 'PATCH', '/admin/v1/models/dear', { pricing: { input_per_mtok: '1e21', output_per_mtok: 1 } });
    expect(patched.status).toBe(400);
    expect(patched.body.error?.param).toBe('pricing.input_per_mtok');
    expect((await call(hub, 'GET', '/admin/v1/models/dear')).body.pricing).toEqual({
      input_per_mtok: 1_000_000,
      output_per_mtok: '0.000001',
    });
    expect((await chat(hub, 'dear')).status).toBe(200);
    expect((await call(hub, 'DELETE', '/admin/v1/models/dear')).status).toBe(200);
  });

  it('are bounded in the config file as well', () => {
    const priced = (pricing: unknown) =>
      configSchema.safeParse({
        providers: hubConfig.providers,
        models: [{ name: 'x', targets: [{ provider: 'up', model: 'm' }], pricing }],
      });
    expect(priced({ input_per_mtok: 1e21, output_per_mtok: 1 }).success).toBe(false);
    expect(priced({ input_per_mtok: '2.50', output_per_mtok: 10 }).success).toBe(true);
  });
});

describe('a stored model row that does not validate', () => {
  it('does not stop a start: it is reported, not served, readable and deletable, and the rest keeps serving', async () => {
    const first = await startTestHub(hubConfig, { secretKey: SECRET_KEY });
    const shared = { database: first.hub.db, dataDir: first.dataDir, secretKey: SECRET_KEY, upstreamReloadMs: 100 };
    await first.hub.close();
    // As an older version, whose validation let any price through, stored them.
    const insert = (name: string, pricing: unknown) =>
      first.hub.db.query('insert into routed_models (name, spec) values ($1, $2::jsonb)', [
        name,
        JSON.stringify({ targets: [{ provider: 'up', model: 'm', weight: 1 }], fallbacks: [], kind: 'chat', pricing }),
      ]);
    await insert('poison', { input_per_mtok: 1e21, output_per_mtok: 1e21 });
    await insert('good', { input_per_mtok: 1, output_per_mtok: 2 });

    const restarted = await startTestHub(hubConfig, shared);
    try {
      const ready = await readyz(restarted);
      expect(ready.status).toBe('degraded');
      expect(ready.checks.upstreams).toMatch(/model poison: pricing\.input_per_mtok: must be at most 1000000/);
      expect((await chat(restarted, 'good')).status).toBe(200);
      expect((await chat(restarted, 'poison')).status).toBe(404);

      const shown = await call(restarted, 'GET', '/admin/v1/models/poison');
      expect(shown.status).toBe(200);
      expect(shown.body).toMatchObject({ name: 'poison', status: 'unavailable', targets: [{ provider: 'up', model: 'm', weight: 1 }] });
      expect(shown.body.problem).toMatch(/must be at most/);
      const listed = await call(restarted, 'GET', '/admin/v1/models');
      expect((listed.body.data as { name: string; status: string }[]).map((entry) => [entry.name, entry.status])).toEqual([
        ['good', 'ready'],
        ['poison', 'unavailable'],
      ]);
      expect((await call(restarted, 'PATCH', '/admin/v1/models/poison', { max_output_tokens: 5 })).body.error?.code).toBe('model_invalid');
      expect(
        (await call(restarted, 'POST', '/admin/v1/models', { name: 'poison', targets: [{ provider: 'up', model: 'm' }] })).status,
      ).toBe(409);

      // One that appears while running is caught by the periodic reload just the same.
      await insert('poison-2', { input_per_mtok: 1, output_per_mtok: 1e308 });
      await expect.poll(async () => (await readyz(restarted)).checks.upstreams, { timeout: 5_000 }).toMatch(/model poison-2:/);
      expect((await chat(restarted, 'good')).status).toBe(200);

      for (const name of ['poison', 'poison-2']) {
        const deleted = await call(restarted, 'DELETE', `/admin/v1/models/${name}`);
        expect(deleted.status).toBe(200);
        expect(deleted.body).toMatchObject({ name, status: 'unavailable' });
        expect((await call(restarted, 'GET', `/admin/v1/models/${name}`)).status).toBe(404);
      }
      expect((await readyz(restarted)).status).toBe('ready');
      expect((await chat(restarted, 'good')).status).toBe(200);
    } finally {
      await restarted.hub.close();
      await first.close();
    }
  });
});

describe('budgets', () => {
  const budget = (limit: unknown) =>
    call(hub, 'POST', '/admin/v1/budgets', { scope: 'tenant', tenant_id: tenantId, limit_usd: limit, period: 'total' });

  it('keep a decimal string exactly, and a JSON number only when it says exactly which amount is meant', async () => {
    const exact = await budget('123456789.123456789');
    expect(exact.status).toBe(201);
    expect(exact.body.limit_usd).toBe('123456789.123456789');

    // Sent as typed: a JSON number with more digits than a double keeps.
    const response = await fetch(`${hub.url}/admin/v1/budgets`, {
      method: 'POST',
      headers: { authorization: `Bearer ${hub.adminKey}`, 'content-type': 'application/json' },
      body: `{"scope":"tenant","tenant_id":${JSON.stringify(tenantId)},"limit_usd":123456789.123456789,"period":"total"}`,
    });
    const noisy = { status: response.status, body: (await response.json()) as Answer['body'] };
    expect(noisy.status).toBe(400);
    expect(noisy.body.error?.param).toBe('limit_usd');
    expect(noisy.body.error?.message).toMatch(/send it as a decimal string/);

    for (const [limit, stored] of [
      [12.5, '12.50'],
      [0.0000001, '0.0000001'],
      [1e12, '1000000000000.00'],
      ['1000000000000', '1000000000000.00'],
    ] as const) {
      const answer = await budget(limit);
      expect(answer.status, String(limit)).toBe(201);
      expect(answer.body.limit_usd, String(limit)).toBe(stored);
    }
  });

  it('refuse amounts past the bound or past a pico-dollar, with a 400 naming the field, on every route', async () => {
    for (const limit of [1e13, '1000000000000.000000000001', '0.0000000000001', 1e-13, 0.1 + 0.2, -1, '1e3']) {
      const answer = await budget(limit);
      expect(answer.status, String(limit)).toBe(400);
      expect(answer.body.error?.param, String(limit)).toBe('limit_usd');
    }
    const key = await call(hub, 'POST', '/admin/v1/keys', { tenant_id: tenantId, budget: { limit_usd: 1e21, period: 'total' } });
    expect(key.status).toBe(400);
    expect(key.body.error?.param).toBe('budget.limit_usd');
    const created = await budget('5');
    const patched = await call(hub, 'PATCH', `/admin/v1/budgets/${String(created.body.id)}`, { limit_usd: 1e308 });
    expect(patched.status).toBe(400);
    expect(patched.body.error?.param).toBe('limit_usd');
    expect((await call(hub, 'GET', `/admin/v1/budgets/${String(created.body.id)}`)).body.limit_usd).toBe('5.00');
  });
});
