/**
 * The tenant's own keys, budgets, projects and audit log under `/v1`, against a real hub over HTTP: people
 * of each role signed in (cookie + CSRF token) or calling with their personal keys; a service key made
 * here serving the OpenAI client and held to a budget made here; another tenant's ids answered as
 * missing; and every change recorded in the one audit log, each tenant seeing only its own entries.
 */
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Answer, call, createPerson, errorCode, type Json, type Person, SCRIPTED_CONFIG } from '../../../test/inbox/inbox-support.js';
import { admin, createKey, createTenant } from '../../../test/support/economy.js';
import { startTestHub, type TestHub } from '../../../test/support/hub.js';
import type { ApiKey, AuditEntry, AuditPage, Budget, CreatedKey, Project } from '../contract.js';

const PASSWORD = 'correct horse battery staple';

interface Session {
  cookie: string;
  csrf: string;
}

/** A person of a tenant who can both sign in and call with their personal key. */
interface Member extends Person {
  session: Session;
}

let hub: TestHub;
let tenantA: string;
let tenantB: string;
const a = {} as Record<'owner' | 'developer' | 'operator' | 'viewer', Member>;
let ownerB: Member;

async function signIn(email: string): Promise<Session> {
  const answer = await call(hub, 'POST', '/v1/auth/login', { email, password: PASSWORD }, null);
  expect(answer.status, JSON.stringify(answer.body)).toBe(200);
  const cookie = /^tokenhub_session=([^;]+)/.exec(answer.headers.get('set-cookie') ?? '')?.[1];
  expect(cookie).toBeTruthy();
  return { cookie: `tokenhub_session=${cookie}`, csrf: String(answer.body.csrf_token) };
}

async function member(tenantId: string, role: string, email: string): Promise<Member> {
  const person = await createPerson(hub, tenantId, role, email, PASSWORD);
  return { ...person, session: await signIn(email) };
}

/** A call signed in with the session cookie, writes with the CSRF token. */
const asSession = (who: Member, method: string, path: string, body?: unknown): Promise<Answer> =>
  call(hub, method, path, body, null, {
    cookie: who.session.cookie,
    ...(method === 'GET' ? {} : { 'x-csrf-token': who.session.csrf }),
  });

/** A call with the person's personal key. */
const asKey = (who: Member | string, method: string, path: string, body?: unknown): Promise<Answer> =>
  call(hub, method, path, body, typeof who === 'string' ? who : who.key);

const expectStatus = (answer: Answer, status: number): Json => {
  expect(answer.status, JSON.stringify(answer.body)).toBe(status);
  return answer.body;
};

