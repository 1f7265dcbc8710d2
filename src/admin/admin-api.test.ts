import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getTestDb, type TestDb } from '../../test/support/test-db.js';
import { isHubError } from '../core/index.js';
import { createEconomy, type Economy, generateAdminKey, hashSecret } from '../economy/index.js';
import type { ApiKey, Budget, CreatedKey, LedgerPage, ListResponse, MeUsageResponse, Project, Tenant, UsageRow } from './contract.js';
import { adminRoutes, selfServiceRoutes } from './index.js';

const ADMIN_KEY = generateAdminKey();
let test: TestDb;
let dataDir: string;
let economy: Economy;
let app: FastifyInstance;
let base: string;

beforeAll(async () => {
  test = await getTestDb();
  dataDir = await mkdtemp(join(tmpdir(), 'th-admin-'));
  economy = await createEconomy({
    db: test.db,
    dataDir,
    adminKeyHash: hashSecret(ADMIN_KEY),
    config: { models: [{ name: 'cheap', pricing: { input_per_mtok: 1, output_per_mtok: 2 } }] },
  });
  app = Fastify();
  // Stands in for the app's error funnel: status and the fields the tests look at.
  app.setErrorHandler((error, _request, reply) => {
    if (isHubError(error))
      return reply.code(error.status).send({ error: { code: error.code, message: error.message, param: error.details.param ?? null } });
    return reply.code(500).send({ error: { code: 'INTERNAL', message: String(error) } });
  });
  await app.register(adminRoutes({ economy, db: test.db }));
  await app.register(selfServiceRoutes({ economy }));
  base = await app.listen({ port: 0, host: '127.0.0.1' });
});

afterAll(async () => {
  await app?.close();
  await economy?.close();
  await test?.close();
  await rm(dataDir, { recursive: true, force: true });
});

