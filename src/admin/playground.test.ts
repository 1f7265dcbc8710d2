/**
 * The console playground's server side against a real hub: a signed-in person gets a personal
 * "console playground" key (one live at a time), streams a reply with it, and finds that reply's ledger
 * row by its `x-request-id`; roles that may not call models and service keys are refused; and the
 * playground key is never the key the person's agent runs are billed to.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Answer, call, createPerson, errorCode, type Person, SCRIPTED_CONFIG, waitFor } from '../../test/inbox/inbox-support.js';
import { createKey, createTenant, ledgerRow } from '../../test/support/economy.js';
import { startTestHub, type TestHub } from '../../test/support/hub.js';
import type { LedgerRow, PlaygroundKey } from './contract.js';

const PASSWORD = 'correct horse battery staple';

interface Member extends Person {
  cookie: string;
  csrf: string;
}

let hub: TestHub;
let tenantId: string;
const people = {} as Record<'owner' | 'developer' | 'operator' | 'viewer', Member>;
let otherOwner: Member;

async function member(tenant: string, role: string, email: string): Promise<Member> {
  const person = await createPerson(hub, tenant, role, email, PASSWORD);
  const answer = await call(hub, 'POST', '/v1/auth/login', { email, password: PASSWORD }, null);
  expect(answer.status, JSON.stringify(answer.body)).toBe(200);
  const cookie = /^tokenhub_session=([^;]+)/.exec(answer.headers.get('set-cookie') ?? '')?.[1];
  return { ...person, cookie: `tokenhub_session=${cookie}`, csrf: String(answer.body.csrf_token) };
}

const asSession = (who: Member, method: string, path: string, body?: unknown, csrf = true): Promise<Answer> =>
  call(hub, method, path, body, null, { cookie: who.cookie, ...(method !== 'GET' && csrf ? { 'x-csrf-token': who.csrf } : {}) });

const mint = async (who: Member): Promise<PlaygroundKey> => {
  const answer = await asSession(who, 'POST', '/v1/playground/key');
  expect(answer.status, JSON.stringify(answer.body)).toBe(201);
  return answer.body as unknown as PlaygroundKey;
};

/** A streamed chat completion with usage, read to the end: its text and `x-request-id`. */
async function stream(key: string, content: string): Promise<{ status: number; text: string; requestId: string | null }> {
  const response = await fetch(`${hub.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      model: 'scripted',
      stream: true,
      stream_options: { include_usage: true },
      messages: [{ role: 'user', content }],
    }),
  });
  const body = await response.text();
  const text = body
    .split('\n')
    .filter((line) => line.startsWith('data: {'))
    .map((line) => (JSON.parse(line.slice(6)) as { choices: { delta?: { content?: string } }[] }).choices[0]?.delta?.content ?? '')
    .join('');
  return { status: response.status, text, requestId: response.headers.get('x-request-id') };
}

beforeAll(async () => {
  hub = await startTestHub(SCRIPTED_CONFIG);
  hub.hub.scripted('script').setScript([{ text: 'Hello from the playground.', repeat: true }]);
  tenantId = (await createTenant(hub, 'playground')).id;
  for (const role of ['owner', 'developer', 'operator', 'viewer'] as const)
    people[role] = await member(tenantId, role, `${role}@play.test`);
  otherOwner = await member((await createTenant(hub, 'elsewhere')).id, 'owner', 'owner@elsewhere.test');
});

afterAll(async () => {
  await hub?.close();
});

describe('the playground key', () => {
  it('gives a signed-in owner a personal key of their own, which calls the models and replaces the previous one', async () => {
    const first = await mint(people.owner);
    expect(first).toMatchObject({ object: 'playground_key', name: 'console playground', scopes: ['inference'], revoked: 0 });
    expect(first.key.startsWith(first.key_prefix)).toBe(true);
    expect((await call(hub, 'GET', '/v1/models', undefined, first.key)).status).toBe(200);
    const me = await call(hub, 'GET', '/v1/me', undefined, first.key);
    expect(JSON.stringify(me.body)).toContain(people.owner.id);

    const second = await mint(people.owner);
    expect(second.revoked).toBe(1);
    expect((await call(hub, 'GET', '/v1/models', undefined, first.key)).status).toBe(401);
    expect((await call(hub, 'GET', '/v1/models', undefined, second.key)).status).toBe(200);
    // The person's first personal key is untouched.
    expect((await call(hub, 'GET', '/v1/models', undefined, people.owner.key)).status).toBe(200);
  });

  it('is given to developers too, and refused to roles that may not call models, to service keys and without the CSRF token', async () => {
    expect((await mint(people.developer)).scopes).toEqual(['inference']);
    for (const role of ['operator', 'viewer'] as const) {
      const refused = await asSession(people[role], 'POST', '/v1/playground/key');
      expect([role, refused.status, errorCode(refused)]).toEqual([role, 403, 'permission_denied']);
    }
    const serviceKey = (await createKey(hub, { tenant_id: tenantId, scopes: ['inference'] })).key;
    const service = await call(hub, 'POST', '/v1/playground/key', undefined, serviceKey);
    expect([service.status, errorCode(service)]).toEqual([403, 'person_required']);
    const noCsrf = await asSession(people.owner, 'POST', '/v1/playground/key', undefined, false);
    expect(noCsrf.status).toBe(403);
    expect((await call(hub, 'POST', '/v1/playground/key', undefined, null)).status).toBe(401);
  });

  it("is never the key the person's agent runs are billed to", async () => {
    const agent = await asSession(people.owner, 'POST', '/v1/agents', { name: 'helper', model: 'scripted', instructions: 'Help.' });
    expect(agent.status, JSON.stringify(agent.body)).toBe(201);
    const playground = await mint(people.owner);
    const run = await asSession(people.owner, 'POST', '/v1/agents/helper/runs', { input: 'hello' });
    expect(run.status, JSON.stringify(run.body)).toBe(200);
    await hub.hub.economy.flush();
    const rows = await call(hub, 'GET', `/admin/v1/ledger?tenant_id=${tenantId}&limit=1000`, undefined, hub.adminKey);
    const billed = (rows.body.data as LedgerRow[]).filter((row) => row.run_id === String(run.body.id));
    expect(billed.length).toBeGreaterThan(0);
    for (const row of billed) expect(row.key_id).not.toBe(playground.key_id);
  });
});

describe('the cost of a reply', () => {
  it("is the ledger row of the request, found with the session by the reply's x-request-id", async () => {
    const { key } = await mint(people.owner);
    const reply = await stream(key, 'What does it cost?');
    expect(reply).toMatchObject({ status: 200, text: 'Hello from the playground.' });
    const requestId = String(reply.requestId);
    const row = await waitFor('the ledger row', async () => {
      const answer = await asSession(people.owner, 'GET', `/v1/ledger?request_id=${requestId}&limit=1`);
      expect(answer.status).toBe(200);
      return (answer.body.data as LedgerRow[])[0];
    });
    expect(row).toEqual(await ledgerRow(hub, requestId));
    expect(row).toMatchObject({ request_id: requestId, model_served: 'scripted', stream: true, price_known: true, status: 200 });
    expect(row.cost_usd).toMatch(/^\d+\.\d+$/);
    expect(row.completion_tokens).toBeGreaterThan(0);
    // Billed to the playground key, the person's own.
    const keys = await call(hub, 'GET', `/admin/v1/keys?tenant_id=${tenantId}`, undefined, hub.adminKey);
    const billed = (keys.body.data as { id: string; user_id: string | null; name: string | null }[]).find(
      (candidate) => candidate.id === row.key_id,
    );
    expect(billed).toMatchObject({ user_id: people.owner.id, name: 'console playground' });
    // Another tenant's owner finds nothing under that id.
    const elsewhere = await asSession(otherOwner, 'GET', `/v1/ledger?request_id=${requestId}`);
    expect(elsewhere.body.data).toEqual([]);
  });
});
