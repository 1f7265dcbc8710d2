/**
 * The request log's ledger over HTTP, against a real hub: each filter (`status`, `agent`, `run_id`,
 * `request_id`, with `model` and `key_id`) on `/admin/v1/ledger` and on the tenant's `/v1/ledger`; the
 * tenant's view holding only its own rows, by cursor and as a CSV export; another tenant's request id
 * answered as missing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Answer, call, createPerson, errorCode, type Json, type Person } from '../../../test/inbox/inbox-support.js';
import { admin, createKey, createTenant } from '../../../test/support/economy.js';
import { type ConfigInput, startTestHub, type TestHub } from '../../../test/support/hub.js';
import type { LedgerPage, LedgerRow } from '../contract.js';

let hub: TestHub;
let tenantA: string;
let tenantB: string;
let ownerA: Person;
let ownerB: Person;
let keyA1: { id: string; key: string };
let keyA2: { id: string; key: string };
let keyB: { id: string; key: string };
/** Request ids by what they were. */
const calls: Record<string, string> = {};
let agentRunId: string;

const CONFIG: ConfigInput = {
  providers: [{ id: 'script', type: 'scripted' }],
  models: [
    { name: 'scripted', targets: [{ provider: 'script', model: 'scripted' }], pricing: { input_per_mtok: 1, output_per_mtok: 2 } },
    { name: 'scripted-mini', targets: [{ provider: 'script', model: 'scripted' }], pricing: { input_per_mtok: 0.5, output_per_mtok: 1 } },
  ],
};

