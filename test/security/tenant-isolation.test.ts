/**
 * Tenant isolation on every route: a tenant's virtual key is refused by every admin route the hub
 * registers (the list below must match what is registered, so a new route cannot be forgotten), and
 * the routes a virtual key may use answer only about its own tenant.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeOpenAI, startFakeOpenAI } from '../fake-upstreams/openai.js';
import { startTestHub, type TestHub } from '../support/hub.js';
import { registeredRoutes } from '../support/routes.js';

/** Every admin route, with a method; `:id`/`:name` are filled with a plausible id. */
const ADMIN_ROUTES = [
  'GET /admin/v1/tenants',
  'POST /admin/v1/tenants',
  'GET /admin/v1/projects',
  'POST /admin/v1/projects',
  'GET /admin/v1/keys',
  'POST /admin/v1/keys',
  'GET /admin/v1/keys/:id',
  'PATCH /admin/v1/keys/:id',
  'DELETE /admin/v1/keys/:id',
  'GET /admin/v1/budgets',
  'POST /admin/v1/budgets',
  'GET /admin/v1/budgets/:id',
  'PATCH /admin/v1/budgets/:id',
  'DELETE /admin/v1/budgets/:id',
  'GET /admin/v1/usage',
  'GET /admin/v1/usage/budgets',
  'GET /admin/v1/ledger',
  'GET /admin/v1/ledger/:request_id/body',
  'GET /admin/v1/keys/:id/body-logging',
  'PUT /admin/v1/keys/:id/body-logging',
  'DELETE /admin/v1/keys/:id/body-logging',
  'GET /admin/v1/projects/:id/body-logging',
  'PUT /admin/v1/projects/:id/body-logging',
  'DELETE /admin/v1/projects/:id/body-logging',
  'GET /admin/v1/audit',
  'GET /admin/v1/local-models',
  'GET /admin/v1/providers',
  'POST /admin/v1/providers',
  'GET /admin/v1/providers/:id',
  'PATCH /admin/v1/providers/:id',
  'DELETE /admin/v1/providers/:id',
  'GET /admin/v1/providers/:id/health',
  'POST /admin/v1/providers/:id/test',
  'POST /admin/v1/providers/test',
  'GET /admin/v1/models',
  'POST /admin/v1/models',
  'GET /admin/v1/models/:name',
  'PATCH /admin/v1/models/:name',
  'DELETE /admin/v1/models/:name',
  'POST /admin/v1/secrets/rotate',
  'GET /admin/v1/agents',
  'POST /admin/v1/agents',
  'GET /admin/v1/agents/:name',
  'PUT /admin/v1/agents/:name',
  'DELETE /admin/v1/agents/:name',
  'GET /admin/v1/agents/:name/versions',
  'POST /admin/v1/agents/:name/activate',
  'GET /admin/v1/workflows',
  'POST /admin/v1/workflows',
  'GET /admin/v1/workflows/:name',
  'PUT /admin/v1/workflows/:name',
  'DELETE /admin/v1/workflows/:name',
  'GET /admin/v1/workflows/:name/versions',
  'POST /admin/v1/workflows/:name/activate',
  'POST /admin/v1/users',
  'GET /admin/v1/users',
  'GET /admin/v1/users/:id',
  'PATCH /admin/v1/users/:id',
  'POST /admin/v1/apps/support/install',
  'GET /admin/v1/apps/support',
  'GET /admin/v1/apps/support/:installation/store',
  'POST /admin/v1/apps/support/:installation/store/reset',
  'POST /admin/v1/apps/supplier-match/install',
  'GET /admin/v1/apps/supplier-match',
  'PUT /admin/v1/apps/supplier-match/:installation/catalogue',
  'POST /admin/v1/apps/site-builder/install',
  'GET /admin/v1/apps/site-builder/runs/:run/cost',
  'GET /admin/v1/apps/site-builder/sites/:slug/versions',
  'POST /admin/v1/apps/site-builder/sites/:slug/rollback',
  'GET /admin/v1/inbox/stats',
];

let upstream: FakeOpenAI;
let hub: TestHub;
let keyA: string;
let keyB: string;
let tenantA: string;

async function request(method: string, path: string, key: string | null, body?: unknown): Promise<{ status: number; body: unknown }> {
  const headers: Record<string, string> = key ? { authorization: `Bearer ${key}` } : {};
  if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(`${hub.url}${path}`, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as unknown) : null };
}

