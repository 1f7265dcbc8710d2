/**
 * People signing in over HTTP: email + password to an HttpOnly, SameSite=Strict session cookie whose writes
 * need the CSRF token; wrong credentials, the per-account lockout, disabled users and role changes; the
 * password never shown, logged or audited; and a tenant never left without an owner.
 */
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Answer, call, createPerson, errorCode, type Json, type Person, SCRIPTED_CONFIG } from '../inbox/inbox-support.js';
import { createTenant } from '../support/economy.js';
import { startTestHub, type TestHub } from '../support/hub.js';

const PASSWORD = 'correct horse battery staple';

let hub: TestHub;
let tenantId: string;
let owner: Person;
/** Every line the hub logged. */
const logLines: string[] = [];
/** Every response body this file received. */
const responses: string[] = [];

/** `call`, remembering the response body. */
async function request(
  method: string,
  path: string,
  body: unknown,
  key: string | null,
  headers: Record<string, string> = {},
): Promise<Answer> {
  const answer = await call(hub, method, path, body, key, headers);
  responses.push(JSON.stringify(answer.body));
  return answer;
}

const asAdmin = (method: string, path: string, body?: unknown): Promise<Answer> => request(method, path, body, hub.adminKey);

interface Session {
  cookie: string;
  csrf: string;
  answer: Answer;
}

async function login(email: string, password: string): Promise<Answer> {
  return request('POST', '/v1/auth/login', { email, password }, null);
}

async function signIn(email: string, password: string): Promise<Session> {
  const answer = await login(email, password);
  expect(answer.status, JSON.stringify(answer.body)).toBe(200);
  const setCookie = answer.headers.get('set-cookie') ?? '';
  const value = /^tokenhub_session=([^;]+)/.exec(setCookie)?.[1];
  expect(value).toBeTruthy();
  return { cookie: `tokenhub_session=${value}`, csrf: String(answer.body.csrf_token), answer };
}

/** Every key of a JSON value, at any depth. */
function keysOf(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(keysOf);
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([key, inner]) => [key, ...keysOf(inner)]);
}

beforeAll(async () => {
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logLines.push(
        ...chunk
          .toString()
          .split('\n')
          .filter((line) => line.length > 0),
      );
      done();
    },
  });
  hub = await startTestHub(SCRIPTED_CONFIG, { logger: pino({ level: 'trace' }, sink) });
  tenantId = (await createTenant(hub, 'sessions')).id;
  owner = await createPerson(hub, tenantId, 'owner', 'owner@sessions.test', PASSWORD);
});

afterAll(async () => {
  await hub?.close();
});