async function chat(key: string, model: string, step: Json, stream = false): Promise<string> {
  hub.hub.scripted('script').setScript([step as never]);
  const response = await fetch(`${hub.openaiBaseUrl}/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model, stream, messages: [{ role: 'user', content: 'Hello there' }] }),
  });
  await response.text();
  const requestId = response.headers.get('x-request-id');
  if (!requestId) throw new Error('no x-request-id');
  return requestId;
}

const expectStatus = (answer: Answer, status: number): Json => {
  expect(answer.status, JSON.stringify(answer.body)).toBe(status);
  return answer.body;
};

const page = async (key: string, path: string): Promise<LedgerPage> =>
  expectStatus(await call(hub, 'GET', path, undefined, key), 200) as unknown as LedgerPage;

const ids = (rows: LedgerRow[]): string[] => rows.map((row) => row.request_id);

beforeAll(async () => {
  hub = await startTestHub(CONFIG);
  tenantA = (await createTenant(hub, 'ledger-a')).id;
  tenantB = (await createTenant(hub, 'ledger-b')).id;
  ownerA = await createPerson(hub, tenantA, 'owner', 'owner@ledger-a.test');
  ownerB = await createPerson(hub, tenantB, 'owner', 'owner@ledger-b.test');
  const key = async (tenantId: string, scopes?: string[]) => {
    const created = await createKey(hub, { tenant_id: tenantId, ...(scopes ? { scopes } : {}) });
    return { id: created.id, key: created.key };
  };
  keyA1 = await key(tenantA, ['inference', 'agents:write', 'agents:run']);
  keyA2 = await key(tenantA);
  keyB = await key(tenantB);
  const usage = { usage: { input_tokens: 1000, output_tokens: 500 } };
  calls.a1First = await chat(keyA1.key, 'scripted', { text: 'one', ...usage });
  calls.a1Stream = await chat(keyA1.key, 'scripted', { text: 'two', ...usage }, true);
  calls.a1Error = await chat(keyA1.key, 'scripted', { error: { status: 500, message: 'model crashed' } });
  calls.a2Mini = await chat(keyA2.key, 'scripted-mini', { text: 'three', ...usage });
  calls.b = await chat(keyB.key, 'scripted', { text: 'other tenant', ...usage });
  // Agent traffic: one run of `helper`, its model call on the ledger with the agent and the run.
  expectStatus(await call(hub, 'POST', '/v1/agents', { name: 'helper', model: 'scripted', instructions: 'Help.' }, keyA1.key), 201);
  hub.hub.scripted('script').setScript([{ text: 'Helped.', ...usage }]);
  agentRunId = String(expectStatus(await call(hub, 'POST', '/v1/agents/helper/runs', { input: 'help me' }, keyA1.key), 200).id);
  await hub.hub.economy.flush();
  calls.agent = ((await page(hub.adminKey, `/admin/v1/ledger?agent=helper`)).data[0] as LedgerRow).request_id;
}, 240_000);

afterAll(async () => {
  await hub?.close();
});

describe('ledger filters', () => {
  it('status: success, error, or one HTTP status', async () => {
    for (const base of [
      { key: hub.adminKey, path: `/admin/v1/ledger?tenant_id=${tenantA}` },
      { key: ownerA.key, path: '/v1/ledger?' },
    ]) {
      const errors = await page(base.key, `${base.path}&status=error`);
      expect(ids(errors.data)).toEqual([calls.a1Error]);
      const failed = errors.data[0] as LedgerRow;
      expect(failed.status).toBeGreaterThanOrEqual(400);
      expect(ids((await page(base.key, `${base.path}&status=${failed.status}`)).data)).toEqual([calls.a1Error]);
      expect((await page(base.key, `${base.path}&status=200`)).data).toHaveLength(4);
      const successes = await page(base.key, `${base.path}&status=success`);
      expect(new Set(ids(successes.data))).toEqual(new Set([calls.a1First, calls.a1Stream, calls.a2Mini, calls.agent]));
    }
    const bad = await call(hub, 'GET', '/v1/ledger?status=failed', undefined, ownerA.key);
    expect(bad.status).toBe(400);
    expect((bad.body.error as Json).param).toBe('status');
  });

  it('agent and run_id: the agent traffic only', async () => {
    const byAgent = await page(ownerA.key, '/v1/ledger?agent=helper');
    expect(ids(byAgent.data)).toEqual([calls.agent]);
    expect(byAgent.data[0]).toMatchObject({ agent: 'helper', run_id: agentRunId, key_id: keyA1.id });
    expect(ids((await page(ownerA.key, `/v1/ledger?run_id=${agentRunId}`)).data)).toEqual([calls.agent]);
    expect((await page(ownerA.key, '/v1/ledger?agent=nobody')).data).toEqual([]);
    expect((await call(hub, 'GET', '/v1/ledger?agent=not%20a%20name', undefined, ownerA.key)).status).toBe(400);
  });

  it('request_id: exactly that request, for its own tenant only', async () => {
    const one = await page(ownerA.key, `/v1/ledger?request_id=${calls.a1Stream}`);
    expect(ids(one.data)).toEqual([calls.a1Stream]);
    expect(one.data[0]).toMatchObject({
      stream: true,
      model_served: 'scripted',
      prompt_tokens: 1000,
      completion_tokens: 500,
      cost_usd: '0.002',
    });
    // Tenant B's request is not found from tenant A (an empty page, like an id that never existed) …
    expect((await page(ownerA.key, `/v1/ledger?request_id=${calls.b}`)).data).toEqual([]);
    expect((await page(ownerA.key, '/v1/ledger?request_id=req_never')).data).toEqual([]);
    // … while its own tenant and the admin see it.
    expect(ids((await page(ownerB.key, `/v1/ledger?request_id=${calls.b}`)).data)).toEqual([calls.b]);
    expect(ids((await page(hub.adminKey, `/admin/v1/ledger?request_id=${calls.b}`)).data)).toEqual([calls.b]);
  });

  it('model and key_id narrow the tenant view; another tenant is never in it', async () => {
    expect(ids((await page(ownerA.key, '/v1/ledger?model=scripted-mini')).data)).toEqual([calls.a2Mini]);
    expect((await page(ownerA.key, '/v1/ledger?model=scripted-mini')).data[0]?.cost_usd).toBe('0.001');
    expect(new Set(ids((await page(ownerA.key, `/v1/ledger?key_id=${keyA2.id}`)).data))).toEqual(new Set([calls.a2Mini]));
    expect((await page(ownerA.key, `/v1/ledger?key_id=${keyB.id}`)).data).toEqual([]);
    const all = await page(ownerA.key, '/v1/ledger');
    expect(all.data.every((row) => row.tenant_id === tenantA)).toBe(true);
    expect(all.data).toHaveLength(5);
    expect(ids(all.data)).not.toContain(calls.b);
  });

  it('a tenant_id on /v1/ledger is refused, not read as the caller’s own', async () => {
    const answer = await call(hub, 'GET', `/v1/ledger?tenant_id=${tenantB}`, undefined, ownerA.key);
    expect(answer.status).toBe(400);
    expect((answer.body.error as Json).param).toBe('tenant_id');
  });

  it('pages by cursor, newest first, each row once', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const next: LedgerPage = await page(ownerA.key, `/v1/ledger?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      expect(next.data.length).toBeLessThanOrEqual(2);
      expect(next.has_more).toBe(next.next_cursor !== null);
      seen.push(...ids(next.data));
      cursor = next.next_cursor;
    } while (cursor);
    expect(seen).toEqual(ids((await page(ownerA.key, '/v1/ledger')).data));
    expect(new Set(seen).size).toBe(5);
  });

  it('CSV export on /v1/ledger streams only the tenant’s rows, filters applied', async () => {
    const response = await fetch(`${hub.url}/v1/ledger?format=csv`, { headers: { authorization: `Bearer ${ownerA.key}` } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(response.headers.get('content-disposition')).toMatch(/attachment/);
    const lines = (await response.text()).trim().split('\r\n');
    const header = (lines[0] ?? '').split(',');
    expect(header.slice(0, 3)).toEqual(['created_at', 'request_id', 'tenant_id']);
    const rows = lines.slice(1).map((line) => line.split(','));
    expect(rows).toHaveLength(5);
    expect(rows.every((cells) => cells[2] === tenantA)).toBe(true);
    expect(rows.map((cells) => cells[1])).not.toContain(calls.b);
    const errors = await fetch(`${hub.url}/v1/ledger?format=csv&status=error`, { headers: { authorization: `Bearer ${ownerA.key}` } });
    const errorLines = (await errors.text()).trim().split('\r\n');
    expect(errorLines.slice(1).map((line) => line.split(',')[1])).toEqual([calls.a1Error]);
    // The admin's export of every tenant holds both.
    const everything = await (
      await fetch(`${hub.url}/admin/v1/ledger?format=csv`, { headers: { authorization: `Bearer ${hub.adminKey}` } })
    ).text();
    expect(everything).toContain(calls.b);
    expect(everything).toContain(calls.a1First);
  });

  it('needs usage:read, and refuses the admin key', async () => {
    const operator = await createPerson(hub, tenantA, 'operator', 'operator@ledger-a.test');
    const refused = await call(hub, 'GET', '/v1/ledger', undefined, operator.key);
    expect(refused.status).toBe(403);
    expect(errorCode(refused)).toBe('permission_denied');
    expect((await call(hub, 'GET', '/v1/ledger', undefined, hub.adminKey)).status).toBe(403);
    const viewer = await createPerson(hub, tenantA, 'viewer', 'viewer@ledger-a.test');
    expect((await page(viewer.key, '/v1/ledger')).data).toHaveLength(5);
    await admin(hub, 'GET', '/admin/v1/ledger?limit=1');
  });
});