beforeAll(async () => {
  upstream = await startFakeOpenAI({ reply: 'isolated' });
  hub = await startTestHub(
    {
      providers: [{ id: 'oa', type: 'openai', base_url: upstream.url }],
      models: [{ name: 'iso-model', targets: [{ provider: 'oa', model: 'up' }] }],
      routing: { retries: 0 },
    },
    { secretKey: 'isolation-secret-key-'.padEnd(40, 'i') },
  );
  const admin = async (path: string, body: unknown) => (await request('POST', path, hub.adminKey, body)).body as Record<string, string>;
  tenantA = (await admin('/admin/v1/tenants', { name: 'A' })).id as string;
  const tenantB = (await admin('/admin/v1/tenants', { name: 'B' })).id as string;
  keyA = (await admin('/admin/v1/keys', { tenant_id: tenantA })).key as string;
  keyB = (await admin('/admin/v1/keys', { tenant_id: tenantB })).key as string;
});

afterAll(async () => {
  await hub?.close();
  await upstream?.close();
});

describe('tenant isolation', () => {
  it('the list of admin routes is every admin route the hub registers', () => {
    const registered = registeredRoutes(hub.hub.app.printRoutes({ commonPrefix: false })).filter((route) => route.includes(' /admin/'));
    expect(registered.length).toBeGreaterThan(10);
    expect([...registered].sort()).toEqual([...ADMIN_ROUTES].sort());
  });

  it('a virtual key is refused by every admin route, and changes nothing', async () => {
    const auditBefore = ((await request('GET', '/admin/v1/audit?limit=1000', hub.adminKey)).body as { data: unknown[] }).data.length;
    const bodies: Record<string, unknown> = {
      '/admin/v1/tenants': { name: 'sneaky' },
      '/admin/v1/keys': { tenant_id: tenantA },
      '/admin/v1/providers': { id: 'sneaky', type: 'openai', base_url: upstream.url },
      '/admin/v1/models': { name: 'sneaky', targets: [{ provider: 'oa', model: 'x' }] },
    };
    for (const route of ADMIN_ROUTES) {
      const [method = 'GET', pattern = ''] = route.split(' ');
      const path = pattern.replace(':id', 'key_x').replace(':name', 'iso-model');
      const body = method === 'POST' || method === 'PATCH' ? (bodies[pattern] ?? {}) : undefined;
      for (const key of [keyA, null]) {
        const answer = await request(method, path, key, body);
        expect(answer.status, `${route} with ${key ? 'a virtual key' : 'no key'}`).toBe(key ? 403 : 401);
        expect(answer.body, route).toMatchObject({ error: { type: key ? 'permission_error' : 'authentication_error' } });
      }
    }
    const audit = (await request('GET', '/admin/v1/audit?limit=1000', hub.adminKey)).body as { data: unknown[] };
    expect(audit.data.length).toBe(auditBefore);
    const tenants = (await request('GET', '/admin/v1/tenants', hub.adminKey)).body as { data: { name: string }[] };
    expect(tenants.data.map((tenant) => tenant.name)).toEqual(['A', 'B']);
    expect((await request('GET', '/admin/v1/providers/sneaky', hub.adminKey)).status).toBe(404);
    expect((await request('GET', '/admin/v1/models/sneaky', hub.adminKey)).status).toBe(404);
  });

  it("a virtual key reads only its own tenant's usage and stored responses", async () => {
    const created = await request('POST', '/v1/responses', keyA, { model: 'iso-model', input: 'hello' });
    expect(created.status).toBe(200);
    const responseId = (created.body as { id: string }).id;
    await hub.hub.economy.flush();

    for (const path of [`/v1/responses/${responseId}`, `/v1/responses/${responseId}/input_items`]) {
      expect((await request('GET', path, keyB)).status, path).toBe(404);
      expect((await request('GET', path, keyA)).status, path).toBe(200);
    }
    expect((await request('DELETE', `/v1/responses/${responseId}`, keyB)).status).toBe(404);
    expect((await request('GET', `/v1/responses/${responseId}`, keyA)).status).toBe(200);

    const usageA = (await request('GET', '/v1/me/usage?group_by=none', keyA)).body as { tenant_id: string; usage: { requests: number }[] };
    const usageB = (await request('GET', '/v1/me/usage?group_by=none', keyB)).body as { tenant_id: string; usage: { requests: number }[] };
    expect(usageA.tenant_id).toBe(tenantA);
    expect(usageA.usage.reduce((sum, row) => sum + row.requests, 0)).toBe(1);
    expect(usageB.usage.reduce((sum, row) => sum + row.requests, 0)).toBe(0);
  });
});