/** Every audit entry `who` sees on `/v1/audit`, walking the pages `limit` at a time. */
async function auditSeenBy(who: Member, limit = 50, filter = ''): Promise<AuditEntry[]> {
  const entries: AuditEntry[] = [];
  let cursor: string | null = null;
  do {
    const path = `/v1/audit?limit=${limit}${filter}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
    const page = expectStatus(await asSession(who, 'GET', path), 200) as unknown as AuditPage;
    expect(page.data.length).toBeLessThanOrEqual(limit);
    entries.push(...page.data);
    cursor = page.next_cursor;
    expect(page.has_more).toBe(cursor !== null);
  } while (cursor);
  return entries;
}

beforeAll(async () => {
  hub = await startTestHub(SCRIPTED_CONFIG);
  tenantA = (await createTenant(hub, 'scoped-a')).id;
  tenantB = (await createTenant(hub, 'scoped-b')).id;
  for (const role of ['owner', 'developer', 'operator', 'viewer'] as const) a[role] = await member(tenantA, role, `${role}@scoped-a.test`);
  ownerB = await member(tenantB, 'owner', 'owner@scoped-b.test');
  // Five people with passwords (scrypt) and a fresh database: slow on a busy two-core machine.
}, 180_000);

afterAll(async () => {
  await hub?.close();
});

describe('keys', () => {
  it("let an owner, signed in, create a service key of their tenant that serves the OpenAI client, and list it apart from people's keys", async () => {
    const created = expectStatus(
      await asSession(a.owner, 'POST', '/v1/keys', { name: 'backend', scopes: ['inference'], rate_limits: { rpm: 100 } }),
      201,
    ) as unknown as CreatedKey;
    expect(created).toMatchObject({ tenant_id: tenantA, name: 'backend', user_id: null, scopes: ['inference'], revoked_at: null });
    expect(created.key).toMatch(/^thk_/);

    hub.hub.scripted('script').setScript([{ text: 'Hello from the script.' }]);
    const client = new OpenAI({ apiKey: created.key, baseURL: hub.openaiBaseUrl, maxRetries: 0 });
    const completion = await client.chat.completions.create({ model: 'scripted', messages: [{ role: 'user', content: 'Say hello' }] });
    expect(completion.choices[0]?.message.content).toBe('Hello from the script.');

    const listed = expectStatus(await asSession(a.viewer, 'GET', '/v1/keys'), 200).data as ApiKey[];
    expect(listed.every((key) => key.tenant_id === tenantA)).toBe(true);
    expect(listed.find((key) => key.id === created.id)).toMatchObject({ user_id: null, name: 'backend' });
    // Each person's first key is theirs, and says so.
    for (const person of Object.values(a)) {
      expect(listed.filter((key) => key.user_id === person.id).length, person.email).toBeGreaterThanOrEqual(1);
    }
    expect(JSON.stringify(listed)).not.toContain(created.key);
    expect(expectStatus(await asKey(a.viewer, 'GET', `/v1/keys/${created.id}`), 200)).toMatchObject({ id: created.id, user_id: null });
    // The admin's list says the same.
    const adminView = await admin<{ data: ApiKey[] }>(hub, 'GET', `/admin/v1/keys?tenant_id=${tenantA}`);
    expect(adminView.data.find((key) => key.id === created.id)?.user_id).toBeNull();
    expect(adminView.data.find((key) => key.user_id === a.owner.id)).toBeTruthy();
  });

  it('let a viewer list keys but not create one, signed in or with their key', async () => {
    expectStatus(await asKey(a.viewer, 'GET', '/v1/keys'), 200);
    for (const answer of [
      await asSession(a.viewer, 'POST', '/v1/keys', { name: 'nope' }),
      await asKey(a.viewer, 'POST', '/v1/keys', { name: 'nope' }),
    ]) {
      expect(answer.status).toBe(403);
      expect(errorCode(answer)).toBe('permission_denied');
    }
    const names = (expectStatus(await asKey(a.viewer, 'GET', '/v1/keys'), 200).data as ApiKey[]).map((key) => key.name);
    expect(names).not.toContain('nope');
  });

  it('let a developer create, change and revoke service keys; a revoked key is refused at once', async () => {
    const created = expectStatus(
      await asKey(a.developer, 'POST', '/v1/keys', { name: 'ci', scopes: ['agents:run', 'inference'] }),
      201,
    ) as unknown as CreatedKey;
    expect(created).toMatchObject({ tenant_id: tenantA, user_id: null, scopes: ['agents:run', 'inference'] });

    const changed = expectStatus(
      await asSession(a.developer, 'PATCH', `/v1/keys/${created.id}`, { name: 'ci-2', models: ['scripted'] }),
      200,
    ) as unknown as ApiKey;
    expect(changed).toMatchObject({ id: created.id, name: 'ci-2', models: ['scripted'] });

    hub.hub.scripted('script').setScript([{ text: 'still here', repeat: true }]);
    expect(
      (await asKey(created.key, 'POST', '/v1/chat/completions', { model: 'scripted', messages: [{ role: 'user', content: 'hi' }] })).status,
    ).toBe(200);
    const revoked = expectStatus(await asSession(a.developer, 'DELETE', `/v1/keys/${created.id}`), 200) as unknown as ApiKey;
    expect(revoked.revoked_at).not.toBeNull();
    const refused = await asKey(created.key, 'POST', '/v1/chat/completions', {
      model: 'scripted',
      messages: [{ role: 'user', content: 'hi' }],
    });
    expect(refused.status).toBe(401);
  });

  it("let an operator revoke their own personal key only: not a service key, not another person's", async () => {
    const second = expectStatus(await asKey(a.operator, 'POST', `/v1/users/${a.operator.id}/keys`, { name: 'laptop' }), 201);
    const service = expectStatus(await asKey(a.developer, 'POST', '/v1/keys', { name: 'svc' }), 201) as unknown as CreatedKey;
    const keys = expectStatus(await asKey(a.operator, 'GET', '/v1/keys'), 200).data as ApiKey[];
    const viewersKey = keys.find((key) => key.user_id === a.viewer.id) as ApiKey;

    for (const [id, wanted] of [
      [service.id, 'service_keys:write'],
      [viewersKey.id, 'users:write'],
    ] as const) {
      const answer = await asSession(a.operator, 'DELETE', `/v1/keys/${id}`);
      expect([id, answer.status, errorCode(answer)]).toEqual([id, 403, 'permission_denied']);
      expect(String((answer.body.error as Json).message)).toContain(wanted);
    }
    // A developer manages service keys, not people: someone else's personal key is refused them too.
    expect((await asKey(a.developer, 'DELETE', `/v1/keys/${viewersKey.id}`)).status).toBe(403);
    // A personal key is never edited: its scopes follow the role.
    const edit = await asKey(a.developer, 'PATCH', `/v1/keys/${viewersKey.id}`, { scopes: ['agents:write'] });
    expect([edit.status, errorCode(edit)]).toEqual([403, 'personal_key_not_editable']);

    const revoked = expectStatus(await asSession(a.operator, 'DELETE', `/v1/keys/${String(second.id)}`), 200) as unknown as ApiKey;
    expect(revoked).toMatchObject({ id: second.id, user_id: a.operator.id });
    expect(revoked.revoked_at).not.toBeNull();
    const after = expectStatus(await asKey(a.operator, 'GET', '/v1/keys'), 200).data as ApiKey[];
    expect(after.find((key) => key.id === service.id)?.revoked_at).toBeNull();
    expect(after.find((key) => key.id === viewersKey.id)?.revoked_at).toBeNull();
    // The operator's first key still works.
    expectStatus(await asKey(a.operator, 'GET', '/v1/keys'), 200);
  });

  it('refuse a key with scopes or a budget beyond what the creator may do themselves', async () => {
    const budgeted = await asKey(a.developer, 'POST', '/v1/keys', { name: 'rich', budget: { limit_usd: '5', period: 'month' } });
    expect([budgeted.status, errorCode(budgeted)]).toEqual([403, 'permission_denied']);
    expect(String((budgeted.body.error as Json).message)).toContain('budgets:write');
    const withBudget = expectStatus(
      await asKey(a.owner, 'POST', '/v1/keys', { name: 'rich', budget: { limit_usd: '5', period: 'month' } }),
      201,
    ) as unknown as CreatedKey;
    expect(withBudget.budget).toMatchObject({ scope: 'key', key_id: withBudget.id, tenant_id: tenantA, limit_usd: '5.00' });
  });
});

describe('budgets', () => {
  it('made through /v1/budgets hold the key: a request past the limit is refused with the budget error, a raised limit lets it through', async () => {
    const service = expectStatus(await asSession(a.owner, 'POST', '/v1/keys', { name: 'metered' }), 201) as unknown as CreatedKey;
    const budget = expectStatus(
      await asSession(a.owner, 'POST', '/v1/budgets', { scope: 'key', key_id: service.id, limit_usd: '0.00005', period: 'total' }),
      201,
    ) as unknown as Budget;
    expect(budget).toMatchObject({ scope: 'key', tenant_id: tenantA, key_id: service.id, limit_usd: '0.00005', spent_usd: '0.00' });

    const client = new OpenAI({ apiKey: service.key, baseURL: hub.openaiBaseUrl, maxRetries: 0 });
    hub.hub.scripted('script').setScript([{ text: 'fits', repeat: true }]);
    const fits = await client.chat.completions.create({ model: 'scripted', messages: [{ role: 'user', content: 'hi' }], max_tokens: 5 });
    expect(fits.choices[0]?.message.content).toBe('fits');

    const tooMuch = () =>
      client.chat.completions.create({ model: 'scripted', messages: [{ role: 'user', content: 'hi' }], max_tokens: 1000 });
    const refusal = await tooMuch().catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(OpenAI.APIError);
    expect(refusal).toMatchObject({ status: 402, code: 'budget_exceeded' });

    await hub.hub.economy.flush();
    const spent = expectStatus(await asKey(a.viewer, 'GET', `/v1/budgets/${budget.id}`), 200) as unknown as Budget;
    expect(spent.spent_usd).not.toBe('0.00');
    const listed = expectStatus(await asKey(a.viewer, 'GET', `/v1/budgets?key_id=${service.id}`), 200).data as Budget[];
    expect(listed.map((row) => row.id)).toEqual([budget.id]);

    const raised = expectStatus(
      await asSession(a.owner, 'PATCH', `/v1/budgets/${budget.id}`, { limit_usd: '1' }),
      200,
    ) as unknown as Budget;
    expect(raised.limit_usd).toBe('1.00');
    expect((await tooMuch()).choices[0]?.message.content).toBe('fits');
    expect(expectStatus(await asSession(a.owner, 'DELETE', `/v1/budgets/${budget.id}`), 200)).toEqual({ id: budget.id, deleted: true });
    expect((await asKey(a.viewer, 'GET', `/v1/budgets/${budget.id}`)).status).toBe(404);
  });

  it('are read with usage:read and changed by owners only', async () => {
    expectStatus(await asKey(a.viewer, 'GET', '/v1/budgets'), 200);
    const operatorRead = await asKey(a.operator, 'GET', '/v1/budgets');
    expect([operatorRead.status, errorCode(operatorRead)]).toEqual([403, 'permission_denied']);
    const developerWrite = await asKey(a.developer, 'POST', '/v1/budgets', { scope: 'tenant', limit_usd: '10', period: 'month' });
    expect([developerWrite.status, errorCode(developerWrite)]).toEqual([403, 'permission_denied']);
    const tenantBudget = expectStatus(
      await asKey(a.owner, 'POST', '/v1/budgets', { scope: 'tenant', limit_usd: '100', period: 'month' }),
      201,
    ) as unknown as Budget;
    expect(tenantBudget).toMatchObject({ scope: 'tenant', tenant_id: tenantA, project_id: null, key_id: null });
    expectStatus(await asKey(a.owner, 'DELETE', `/v1/budgets/${tenantBudget.id}`), 200);
  });
});

describe('projects', () => {
  it("are the caller's tenant's: listed with projects:read, created by owners", async () => {
    const created = expectStatus(await asSession(a.owner, 'POST', '/v1/projects', { name: 'Mobile app' }), 201) as unknown as Project;
    expect(created).toMatchObject({ tenant_id: tenantA, name: 'Mobile app' });
    const listed = expectStatus(await asKey(a.operator, 'GET', '/v1/projects'), 200).data as Project[];
    expect(listed.map((project) => project.id)).toContain(created.id);
    expect(listed.every((project) => project.tenant_id === tenantA)).toBe(true);
    const refused = await asKey(a.developer, 'POST', '/v1/projects', { name: 'Not mine to make' });
    expect([refused.status, errorCode(refused)]).toEqual([403, 'permission_denied']);

    const inProject = expectStatus(await asKey(a.developer, 'POST', '/v1/keys', { name: 'mobile', project_id: created.id }), 201);
    expect(inProject.project_id).toBe(created.id);
    const filtered = expectStatus(await asKey(a.viewer, 'GET', `/v1/keys?project_id=${created.id}`), 200).data as ApiKey[];
    expect(filtered.map((key) => key.id)).toEqual([inProject.id]);
  });
});

describe('bad requests', () => {
  it('refuse a tenant_id, in a body or a query, with a 400 naming it, and create nothing', async () => {
    const before = (await admin<{ data: ApiKey[] }>(hub, 'GET', `/admin/v1/keys?tenant_id=${tenantB}`)).data.length;
    for (const [method, path, body] of [
      ['POST', '/v1/keys', { tenant_id: tenantB, name: 'smuggled' }],
      ['POST', '/v1/keys', { tenant_id: tenantA, name: 'own tenant named' }],
      ['POST', '/v1/budgets', { tenant_id: tenantB, scope: 'tenant', limit_usd: '1', period: 'day' }],
      ['POST', '/v1/projects', { tenant_id: tenantB, name: 'smuggled' }],
      ['GET', `/v1/keys?tenant_id=${tenantB}`, undefined],
      ['GET', `/v1/budgets?tenant_id=${tenantB}`, undefined],
      ['GET', `/v1/audit?tenant_id=${tenantB}`, undefined],
    ] as const) {
      const answer = await asSession(a.owner, method, path, body);
      expect([method, path, answer.status, (answer.body.error as Json | undefined)?.param]).toEqual([method, path, 400, 'tenant_id']);
    }
    expect((await admin<{ data: ApiKey[] }>(hub, 'GET', `/admin/v1/keys?tenant_id=${tenantB}`)).data.length).toBe(before);
    const names = (expectStatus(await asKey(a.owner, 'GET', '/v1/keys'), 200).data as ApiKey[]).map((key) => key.name);
    expect(names).not.toContain('smuggled');
    expect(names).not.toContain('own tenant named');
  });

  it('answer bad fields with a 400 naming them', async () => {
    for (const [path, body, param] of [
      ['/v1/keys', { scopes: ['root'] }, 'scopes.0'],
      ['/v1/keys', { name: 'x', extra: true }, null],
      ['/v1/budgets', { scope: 'tenant', limit_usd: '-1', period: 'day' }, 'limit_usd'],
      ['/v1/budgets', { scope: 'project', limit_usd: '1', period: 'day' }, 'project_id'],
      ['/v1/projects', { name: '' }, 'name'],
    ] as const) {
      const answer = await asKey(a.owner, 'POST', path, body);
      expect([path, answer.status, (answer.body.error as Json | undefined)?.param]).toEqual([path, 400, param]);
    }
    expect((await asKey(a.owner, 'GET', '/v1/keys/not%00an-id')).status).toBe(400);
  });

  it('refuse a signed-in write without the CSRF token, and do nothing', async () => {
    for (const [method, path, body] of [
      ['POST', '/v1/keys', { name: 'forged' }],
      ['POST', '/v1/projects', { name: 'forged' }],
      ['POST', '/v1/budgets', { scope: 'tenant', limit_usd: '1', period: 'day' }],
    ] as const) {
      const answer = await call(hub, method, path, body, null, { cookie: a.owner.session.cookie });
      expect([path, answer.status, errorCode(answer)]).toEqual([path, 403, 'csrf_token_invalid']);
    }
    const names = (expectStatus(await asKey(a.owner, 'GET', '/v1/keys'), 200).data as ApiKey[]).map((key) => key.name);
    expect(names).not.toContain('forged');
    const projects = expectStatus(await asKey(a.owner, 'GET', '/v1/projects'), 200).data as Project[];
    expect(projects.map((project) => project.name)).not.toContain('forged');
  });
});

describe('tenants', () => {
  it("answer another tenant's keys, budgets and projects as missing, and change nothing of them", async () => {
    const projectB = expectStatus(await asSession(ownerB, 'POST', '/v1/projects', { name: 'B secret project' }), 201) as unknown as Project;
    const keyB = expectStatus(await asSession(ownerB, 'POST', '/v1/keys', { name: 'b-key' }), 201) as unknown as CreatedKey;
    const budgetB = expectStatus(
      await asSession(ownerB, 'POST', '/v1/budgets', { scope: 'key', key_id: keyB.id, limit_usd: '3', period: 'day' }),
      201,
    ) as unknown as Budget;
    const budgetsOfB = async () => (await admin<{ data: Budget[] }>(hub, 'GET', `/admin/v1/budgets?tenant_id=${tenantB}`)).data;
    const beforeBudgets = await budgetsOfB();

    const missingKey = await asSession(a.owner, 'GET', `/v1/keys/nope_${keyB.id}`);
    const missing = { status: missingKey.status, body: missingKey.body };
    expect(missing.status).toBe(404);
    for (const [method, path, body] of [
      ['GET', `/v1/keys/${keyB.id}`, undefined],
      ['PATCH', `/v1/keys/${keyB.id}`, { name: 'mine now' }],
      ['DELETE', `/v1/keys/${keyB.id}`, undefined],
    ] as const) {
      const answer = await asSession(a.owner, method, path, body);
      expect([method, path, answer.status, errorCode(answer)]).toEqual([method, path, 404, 'key_not_found']);
      // Word for word what a missing key gets, but for the id it names.
      expect(JSON.stringify(answer.body).replace(keyB.id, 'ID')).toBe(JSON.stringify(missing.body).replace(`nope_${keyB.id}`, 'ID'));
    }
    for (const [method, path, body] of [
      ['GET', `/v1/budgets/${budgetB.id}`, undefined],
      ['PATCH', `/v1/budgets/${budgetB.id}`, { limit_usd: '9999' }],
      ['DELETE', `/v1/budgets/${budgetB.id}`, undefined],
    ] as const) {
      const answer = await asSession(a.owner, method, path, body);
      expect([method, path, answer.status, errorCode(answer)]).toEqual([method, path, 404, 'budget_not_found']);
    }
    for (const [body, code] of [
      [{ scope: 'project', project_id: projectB.id, limit_usd: '1', period: 'day' }, 'project_not_found'],
      [{ scope: 'key', key_id: keyB.id, limit_usd: '1', period: 'day' }, 'key_not_found'],
    ] as const) {
      const answer = await asSession(a.owner, 'POST', '/v1/budgets', body);
      expect([answer.status, errorCode(answer)]).toEqual([404, code]);
    }
    const keyInB = await asSession(a.owner, 'POST', '/v1/keys', { name: 'into B', project_id: projectB.id });
    expect([keyInB.status, errorCode(keyInB)]).toEqual([404, 'project_not_found']);

    const keysOfA = expectStatus(await asSession(a.owner, 'GET', `/v1/keys?project_id=${projectB.id}`), 200).data as ApiKey[];
    expect(keysOfA).toEqual([]);
    expect(expectStatus(await asSession(a.owner, 'GET', `/v1/budgets?key_id=${keyB.id}`), 200).data).toEqual([]);
    const projectsOfA = expectStatus(await asSession(a.owner, 'GET', '/v1/projects'), 200).data as Project[];
    expect(projectsOfA.map((project) => project.id)).not.toContain(projectB.id);

    // B's key, budget and project are as they were.
    expect(await budgetsOfB()).toEqual(beforeBudgets);
    const stillB = await admin<ApiKey>(hub, 'GET', `/admin/v1/keys/${keyB.id}`);
    expect(stillB).toMatchObject({ name: 'b-key', revoked_at: null });
    expect((await admin<{ data: ApiKey[] }>(hub, 'GET', `/admin/v1/keys?tenant_id=${tenantB}`)).data.map((key) => key.name)).not.toContain(
      'into B',
    );
  });

  it('refuse the admin key on the tenant routes: it has the admin API', async () => {
    const answer = await call(hub, 'GET', '/v1/keys', undefined, hub.adminKey);
    expect([answer.status, errorCode(answer)]).toEqual([403, 'virtual_key_required']);
  });
});

describe('the audit log', () => {
  it("shows an owner the admin's, their people's and their keys' actions on their tenant, and nothing of another's", async () => {
    // The admin acts on A (a key; an agent, whose later routes name the tenant in the query) and on no tenant at all.
    const adminKey = await createKey(hub, { tenant_id: tenantA, name: 'by-admin' });
    await admin(hub, 'POST', '/admin/v1/agents', { tenant_id: tenantA, name: 'helper', model: 'scripted', instructions: 'Help.' });
    const deleted = await fetch(`${hub.url}/admin/v1/agents/helper?tenant_id=${tenantA}`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${hub.adminKey}` },
    });
    expect(deleted.status).toBeLessThan(300);
    // A person of A revokes a key; a service key of A tries a write it may not make; B's owner acts in B.
    const revoked = expectStatus(await asSession(a.owner, 'DELETE', `/v1/keys/${adminKey.id}`), 200);
    const service = await createKey(hub, { tenant_id: tenantA, name: 'intruding-service', scopes: ['agents:write'] });
    const serviceTry = await asKey(service.key, 'POST', '/v1/projects', { name: 'by a service key' });
    expect(serviceTry.status).toBe(403);
    expectStatus(await asSession(ownerB, 'POST', '/v1/projects', { name: 'B only' }), 201);

    // Pages of 7 across more than 10 rows: the cursor must order by number (`10` after `9`), not as text.
    const entries = await auditSeenBy(a.owner, 7);
    expect(entries.length).toBeGreaterThan(10);
    expect(entries.every((entry) => entry.tenant_id === tenantA)).toBe(true);
    const ids = entries.map((entry) => entry.id);
    expect(new Set(ids).size).toBe(ids.length);

    const admins = entries.filter((entry) => entry.actor.startsWith('admin:'));
    expect(admins.map((entry) => entry.action)).toEqual(
      expect.arrayContaining(['user.create', 'key.create', 'agent.create', 'agent.delete']),
    );
    const revocation = entries.find((entry) => entry.action === 'key.revoke' && entry.target_id === adminKey.id);
    expect(revocation).toMatchObject({
      actor: `user:${a.owner.id}`,
      target_type: 'key',
      status: 200,
      method: 'DELETE',
      before: { id: adminKey.id, revoked_at: null },
      after: { id: adminKey.id, revoked_at: revoked.revoked_at },
    });
    const byPeople = entries.filter((entry) => entry.actor.startsWith('user:'));
    expect(byPeople.map((entry) => entry.action)).toEqual(
      expect.arrayContaining([
        'key.create',
        'key.update',
        'key.revoke',
        'budget.create',
        'budget.update',
        'budget.delete',
        'project.create',
      ]),
    );
    // Refused attempts are recorded with their status, a service key's under its id.
    expect(byPeople.some((entry) => entry.actor === `user:${a.viewer.id}` && entry.action === 'key.create' && entry.status === 403)).toBe(
      true,
    );
    expect(entries.find((entry) => entry.actor === `key:${service.id}`)).toMatchObject({
      action: 'project.create',
      status: 403,
      error_code: 'person_required',
    });
    // A new key's secret never reaches the log.
    expect(JSON.stringify(entries)).not.toMatch(/thk_[A-Za-z0-9]{20,}/);

    // B's owner sees B's actions and none of A's; A's sees none of B's.
    const seenByB = await auditSeenBy(ownerB);
    expect(seenByB.length).toBeGreaterThan(0);
    expect(seenByB.every((entry) => entry.tenant_id === tenantB)).toBe(true);
    expect(entries.some((entry) => JSON.stringify(entry).includes('B only'))).toBe(false);

    // The admin's filters work here too: by action, including the people's dotted actions.
    const creations = await auditSeenBy(a.owner, 100, '&action=key.create');
    expect(creations.length).toBeGreaterThan(0);
    expect(creations.every((entry) => entry.action === 'key.create')).toBe(true);
    expectStatus(await asSession(a.owner, 'GET', '/v1/audit?action=users.keys'), 200);
  });

  it('is for owners only (audit:read)', async () => {
    for (const role of ['developer', 'operator', 'viewer'] as const) {
      const answer = await asSession(a[role], 'GET', '/v1/audit');
      expect([role, answer.status, errorCode(answer)]).toEqual([role, 403, 'permission_denied']);
    }
  });
});
