/**
 * A sandbox belongs to its tenant: another tenant's key finds nothing on any route (404 `sandbox_not_found`)
 * and changes nothing; a key without the `sandboxes` scope is refused everywhere (403 `missing_scope`); the
 * network is refused where the hub grants none.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKey, createTenant, ledgerRows } from '../support/economy.js';
import { type SandboxHub, startSandboxHub } from './sandbox-hub.js';

interface Sandbox {
  id: string;
  status: string;
  files: { count: number; bytes: number };
  usage: { calls: number; cpu_ms: number };
}
interface ErrorBody {
  error: { message: string; type: string; param: string | null; code: string | null };
}

let box: SandboxHub;
/** Tenant B's key, with the `sandboxes` scope. */
let otherKey: string;
/** Tenant A's key without the `sandboxes` scope. */
let unscopedKey: string;

beforeAll(async () => {
  box = await startSandboxHub();
  const other = await createTenant(box.hub, 'sandbox-tenant-b');
  otherKey = (await createKey(box.hub, { tenant_id: other.id, scopes: ['sandboxes'] })).key;
  unscopedKey = (await createKey(box.hub, { tenant_id: box.tenantId, scopes: ['inference', 'agents:run'] })).key;
});
afterAll(async () => {
  await box?.close();
});

/** Any request with any key; the body goes as JSON unless it is a string (a file's contents). */
async function send(key: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: ErrorBody }> {
  const json = body !== undefined && typeof body !== 'string';
  const response = await fetch(`${box.hub.url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${key}`,
      ...(body === undefined ? {} : { 'content-type': json ? 'application/json' : 'text/plain' }),
    },
    ...(body === undefined ? {} : { body: json ? JSON.stringify(body) : (body as string) }),
  });
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : null) as ErrorBody };
}

/** Every sandbox route, naming the sandbox `id` (the workspace routes name no sandbox). */
const sandboxRoutes = (id: string): [string, string, unknown][] => [
  ['GET', `/v1/sandboxes/${id}`, undefined],
  ['POST', `/v1/sandboxes/${id}/code`, { language: 'javascript', code: 'files.write("planted.txt", "x"); 1' }],
  ['POST', `/v1/sandboxes/${id}/code`, { language: 'python', code: 'open("planted.txt", "w").write("x")' }],
  ['GET', `/v1/sandboxes/${id}/files`, undefined],
  ['GET', `/v1/sandboxes/${id}/files/secret.txt`, undefined],
  ['PUT', `/v1/sandboxes/${id}/files/secret.txt`, 'overwritten by B'],
  ['PUT', `/v1/sandboxes/${id}/files/planted.txt`, 'planted by B'],
  ['DELETE', `/v1/sandboxes/${id}/files/secret.txt`, undefined],
  ['POST', `/v1/sandboxes/${id}/keep`, { name: 'stolen' }],
  ['DELETE', `/v1/sandboxes/${id}`, undefined],
];

async function tenantASandbox(): Promise<Sandbox> {
  const created = await box.call<Sandbox>('POST', '/v1/sandboxes', {});
  expect(created.status).toBe(201);
  const put = await send(box.key, 'PUT', `/v1/sandboxes/${created.body.id}/files/secret.txt`, 'tenant A only');
  expect(put.status).toBe(201);
  return (await box.call<Sandbox>('GET', `/v1/sandboxes/${created.body.id}`)).body;
}

