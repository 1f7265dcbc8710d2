/**
 * Opt-in body retention against a real hub: off, a key's calls leave nothing behind; on (per key or per
 * project), the request and response of each call are kept redacted (an `sk-…` key, a bearer token, an
 * email in the prompt masked), a stream's text assembled, each body cut at its cap; the bodies are read
 * through the request log (its tenant only) and deleted by the retention sweep once expired.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, createPerson, errorCode, type Json, type Person, SCRIPTED_CONFIG, waitFor } from '../../test/inbox/inbox-support.js';
import { admin, createKey, createTenant } from '../../test/support/economy.js';
import { startTestHub, type TestHub } from '../../test/support/hub.js';
import type { AuditPage, BodyLogging, Project, RequestBodies } from './contract.js';

const DAY_MS = 86_400_000;
const SECRET = 'sk-proj-Zx9Qw8Er7Ty6Ui5Op4As3Df2';
const BEARER = 'eyJhbGciOiJIUzI1NiJ9abcdefgh12345678';
const PROMPT = `My key is ${SECRET}, call with Authorization: Bearer ${BEARER} and mail ada@example.com the answer.`;

let hub: TestHub;
let tenantA: string;
let tenantB: string;
let ownerA: Person;
let ownerB: Person;
let project: Project;
let plainKey: { id: string; key: string };
let keptKey: { id: string; key: string };
let projectKey: { id: string; key: string };

async function chat(key: string, content: string, reply: string, options: { stream?: boolean; path?: string } = {}): Promise<string> {
  hub.hub.scripted('script').setScript([{ text: reply, usage: { input_tokens: 20, output_tokens: 5 } }]);
  const anthropic = options.path === '/v1/messages';
  const response = await fetch(`${hub.url}${options.path ?? '/v1/chat/completions'}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      model: 'scripted',
      stream: options.stream ?? false,
      ...(anthropic ? { max_tokens: 100 } : {}),
      messages: [{ role: 'user', content }],
    }),
  });
  expect(response.status).toBe(200);
  await response.text();
  return response.headers.get('x-request-id') ?? '';
}

/** The kept bodies of a call, once the writer has them (it writes after the response, in batches). */
async function kept(requestId: string, key = hub.adminKey, base = '/admin/v1'): Promise<RequestBodies> {
  return waitFor(`the bodies of ${requestId}`, async () => {
    await hub.hub.economy.bodies.flush();
    const answer = await call(hub, 'GET', `${base}/ledger/${requestId}/body`, undefined, key);
    return answer.status === 200 ? (answer.body as unknown as RequestBodies) : undefined;
  });
}

async function storedCount(): Promise<number> {
  await hub.hub.economy.bodies.flush();
  const rows = await hub.hub.db.query<{ count: unknown }>('select count(*) as count from request_bodies');
  return Number(rows[0]?.count);
}

beforeAll(async () => {
  hub = await startTestHub(SCRIPTED_CONFIG);
  tenantA = (await createTenant(hub, 'bodies-a')).id;
  tenantB = (await createTenant(hub, 'bodies-b')).id;
  ownerA = await createPerson(hub, tenantA, 'owner', 'owner@bodies-a.test');
  ownerB = await createPerson(hub, tenantB, 'owner', 'owner@bodies-b.test');
  project = await admin<Project>(hub, 'POST', '/admin/v1/projects', { tenant_id: tenantA, name: 'kept' });
  const key = async (body: Json) => {
    const created = await createKey(hub, body);
    return { id: created.id, key: created.key };
  };
  plainKey = await key({ tenant_id: tenantA });
  keptKey = await key({ tenant_id: tenantA });
  projectKey = await key({ tenant_id: tenantA, project_id: project.id });
}, 240_000);

afterAll(async () => {
  await hub?.close();
});