async function call<T>(
  method: string,
  path: string,
  options: { body?: unknown; key?: string } = {},
): Promise<{ status: number; body: T; text: string }> {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${options.key ?? ADMIN_KEY}`,
      ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
  });
  const text = await response.text();
  const json = response.headers.get('content-type')?.includes('json') ? (JSON.parse(text) as T) : (undefined as T);
  return { status: response.status, body: json, text };
}

async function spend(secret: string, requestId: string, input: number, output: number): Promise<void> {
  const principal = await economy.gate.authenticate(secret);
  const admission = await economy.gate.admit(principal, {
    requestId,
    model: 'cheap',
    surface: 'openai',
    chat: { model: 'cheap', messages: [{ role: 'user', content: 'hi' }], stream: false, maxTokens: Math.max(output, 1) },
  });
  await admission.settle({
    servedModel: 'cheap',
    providerId: 'p',
    upstreamModel: null,
    usage: { inputTokens: input, outputTokens: output, cachedInputTokens: 0, cacheWriteInputTokens: 0, source: 'upstream' },
    outputText: '',
    status: 200,
    latencyMs: 3,
    stream: false,
    attempts: 1,
  });
}

describe('admin API', () => {
  it('requires the admin key', async () => {
    expect((await call('GET', '/admin/v1/tenants', { key: 'wrong' })).status).toBe(401);
    const tenant = await call<Tenant>('POST', '/admin/v1/tenants', { body: { name: 'Acme' } });
    const key = await call<CreatedKey>('POST', '/admin/v1/keys', { body: { tenant_id: tenant.body.id } });
    expect((await call('GET', '/admin/v1/tenants', { key: key.body.key })).status).toBe(403);
  });

  it('creates tenants, projects, keys (secret shown once) and budgets, and validates input', async () => {
    const tenant = await call<Tenant>('POST', '/admin/v1/tenants', { body: { name: 'Beta' } });
    expect(tenant.status).toBe(201);
    const project = await call<Project>('POST', '/admin/v1/projects', { body: { tenant_id: tenant.body.id, name: 'web' } });
    expect(project.body).toMatchObject({ tenant_id: tenant.body.id, name: 'web' });

    const created = await call<CreatedKey>('POST', '/admin/v1/keys', {
      body: {
        tenant_id: tenant.body.id,
        project_id: project.body.id,
        name: 'ci',
        models: ['cheap'],
        rate_limits: { rpm: 60, max_concurrency: 4 },
        budget: { limit_usd: '12.50', period: 'month' },
      },
    });
    expect(created.status).toBe(201);
    expect(created.body.key).toMatch(/^thk_/);
    expect(created.body).toMatchObject({
      models: ['cheap'],
      rate_limits: { rpm: 60, max_concurrency: 4 },
      budget: { limit_usd: '12.50', spent_usd: '0.00' },
    });
    const listed = await call<ListResponse<ApiKey>>('GET', `/admin/v1/keys?tenant_id=${tenant.body.id}`);
    expect(listed.body.data).toHaveLength(1);
    expect(JSON.stringify(listed.body)).not.toContain(created.body.key);

    const patched = await call<ApiKey>('PATCH', `/admin/v1/keys/${created.body.id}`, {
      body: { models: null, rate_limits: { tpm: 1000 } },
    });
    expect(patched.body).toMatchObject({ models: null, rate_limits: { tpm: 1000 } });

    const budget = await call<Budget>('POST', '/admin/v1/budgets', {
      body: { scope: 'project', tenant_id: tenant.body.id, project_id: project.body.id, limit_usd: 100, period: 'day' },
    });
    expect(budget.body).toMatchObject({ scope: 'project', limit_usd: '100.00', remaining_usd: '100.00', period: 'day' });
    const budgets = await call<ListResponse<Budget>>('GET', `/admin/v1/budgets?tenant_id=${tenant.body.id}`);
    expect(budgets.body.data.map((entry) => entry.scope).sort()).toEqual(['key', 'project']);

    const badField = await call<{ error: { param: string } }>('POST', '/admin/v1/keys', {
      body: { tenant_id: tenant.body.id, rate_limits: { rpm: -1 } },
    });
    expect(badField.status).toBe(400);
    expect(badField.body.error.param).toBe('rate_limits.rpm');
    const badMoney = await call<{ error: { param: string } }>('POST', '/admin/v1/budgets', {
      body: { scope: 'tenant', tenant_id: tenant.body.id, limit_usd: '1.2.3', period: 'day' },
    });
    expect(badMoney.body.error.param).toBe('limit_usd');
    expect((await call('POST', '/admin/v1/keys', { body: { tenant_id: 'ten_missing' } })).status).toBe(404);
    expect((await call('PATCH', '/admin/v1/keys/key_missing', { body: { name: 'x' } })).status).toBe(404);
    expect((await call('GET', '/admin/v1/budgets/bud_missing')).status).toBe(404);

    const revoked = await call<ApiKey>('DELETE', `/admin/v1/keys/${created.body.id}`);
    expect(revoked.body.revoked_at).not.toBeNull();
    expect((await call('GET', '/v1/me/usage', { key: created.body.key })).status).toBe(401);
  });

  it('keeps tenants apart: ids of another tenant are 404s and a key reads only its own usage', async () => {
    const a = (await call<Tenant>('POST', '/admin/v1/tenants', { body: { name: 'A' } })).body;
    const b = (await call<Tenant>('POST', '/admin/v1/tenants', { body: { name: 'B' } })).body;
    const projectB = (await call<Project>('POST', '/admin/v1/projects', { body: { tenant_id: b.id, name: 'b-web' } })).body;
    const keyA = (
      await call<CreatedKey>('POST', '/admin/v1/keys', { body: { tenant_id: a.id, budget: { limit_usd: 1, period: 'total' } } })
    ).body;
    const keyB = (await call<CreatedKey>('POST', '/admin/v1/keys', { body: { tenant_id: b.id } })).body;
    expect((await call('POST', '/admin/v1/keys', { body: { tenant_id: a.id, project_id: projectB.id } })).status).toBe(404);
    expect(
      (await call('POST', '/admin/v1/budgets', { body: { scope: 'key', tenant_id: a.id, key_id: keyB.id, limit_usd: 1, period: 'day' } }))
        .status,
    ).toBe(404);

    await spend(keyA.key, 'req_iso_a', 1_000, 500);
    await spend(keyB.key, 'req_iso_b', 7, 7);
    await economy.flush();

    const me = await call<MeUsageResponse>('GET', '/v1/me/usage', { key: keyA.key });
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ key_id: keyA.id, tenant_id: a.id });
    expect(me.body.usage).toEqual([
      { group: 'cheap', requests: 1, errors: 0, prompt_tokens: 1_000, completion_tokens: 500, cached_tokens: 0, cost_usd: '0.002' },
    ]);
    expect(me.body.budgets).toEqual([
      expect.objectContaining({ scope: 'key', limit_usd: '1.00', spent_usd: '0.002', remaining_usd: '0.998' }),
    ]);
    expect(JSON.stringify(me.body)).not.toContain(keyB.id);
    expect((await call('GET', '/v1/me/usage')).status).toBe(403);

    const usageA = await call<ListResponse<UsageRow>>('GET', `/admin/v1/usage?tenant_id=${a.id}&key_id=${keyB.id}&group_by=key`);
    expect(usageA.body.data).toEqual([]);
    const byKey = await call<ListResponse<UsageRow>>('GET', `/admin/v1/usage?tenant_id=${b.id}&group_by=key`);
    expect(byKey.body.data).toEqual([expect.objectContaining({ group: keyB.id, requests: 1, cost_usd: '0.000021' })]);
  });

  it('pages the ledger with a cursor and exports it as CSV', async () => {
    const tenant = (await call<Tenant>('POST', '/admin/v1/tenants', { body: { name: 'Ledger' } })).body;
    const key = (await call<CreatedKey>('POST', '/admin/v1/keys', { body: { tenant_id: tenant.id } })).body;
    for (let index = 0; index < 5; index++) await spend(key.key, `req_page_${index}`, 10, index);
    await economy.flush();
    const first = await call<LedgerPage>('GET', `/admin/v1/ledger?tenant_id=${tenant.id}&limit=2`);
    expect(first.body.data.map((row) => row.request_id)).toEqual(['req_page_4', 'req_page_3']);
    expect(first.body.has_more).toBe(true);
    const rest = await call<LedgerPage>('GET', `/admin/v1/ledger?tenant_id=${tenant.id}&limit=10&cursor=${first.body.next_cursor}`);
    expect(rest.body.data.map((row) => row.request_id)).toEqual(['req_page_2', 'req_page_1', 'req_page_0']);
    expect(rest.body.next_cursor).toBeNull();
    expect((await call('GET', '/admin/v1/ledger?cursor=bogus')).status).toBe(400);

    const csv = await call('GET', `/admin/v1/ledger?tenant_id=${tenant.id}&format=csv`);
    const lines = csv.text.trim().split('\r\n');
    expect(lines[0]).toMatch(/^created_at,request_id,tenant_id/);
    expect(lines).toHaveLength(6);
    expect(lines[1]).toContain('req_page_4');
  });
});
