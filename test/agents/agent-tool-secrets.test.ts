/**
 * Tool secrets over HTTP: a tenant stores a secret once (sealed, never shown again), its HTTP tools send it
 * in a header, nothing of it reaches the run's record, and secret rotation re-seals it with the providers'.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKey, createTenant } from '../support/economy.js';
import { startTestHub, type TestHub } from '../support/hub.js';
import { getTestDb, type TestDb } from '../support/test-db.js';

const OLD_KEY = 'tokenhub-test-secret-key-old-0123456789abcdef';
const NEW_KEY = 'tokenhub-test-secret-key-new-0123456789abcdef';
const SECRET = 'sk-tool-secret-value-7f3a9c';

let tools: Server;
let toolsUrl: string;
const seen: IncomingMessage['headers'][] = [];
const hubs: TestHub[] = [];
let shared: TestDb | undefined;

const config = {
  providers: [{ id: 'script', type: 'scripted' as const }],
  models: [{ name: 'scripted', targets: [{ provider: 'script', model: 'scripted' }] }],
};

beforeAll(async () => {
  tools = createServer((request, response) => {
    seen.push(request.headers);
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ ok: true, echoed: request.headers.authorization }));
  });
  await new Promise<void>((resolve) => tools.listen(0, '127.0.0.1', resolve));
  toolsUrl = `http://127.0.0.1:${(tools.address() as AddressInfo).port}`;
});

afterAll(async () => {
  for (const hub of hubs) await hub.close();
  await shared?.close();
  await new Promise<void>((resolve) => tools?.close(() => resolve()));
});

async function call(hub: TestHub, key: string, method: string, path: string, body?: unknown) {
  const response = await fetch(`${hub.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, text, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

describe('tool secrets', () => {
  it('are stored sealed, sent by HTTP tools, kept out of run records, and re-sealed on rotation', async () => {
    // One database for both hubs: the second starts with the new key and the old one as previous.
    shared = await getTestDb();
    const hub = await startTestHub(config, { secretKey: OLD_KEY, database: shared.db });
    hubs.push(hub);
    const tenant = await createTenant(hub, 'secrets');
    const key = (await createKey(hub, { tenant_id: tenant.id, scopes: ['agents:write', 'agents:run'] })).key;

    const stored = await call(hub, key, 'PUT', '/v1/tool-secrets/crm_token', { value: SECRET });
    expect(stored.status).toBe(200);
    expect(stored.text).not.toContain(SECRET);
    const listed = await call(hub, key, 'GET', '/v1/tool-secrets');
    expect((listed.body.data as { name: string }[]).map((entry) => entry.name)).toEqual(['crm_token']);
    expect(listed.text).not.toContain(SECRET);
    expect((await call(hub, key, 'PUT', '/v1/tool-secrets/bad name', { value: 'x' })).status).toBe(400);
    expect((await call(hub, key, 'DELETE', '/v1/tool-secrets/missing')).status).toBe(404);
    const raw = await hub.hub.db.query<{ sealed_value: string }>('select sealed_value from tool_secrets');
    expect(raw[0]?.sealed_value).not.toContain(SECRET);

    const created = await call(hub, key, 'POST', '/v1/agents', {
      name: 'crm',
      model: 'scripted',
      tools: [
        {
          type: 'http',
          name: 'crm_lookup',
          description: 'Look a customer up',
          parameters: { type: 'object', properties: {} },
          request: { method: 'GET', url: `${toolsUrl}/customers`, headers: { authorization: 'Bearer {{secret:crm_token}}' } },
          secrets: ['crm_token'],
        },
      ],
    });
    expect(created.status, created.text).toBe(201);
    hub.hub.scripted('script').setScript([{ tool_calls: [{ name: 'crm_lookup', arguments: {} }] }, { text: 'found' }]);
    const run = await call(hub, key, 'POST', '/v1/agents/crm/runs', { input: 'who is this?' });
    expect(run.body).toMatchObject({ status: 'completed' });
    expect(seen.at(-1)?.authorization).toBe(`Bearer ${SECRET}`);
    const read = await call(hub, key, 'GET', `/v1/runs/${String(run.body.id)}`);
    // The tool's answer echoed the secret: the run's record (and what the model saw) has it redacted.
    expect(read.text).not.toContain(SECRET);
    expect(JSON.stringify(hub.hub.scripted('script').calls)).not.toContain(SECRET);
    await hub.close();
    hubs.pop();

    const rotated = await startTestHub(config, { secretKey: NEW_KEY, previousSecretKeys: [OLD_KEY], database: shared.db });
    hubs.push(rotated);
    const rotation = await fetch(`${rotated.url}/admin/v1/secrets/rotate`, {
      method: 'POST',
      headers: { authorization: `Bearer ${rotated.adminKey}` },
    });
    expect(await rotation.json()).toMatchObject({ object: 'secret_rotation', tool_secrets_resealed: 1 });
    const again = await fetch(`${rotated.url}/admin/v1/secrets/rotate`, {
      method: 'POST',
      headers: { authorization: `Bearer ${rotated.adminKey}` },
    });
    expect(await again.json()).toMatchObject({ tool_secrets_resealed: 0 });
  });

  it('are refused with a clear 400 when the hub has no TOKENHUB_SECRET_KEY', async () => {
    const hub = await startTestHub(config);
    hubs.push(hub);
    const tenant = await createTenant(hub, 'no-box');
    const key = (await createKey(hub, { tenant_id: tenant.id, scopes: ['agents:write'] })).key;
    const refused = await call(hub, key, 'PUT', '/v1/tool-secrets/token', { value: 'x' });
    expect(refused.status).toBe(400);
    expect((refused.body.error as { code: string }).code).toBe('secret_key_not_configured');
  });
});