describe('body retention', () => {
  it('off (the default): nothing of a call is stored', async () => {
    const setting = await admin<BodyLogging>(hub, 'GET', `/admin/v1/keys/${plainKey.id}/body-logging`);
    expect(setting).toMatchObject({
      setting: null,
      effective: { enabled: false, retention_days: null, source: null },
      max_body_bytes: 65_536,
    });
    const requestId = await chat(plainKey.key, PROMPT, 'Not kept.');
    const streamed = await chat(plainKey.key, PROMPT, 'Not kept either.', { stream: true });
    expect(await storedCount()).toBe(0);
    for (const id of [requestId, streamed]) {
      const answer = await call(hub, 'GET', `/admin/v1/ledger/${id}/body`, undefined, hub.adminKey);
      expect(answer.status).toBe(404);
      expect(errorCode(answer)).toBe('request_bodies_not_found');
    }
  });

  it('on for a key: the request and the response are kept, secrets in them masked', async () => {
    const turnedOn = await admin<BodyLogging>(hub, 'PUT', `/admin/v1/keys/${keptKey.id}/body-logging`, {
      enabled: true,
      retention_days: 7,
    });
    expect(turnedOn).toMatchObject({
      scope: 'key',
      id: keptKey.id,
      tenant_id: tenantA,
      setting: { enabled: true, retention_days: 7 },
      effective: { enabled: true, retention_days: 7, source: 'key' },
    });
    const requestId = await chat(keptKey.key, PROMPT, `Sure: ${SECRET} is noted.`);
    const bodies = await kept(requestId);
    expect(bodies).toMatchObject({
      request_id: requestId,
      tenant_id: tenantA,
      key_id: keptKey.id,
      response: { kind: 'json', truncated: false },
    });
    for (const text of [bodies.request.body, bodies.response.body]) {
      expect(text).not.toContain(SECRET);
      expect(text).not.toContain(BEARER);
      expect(text).not.toContain('ada@example.com');
    }
    const request = JSON.parse(bodies.request.body) as { model: string; messages: { content: string }[] };
    expect(request.model).toBe('scripted');
    expect(request.messages[0]?.content).toBe(
      'My key is [redacted:api-key], call with Authorization: Bearer [redacted:bearer] and mail [redacted:email] the answer.',
    );
    const response = JSON.parse(bodies.response.body) as { choices: { message: { content: string } }[] };
    expect(response.choices[0]?.message.content).toBe('Sure: [redacted:api-key] is noted.');
    expect(Date.parse(bodies.expires_at) - Date.parse(bodies.created_at)).toBe(7 * DAY_MS);
    // The tenant reads them through its request log; another tenant gets the same 404 as for no bodies at all.
    expect((await kept(requestId, ownerA.key, '/v1')).request.body).toBe(bodies.request.body);
    const other = await call(hub, 'GET', `/v1/ledger/${requestId}/body`, undefined, ownerB.key);
    expect(other.status).toBe(404);
    expect(errorCode(other)).toBe('request_bodies_not_found');
  });

  it('streams keep the text they carried, assembled (OpenAI and Anthropic)', async () => {
    const openai = await kept(await chat(keptKey.key, 'Stream it', 'Streamed reply, kept whole.', { stream: true }));
    expect(openai.response).toEqual({ kind: 'stream', truncated: false, body: 'Streamed reply, kept whole.' });
    const anthropic = await kept(await chat(keptKey.key, 'Stream it', 'Claude-shaped reply.', { stream: true, path: '/v1/messages' }));
    expect(anthropic.response).toEqual({ kind: 'stream', truncated: false, body: 'Claude-shaped reply.' });
    expect(JSON.parse(anthropic.request.body)).toMatchObject({ max_tokens: 100, stream: true });
  });

  it('each body is cut at its cap (64 KiB), and says so', async () => {
    const long = `${'lorem ipsum '.repeat(20_000)}`;
    const bodies = await kept(await chat(keptKey.key, long, 'Short answer.'));
    expect(bodies.request.truncated).toBe(true);
    expect(Buffer.byteLength(bodies.request.body)).toBeLessThanOrEqual(65_536);
    expect(bodies.request.body.startsWith('{"model":"scripted"')).toBe(true);
    expect(bodies.response.truncated).toBe(false);
  });

  it('per project: its keys keep their bodies unless a key opts out', async () => {
    await admin(hub, 'PUT', `/admin/v1/projects/${project.id}/body-logging`, { enabled: true, retention_days: 3 });
    const viaProject = await admin<BodyLogging>(hub, 'GET', `/admin/v1/keys/${projectKey.id}/body-logging`);
    expect(viaProject).toMatchObject({ setting: null, effective: { enabled: true, retention_days: 3, source: 'project' } });
    const first = await chat(projectKey.key, 'Project call', 'Kept for the project.');
    expect(Date.parse((await kept(first)).expires_at) - Date.parse((await kept(first)).created_at)).toBe(3 * DAY_MS);
    // A key's own `enabled: false` wins over its project's.
    await call(hub, 'PUT', `/v1/keys/${projectKey.id}/body-logging`, { enabled: false }, ownerA.key);
    const before = await storedCount();
    await chat(projectKey.key, 'Opted out', 'Not kept.');
    expect(await storedCount()).toBe(before);
    // Removing the key's own setting puts it back under the project's.
    const inherited = await call(hub, 'DELETE', `/v1/keys/${projectKey.id}/body-logging`, undefined, ownerA.key);
    expect(inherited.body).toMatchObject({ setting: null, effective: { enabled: true, source: 'project' } });
    await kept(await chat(projectKey.key, 'Back in', 'Kept again.'));
  });

  it('expired bodies are deleted by the retention sweep (time given to the sweep)', async () => {
    const requestId = await chat(keptKey.key, 'Keep me a week', 'Kept a week.');
    const bodies = await kept(requestId);
    const createdAt = Date.parse(bodies.created_at);
    // Six days on, the project's 3-day bodies (two calls) are gone; the key's 7-day ones stay.
    const total = await storedCount();
    expect(await hub.hub.economy.bodies.sweep(new Date(createdAt + 6 * DAY_MS))).toBe(2);
    expect((await call(hub, 'GET', `/admin/v1/ledger/${requestId}/body`, undefined, hub.adminKey)).status).toBe(200);
    // Past seven days, the rest.
    expect(await hub.hub.economy.bodies.sweep(new Date(createdAt + 7 * DAY_MS + 60_000))).toBe(total - 2);
    expect((await call(hub, 'GET', `/admin/v1/ledger/${requestId}/body`, undefined, hub.adminKey)).status).toBe(404);
    expect(await storedCount()).toBe(0);
  });

  it('settings: validated, tenant-bound, permission-checked and audited', async () => {
    const bad = await call(hub, 'PUT', `/admin/v1/keys/${keptKey.id}/body-logging`, { enabled: true, retention_days: 400 }, hub.adminKey);
    expect(bad.status).toBe(400);
    expect((bad.body.error as Json).param).toBe('retention_days');
    expect((await call(hub, 'PUT', `/v1/keys/${keptKey.id}/body-logging`, { enabled: true }, ownerB.key)).status).toBe(404);
    expect((await call(hub, 'GET', `/v1/projects/${project.id}/body-logging`, undefined, ownerB.key)).status).toBe(404);
    const viewer = await createPerson(hub, tenantA, 'viewer', 'viewer@bodies-a.test');
    const refused = await call(hub, 'PUT', `/v1/keys/${keptKey.id}/body-logging`, { enabled: false }, viewer.key);
    expect(refused.status).toBe(403);
    expect((await call(hub, 'GET', `/v1/keys/${keptKey.id}/body-logging`, undefined, viewer.key)).body).toMatchObject({
      effective: { enabled: true, retention_days: 7 },
    });
    const audit = await admin<AuditPage>(hub, 'GET', `/admin/v1/audit?tenant_id=${tenantA}&limit=100`);
    const actions = audit.data.map((entry) => `${entry.action} ${entry.target_id} ${entry.status}`);
    expect(actions).toContain(`key.body_logging ${keptKey.id} 200`);
    expect(actions).toContain(`project.body_logging ${project.id} 200`);
    expect(actions).toContain(`key.body_logging_clear ${projectKey.id} 200`);
    // The audit log's filters: by target, by actor.
    const byTarget = await admin<AuditPage>(hub, 'GET', `/admin/v1/audit?target_type=key&target_id=${keptKey.id}`);
    expect(byTarget.data.length).toBeGreaterThan(0);
    expect(byTarget.data.every((entry) => entry.target_type === 'key' && entry.target_id === keptKey.id)).toBe(true);
    const byOwner = await call(hub, 'GET', `/v1/audit?actor=user:${ownerA.id}`, undefined, ownerA.key);
    const ownerEntries = (byOwner.body as unknown as AuditPage).data;
    expect(ownerEntries.map((entry) => entry.action)).toContain('key.body_logging_clear');
    expect(ownerEntries.every((entry) => entry.actor === `user:${ownerA.id}`)).toBe(true);
    expect((await call(hub, 'GET', '/v1/audit?actor=nobody', undefined, ownerA.key)).status).toBe(400);
  });
});
