import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHub, type TestHub } from '../../test/support/hub.js';
import type { AuditEntry, AuditPage, Budget, CreatedKey, Project, Tenant } from './contract.js';

let hub: TestHub;

beforeAll(async () => {
  hub = await startTestHub({ providers: [], models: [] });
});

afterAll(async () => {
  await hub?.close();
});

async function call<T>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T; text: string }> {
  const response = await fetch(`${hub.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${hub.adminKey}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, body: JSON.parse(text) as T, text };
}

async function audit(query: string): Promise<AuditPage> {
  const page = await call<AuditPage>('GET', `/admin/v1/audit${query}`);
  expect(page.status).toBe(200);
  return page.body;
}

describe('admin audit log', () => {
  it('records one row per mutating admin request, with before and after, and never the secret', async () => {
    const tenant = await call<Tenant>('POST', '/admin/v1/tenants', { name: 'Audited' });
    const project = await call<Project>('POST', '/admin/v1/projects', { tenant_id: tenant.body.id, name: 'web' });
    const created = await call<CreatedKey>('POST', '/admin/v1/keys', {
      tenant_id: tenant.body.id,
      name: 'ci',
      budget: { limit_usd: '5', period: 'month' },
    });
    expect(created.status).toBe(201);
    const secret = created.body.key;
    const keyId = created.body.id;
    await call('PATCH', `/admin/v1/keys/${keyId}`, { name: 'ci-renamed' });
    const budget = await call<Budget>('POST', '/admin/v1/budgets', {
      scope: 'tenant',
      tenant_id: tenant.body.id,
      limit_usd: '10',
      period: 'day',
    });
    await call('PATCH', `/admin/v1/budgets/${budget.body.id}`, { limit_usd: '20' });
    await call('DELETE', `/admin/v1/budgets/${budget.body.id}`);
    await call('DELETE', `/admin/v1/keys/${keyId}`);
    // Reads are not audited.
    await call('GET', `/admin/v1/keys/${keyId}`);

    const page = await audit(`?tenant_id=${tenant.body.id}`);
    expect(page.data.map((entry) => entry.action)).toEqual([
      'key.revoke',
      'budget.delete',
      'budget.update',
      'budget.create',
      'key.update',
      'key.create',
      'project.create',
      'tenant.create',
    ]);
    for (const entry of page.data) {
      expect(entry).toMatchObject({ tenant_id: tenant.body.id, status: expect.any(Number) as number, error_code: null });
      expect(entry.actor).toMatch(/^admin:[0-9a-f]{12}$/);
      expect(entry.request_id).toMatch(/^req_/);
    }
    const byAction = new Map(page.data.map((entry) => [entry.action, entry]));
    expect(byAction.get('project.create')).toMatchObject({ target_type: 'project', target_id: project.body.id, before: null });
    expect(byAction.get('key.create')).toMatchObject({
      target_type: 'key',
      target_id: keyId,
      status: 201,
      before: null,
      after: { id: keyId, name: 'ci' },
    });
    expect(byAction.get('key.create')?.after).not.toHaveProperty('key');
    expect(byAction.get('key.update')).toMatchObject({
      before: { name: 'ci' },
      after: { name: 'ci-renamed' },
      path: `/admin/v1/keys/${keyId}`,
    });
    expect(byAction.get('key.revoke')).toMatchObject({ before: { revoked_at: null }, after: { revoked_at: expect.any(String) as string } });
    expect(byAction.get('budget.update')).toMatchObject({ before: { limit_usd: '10.00' }, after: { limit_usd: '20.00' } });
    expect(byAction.get('budget.delete')).toMatchObject({
      target_id: budget.body.id,
      before: { id: budget.body.id },
      after: { deleted: true },
    });
    expect(byAction.get('tenant.create')).toMatchObject({ target_id: tenant.body.id, after: { name: 'Audited' } });

    const everything = await call<AuditPage>('GET', '/admin/v1/audit?limit=1000');
    expect(everything.text).not.toContain(secret);
    expect(everything.text).not.toContain(hub.adminKey);
    const stored = await hub.hub.db.query<{ row: string }>('select row_to_json(audit_log)::text as row from audit_log');
    expect(stored.length).toBeGreaterThanOrEqual(8);
    for (const { row } of stored) {
      expect(row).not.toContain(secret);
      expect(row).not.toContain(hub.adminKey);
    }
  });

  it('records failed attempts with their status and error code', async () => {
    const missing = await call('PATCH', '/admin/v1/keys/key_does_not_exist', { name: 'x' });
    expect(missing.status).toBe(404);
    const invalid = await call('POST', '/admin/v1/tenants', { name: '' });
    expect(invalid.status).toBe(400);
    const unauthenticated = await fetch(`${hub.url}/admin/v1/tenants`, {
      method: 'POST',
      headers: { authorization: 'Bearer wrong', 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'nope' }),
    });
    expect(unauthenticated.status).toBe(401);

    const updates = await audit('?action=key.update');
    const failed = updates.data.find((entry) => entry.target_id === 'key_does_not_exist');
    expect(failed).toMatchObject({ status: 404, before: null, after: null, error_code: expect.any(String) as string });
    const creations = (await audit('?action=tenant.create')).data;
    expect(creations.some((entry) => entry.status === 400 && entry.after === null)).toBe(true);
    // An unauthenticated caller must not be able to fill the table.
    expect(creations.every((entry: AuditEntry) => entry.status !== 401)).toBe(true);
  });

  it('filters by action and time and pages with a cursor', async () => {
    const tenant = await call<Tenant>('POST', '/admin/v1/tenants', { name: 'Paged' });
    for (let index = 0; index < 5; index++) await call('POST', '/admin/v1/projects', { tenant_id: tenant.body.id, name: `p${index}` });

    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: AuditPage = await audit(`?tenant_id=${tenant.body.id}&action=project.create&limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      seen.push(...page.data.map((entry) => (entry.after as { name: string }).name));
      expect(page.has_more).toBe(page.next_cursor !== null);
      cursor = page.next_cursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen).toEqual(['p4', 'p3', 'p2', 'p1', 'p0']);

    const future = new Date(Date.now() + 60_000).toISOString();
    expect((await audit(`?tenant_id=${tenant.body.id}&from=${future}`)).data).toHaveLength(0);
    expect((await audit(`?tenant_id=${tenant.body.id}&to=${future}`)).data).toHaveLength(6);
    expect((await call('GET', '/admin/v1/audit?cursor=bogus')).status).toBe(400);
    expect((await call('GET', '/admin/v1/audit?action=DROP TABLE')).status).toBe(400);
  });
});