describe('signing in', () => {
  it('starts an HttpOnly, SameSite=Strict session whose writes need the CSRF token, until logout', async () => {
    const session = await signIn(owner.email, PASSWORD);
    const setCookie = session.answer.headers.get('set-cookie') ?? '';
    const attributes = setCookie
      .split(';')
      .slice(1)
      .map((attribute) => attribute.trim().toLowerCase());
    expect(attributes).toEqual(expect.arrayContaining(['httponly', 'samesite=strict', 'path=/']));
    expect(session.answer.headers.get('cache-control')).toBe('no-store');
    expect(session.csrf.length).toBeGreaterThanOrEqual(32);
    const user = session.answer.body.user as Json;
    expect(user).toMatchObject({ id: owner.id, email: owner.email, role: 'owner', has_password: true, disabled: false });
    expect(keysOf(session.answer.body).filter((key) => /hash|^password/i.test(key))).toEqual([]);
    expect(JSON.stringify(session.answer.body)).not.toContain('scrypt');

    const me = await request('GET', '/v1/me', undefined, null, { cookie: session.cookie });
    expect(me.status, JSON.stringify(me.body)).toBe(200);
    expect(me.body).toMatchObject({ kind: 'user', via: 'session', tenant_id: tenantId, key_id: null, user: { id: owner.id } });

    const colleague = await createPerson(hub, tenantId, 'viewer', 'colleague@sessions.test');
    const rename = (headers: Record<string, string>) =>
      request('PATCH', `/v1/users/${colleague.id}`, { name: 'Renamed' }, null, { cookie: session.cookie, ...headers });
    const bare = await rename({});
    expect([bare.status, errorCode(bare)]).toEqual([403, 'csrf_token_invalid']);
    const wrong = await rename({ 'x-csrf-token': `${session.csrf.slice(0, -2)}xx` });
    expect([wrong.status, errorCode(wrong)]).toEqual([403, 'csrf_token_invalid']);
    const empty = await rename({ 'x-csrf-token': '' });
    expect([empty.status, errorCode(empty)]).toEqual([403, 'csrf_token_invalid']);
    const right = await rename({ 'x-csrf-token': session.csrf });
    expect(right.status, JSON.stringify(right.body)).toBe(200);
    expect(right.body).toMatchObject({ id: colleague.id, name: 'Renamed' });

    const claim = (headers: Record<string, string>) =>
      request('POST', '/v1/inbox/tasks/x/claim', {}, null, { cookie: session.cookie, ...headers });
    const unguarded = await claim({});
    expect([unguarded.status, errorCode(unguarded)]).toEqual([403, 'csrf_token_invalid']);
    const guarded = await claim({ 'x-csrf-token': session.csrf });
    expect(guarded.status).not.toBe(403);
    expect([guarded.status, errorCode(guarded)]).toEqual([404, 'task_not_found']);
    // Reads need no token.
    expect((await request('GET', '/v1/users', undefined, null, { cookie: session.cookie })).status).toBe(200);

    // Another session's token does not fit this one.
    const other = await signIn(owner.email, PASSWORD);
    const crossed = await rename({ 'x-csrf-token': other.csrf });
    expect([crossed.status, errorCode(crossed)]).toEqual([403, 'csrf_token_invalid']);

    const unsignedLogout = await request('POST', '/v1/auth/logout', undefined, null, { cookie: session.cookie });
    expect(unsignedLogout.status).toBe(403);
    const logout = await request('POST', '/v1/auth/logout', undefined, null, { cookie: session.cookie, 'x-csrf-token': session.csrf });
    expect(logout.status).toBe(204);
    expect(logout.headers.get('set-cookie')).toMatch(/^tokenhub_session=;.*Max-Age=0/i);
    const after = await request('GET', '/v1/me', undefined, null, { cookie: session.cookie });
    expect([after.status, errorCode(after)]).toEqual([401, 'session_expired']);
    const write = await rename({ 'x-csrf-token': session.csrf });
    expect(write.status).toBe(401);
    // The other session lives on.
    expect((await request('GET', '/v1/me', undefined, null, { cookie: other.cookie })).status).toBe(200);
  });

  it('refuses a wrong password and an unknown email alike, and locks the account after five failures', async () => {
    const person = await createPerson(hub, tenantId, 'developer', 'dev@sessions.test', PASSWORD);
    const wrong = await login(person.email, 'not the password at all');
    const unknown = await login('nobody@sessions.test', PASSWORD);
    for (const answer of [wrong, unknown]) {
      expect([answer.status, errorCode(answer)]).toEqual([401, 'invalid_credentials']);
      expect(answer.headers.get('set-cookie')).toBeNull();
    }
    expect((unknown.body.error as Json).message).toBe((wrong.body.error as Json).message);

    // Four more wrong passwords make five; the sixth attempt is refused even with the right one.
    for (let attempt = 0; attempt < 4; attempt++) {
      const failed = await login(person.email, `wrong password ${attempt}`);
      expect([failed.status, errorCode(failed)]).toEqual([401, 'invalid_credentials']);
    }
    const locked = await login(person.email, PASSWORD);
    expect([locked.status, errorCode(locked)]).toEqual([429, 'login_rate_limited']);
    expect(locked.headers.get('set-cookie')).toBeNull();
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(0);
    // Other accounts sign in as before.
    expect((await login(owner.email, PASSWORD)).status).toBe(200);
  });

  it('keeps a disabled user out, by password, session and key', async () => {
    const person = await createPerson(hub, tenantId, 'developer', 'leaver@sessions.test', PASSWORD);
    const session = await signIn(person.email, PASSWORD);
    expect((await request('GET', '/v1/agents', undefined, person.key)).status).toBe(200);

    const disabled = await asAdmin('PATCH', `/admin/v1/users/${person.id}`, { disabled: true });
    expect(disabled.status, JSON.stringify(disabled.body)).toBe(200);
    expect(disabled.body).toMatchObject({ disabled: true });

    const again = await login(person.email, PASSWORD);
    expect([again.status, errorCode(again)]).toEqual([401, 'invalid_credentials']);
    expect((await request('GET', '/v1/me', undefined, null, { cookie: session.cookie })).status).toBe(401);
    const byKey = await request('GET', '/v1/agents', undefined, person.key);
    expect(byKey.status, JSON.stringify(byKey.body)).toBe(401);
    expect((await request('GET', '/v1/me', undefined, person.key)).status).toBe(401);
  });

  it('applies a role change to the personal key at once', async () => {
    const person = await createPerson(hub, tenantId, 'developer', 'mover@sessions.test');
    const agent = (name: string) => request('POST', '/v1/agents', { name, model: 'scripted', instructions: 'Be brief.' }, person.key);
    expect((await agent('before-change')).status).toBe(201);
    expect((await request('GET', '/v1/models', undefined, person.key)).status).toBe(200);

    const changed = await request('PATCH', `/v1/users/${person.id}`, { role: 'viewer' }, owner.key);
    expect(changed.status, JSON.stringify(changed.body)).toBe(200);
    expect(changed.body).toMatchObject({ role: 'viewer' });

    const refused = await agent('after-change');
    expect([refused.status, errorCode(refused)]).toEqual([403, 'permission_denied']);
    expect((await request('GET', '/v1/models', undefined, person.key)).status).toBe(403);
    expect((await request('GET', '/v1/agents', undefined, person.key)).status).toBe(200);
    const me = await request('GET', '/v1/me', undefined, person.key);
    expect(me.body).toMatchObject({ user: { role: 'viewer' } });
    expect(me.body.permissions).not.toContain('agents:write');
  });

  it('never shows, logs or audits a password', async () => {
    const secrets = ['first password 4f9a1c', 'second password 8b2e7d', 'third password 3c6f0a', 'a wrong one 9e1d4b'];
    const [first, second, third, wrong] = secrets as [string, string, string, string];
    const byAdmin = await asAdmin('POST', '/admin/v1/users', {
      tenant_id: tenantId,
      email: 'secretive@sessions.test',
      name: 'Secretive',
      role: 'operator',
      password: first,
    });
    expect(byAdmin.status, JSON.stringify(byAdmin.body)).toBe(201);
    const byOwner = await request(
      'POST',
      '/v1/users',
      { email: 'private@sessions.test', name: 'Private', role: 'viewer', password: second },
      owner.key,
    );
    expect(byOwner.status, JSON.stringify(byOwner.body)).toBe(201);
    for (const created of [byAdmin, byOwner]) expect(created.body).toMatchObject({ has_password: true });
    const changed = await request('PATCH', `/v1/users/${String(byOwner.body.id)}`, { password: third }, owner.key);
    expect(changed.status, JSON.stringify(changed.body)).toBe(200);
    const tooShort = await request('PATCH', `/v1/users/${String(byOwner.body.id)}`, { password: 'short' }, owner.key);
    expect(tooShort.status).toBe(400);

    await signIn('secretive@sessions.test', first);
    await signIn('private@sessions.test', third);
    expect((await login('private@sessions.test', second)).status).toBe(401);
    expect((await login('secretive@sessions.test', wrong)).status).toBe(401);

    const audit = await asAdmin('GET', `/admin/v1/audit?tenant_id=${tenantId}&limit=500`);
    expect(audit.status, JSON.stringify(audit.body)).toBe(200);
    const rows = audit.body.data as Json[];
    expect(rows.map((row) => row.action)).toEqual(expect.arrayContaining(['users.create', 'users.update', 'auth.login']));
    const everyAudit = await asAdmin('GET', '/admin/v1/audit?limit=500');

    // The logs did capture the requests, so their silence about passwords means something.
    expect(logLines.some((line) => line.includes('/v1/auth/login'))).toBe(true);
    const places: [string, string[]][] = [
      ['logs', logLines],
      ['responses', responses],
      ['audit rows', [JSON.stringify(rows), JSON.stringify(everyAudit.body)]],
    ];
    for (const secret of [...secrets, PASSWORD, 'short']) {
      for (const [where, texts] of places) {
        if (secret === 'short' && where !== 'audit rows') continue;
        expect(
          texts.filter((text) => text.includes(secret)),
          `${where} mention "${secret}"`,
        ).toEqual([]);
      }
    }
    expect(rows.every((row) => !keysOf(row).includes('password'))).toBe(true);
  });
});