describe("another tenant's key", () => {
  it('finds no sandbox of tenant A on any route (404 sandbox_not_found) and changes nothing', async () => {
    const sandbox = await tenantASandbox();
    for (const [method, path, body] of sandboxRoutes(sandbox.id)) {
      const answer = await send(otherKey, method, path, body);
      expect({ method, path, status: answer.status }).toEqual({ method, path, status: 404 });
      expect(answer.body.error).toMatchObject({ type: 'invalid_request_error', code: 'sandbox_not_found' });
    }
    const after = await box.call<Sandbox>('GET', `/v1/sandboxes/${sandbox.id}`);
    expect(after.body).toEqual(sandbox);
    expect(after.body).toMatchObject({ status: 'live', files: { count: 1 }, usage: { calls: 0 } });
    const read = await fetch(`${box.hub.url}/v1/sandboxes/${sandbox.id}/files/secret.txt`, {
      headers: { authorization: `Bearer ${box.key}` },
    });
    expect(await read.text()).toBe('tenant A only');
    const listing = await box.call<{ data: { path: string }[] }>('GET', `/v1/sandboxes/${sandbox.id}/files`);
    expect(listing.body.data.map((file) => file.path)).toEqual(['secret.txt']);
    expect((await box.call<{ data: unknown[] }>('GET', '/v1/sandbox-workspaces')).body.data).toEqual([]);
    // Nothing ran, so nothing was billed to anyone.
    expect((await ledgerRows(box.hub)).filter((row) => row.sandbox_id === sandbox.id)).toEqual([]);
    const listed = await send(otherKey, 'GET', '/v1/sandboxes?limit=100');
    expect((listed.body as unknown as { data: unknown[] }).data).toEqual([]);
  }, 60_000);

  it("neither sees nor uses nor deletes tenant A's kept workspace", async () => {
    const sandbox = await tenantASandbox();
    expect((await box.call('POST', `/v1/sandboxes/${sandbox.id}/keep`, { name: 'a-workspace' })).status).toBe(201);
    const listed = await send(otherKey, 'GET', '/v1/sandbox-workspaces');
    expect((listed.body as unknown as { data: unknown[] }).data).toEqual([]);
    const fromIt = await send(otherKey, 'POST', '/v1/sandboxes', { workspace: 'a-workspace' });
    expect(fromIt.status).toBe(404);
    expect(fromIt.body.error.code).toBe('workspace_not_found');
    const removed = await send(otherKey, 'DELETE', '/v1/sandbox-workspaces/a-workspace');
    expect(removed.status).toBe(404);
    expect(removed.body.error.code).toBe('workspace_not_found');
    const mine = await box.call<{ data: { name: string; files: { count: number } }[] }>('GET', '/v1/sandbox-workspaces');
    expect(mine.body.data).toMatchObject([{ name: 'a-workspace', files: { count: 1 } }]);
  });
});

describe('a key without the sandboxes scope', () => {
  it('is refused on every route with 403 missing_scope, and nothing is made or changed', async () => {
    const sandbox = await tenantASandbox();
    const routes: [string, string, unknown][] = [
      ['POST', '/v1/sandboxes', {}],
      ['GET', '/v1/sandboxes', undefined],
      ...sandboxRoutes(sandbox.id),
      ['GET', '/v1/sandbox-workspaces', undefined],
      ['DELETE', '/v1/sandbox-workspaces/anything', undefined],
    ];
    const before = (await box.call<{ data: Sandbox[] }>('GET', '/v1/sandboxes?limit=100')).body.data;
    for (const [method, path, body] of routes) {
      const answer = await send(unscopedKey, method, path, body);
      expect({ method, path, status: answer.status }).toEqual({ method, path, status: 403 });
      expect(answer.body.error).toMatchObject({ type: 'permission_error', code: 'missing_scope' });
      expect(answer.body.error.message).toContain('"sandboxes" scope');
    }
    expect((await box.call<{ data: Sandbox[] }>('GET', '/v1/sandboxes?limit=100')).body.data).toEqual(before);
    expect((await box.call<Sandbox>('GET', `/v1/sandboxes/${sandbox.id}`)).body).toEqual(sandbox);
  });

  it('nor may the admin key act for a tenant here (403 virtual_key_required)', async () => {
    const answer = await send(box.hub.adminKey, 'POST', '/v1/sandboxes', {});
    expect(answer.status).toBe(403);
    expect(answer.body.error.code).toBe('virtual_key_required');
  });
});

describe('the network on a hub that grants none', () => {
  it('refuses a sandbox that asks for it (403 network_not_allowed)', async () => {
    const answer = await box.call<ErrorBody>('POST', '/v1/sandboxes', { network: true });
    expect(answer.status).toBe(403);
    expect(answer.body.error).toMatchObject({ type: 'permission_error', param: 'network', code: 'network_not_allowed' });
  });
});