describe('sign-in attempts per address', () => {
  // After every other sign-in of this file: it spends this replica's per-address allowance for the minute.
  it('are limited, whatever the accounts tried', async () => {
    let refused: Answer | undefined;
    let attempts = 0;
    // At most 20 per minute; a minute that turns over mid-loop starts a fresh allowance, hence the margin.
    while (!refused && attempts < 45) {
      attempts += 1;
      const answer = await login(`stranger${attempts}@sessions.test`, 'any password at all');
      if (answer.status === 429) refused = answer;
      else expect([answer.status, errorCode(answer)]).toEqual([401, 'invalid_credentials']);
    }
    expect(refused, `no 429 after ${attempts} attempts`).toBeDefined();
    expect(errorCode(refused as Answer)).toBe('login_rate_limited');
    const right = await login(owner.email, PASSWORD);
    expect([right.status, errorCode(right)]).toEqual([429, 'login_rate_limited']);
  });
});

describe('owners', () => {
  it('keeps the last enabled owner of a tenant from being demoted or disabled', async () => {
    const lone = (await createTenant(hub, 'lone-owner')).id;
    const only = await createPerson(hub, lone, 'owner', 'only@lone.test');
    for (const change of [{ role: 'developer' }, { role: 'viewer' }, { disabled: true }]) {
      const byAdmin = await asAdmin('PATCH', `/admin/v1/users/${only.id}`, change);
      expect([JSON.stringify(change), byAdmin.status, errorCode(byAdmin)]).toEqual([JSON.stringify(change), 409, 'last_owner']);
      const bySelf = await request('PATCH', `/v1/users/${only.id}`, change, only.key);
      expect([JSON.stringify(change), bySelf.status, errorCode(bySelf)]).toEqual([JSON.stringify(change), 409, 'last_owner']);
    }
    expect((await request('GET', '/v1/me', undefined, only.key)).body).toMatchObject({ user: { role: 'owner', disabled: false } });

    // With a second owner, the first may step down; then the second is the last.
    const next = await createPerson(hub, lone, 'owner', 'next@lone.test');
    const stepped = await request('PATCH', `/v1/users/${only.id}`, { role: 'developer' }, only.key);
    expect(stepped.status, JSON.stringify(stepped.body)).toBe(200);
    const last = await asAdmin('PATCH', `/admin/v1/users/${next.id}`, { disabled: true });
    expect([last.status, errorCode(last)]).toEqual([409, 'last_owner']);
    // A disabled owner does not count: disable the new owner after promoting the first back, then the first is last.
    expect((await request('PATCH', `/v1/users/${only.id}`, { role: 'owner' }, next.key)).status).toBe(200);
    expect((await asAdmin('PATCH', `/admin/v1/users/${next.id}`, { disabled: true })).status).toBe(200);
    const lastAgain = await request('PATCH', `/v1/users/${only.id}`, { role: 'viewer' }, only.key);
    expect([lastAgain.status, errorCode(lastAgain)]).toEqual([409, 'last_owner']);
  });
});
