import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { admin, createKey, createTenant } from '../../test/support/economy.js';
import { startTestHub, type TestHub } from '../../test/support/hub.js';
import type { ApiKey, CreatedKey, ListResponse } from './contract.js';

let hub: TestHub;
let tenantId: string;

beforeAll(async () => {
  hub = await startTestHub({
    providers: [{ id: 'script', type: 'scripted', script: [{ text: 'Hello.', repeat: true }] }],
    models: [
      { name: 'scripted-chat', targets: [{ provider: 'script', model: 'echo' }] },
      { name: 'scripted-embed', kind: 'embedding', targets: [{ provider: 'script', model: 'embed' }] },
    ],
  });
  tenantId = (await createTenant(hub, 'Scopes')).id;
});

afterAll(async () => {
  await hub?.close();
});

const openai = (key: string) => new OpenAI({ apiKey: key, baseURL: hub.openaiBaseUrl, maxRetries: 0 });

async function send(
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: { error?: { param?: string; code?: string } } }> {
  const response = await fetch(`${hub.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${hub.adminKey}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as { error?: { param?: string; code?: string } } };
}

describe('key scopes', () => {
  it('defaults to inference, which every existing use of a key keeps working with', async () => {
    const key = await createKey(hub, { tenant_id: tenantId });
    expect(key.scopes).toEqual(['inference']);
    const answer = await openai(key.key).chat.completions.create({ model: 'scripted-chat', messages: [{ role: 'user', content: 'Hi' }] });
    expect(answer.choices[0]?.message.content).toBe('Hello.');
  });

  it('creates keys with scopes, shows them in every key answer, and refuses an unknown one with a 400 naming the field', async () => {
    const key = await createKey(hub, { tenant_id: tenantId, scopes: ['agents:write', 'agents:run', 'agents:run'] });
    expect(key.scopes).toEqual(['agents:write', 'agents:run']);
    expect((await admin<ApiKey>(hub, 'GET', `/admin/v1/keys/${key.id}`)).scopes).toEqual(['agents:write', 'agents:run']);
    const listed = await admin<ListResponse<ApiKey>>(hub, 'GET', `/admin/v1/keys?tenant_id=${tenantId}`);
    expect(listed.data.find((candidate) => candidate.id === key.id)?.scopes).toEqual(['agents:write', 'agents:run']);

    const unknown = await send('POST', '/admin/v1/keys', { tenant_id: tenantId, scopes: ['inference', 'admin'] });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error?.param).toBe('scopes.1');
    const empty = await send('POST', '/admin/v1/keys', { tenant_id: tenantId, scopes: [] });
    expect(empty.status).toBe(400);
    expect(empty.body.error?.param).toBe('scopes');
    const badPatch = await send('PATCH', `/admin/v1/keys/${key.id}`, { scopes: ['agents:delete'] });
    expect(badPatch.status).toBe(400);
    expect(badPatch.body.error?.param).toBe('scopes.0');
  });

  it('refuses a key without inference on every inference route with 403 missing_scope', async () => {
    const key = await createKey(hub, { tenant_id: tenantId, scopes: ['agents:run'] });
    const client = openai(key.key);
    const refusals = [
      client.chat.completions.create({ model: 'scripted-chat', messages: [{ role: 'user', content: 'Hi' }] }),
      client.chat.completions.create({ model: 'scripted-chat', messages: [{ role: 'user', content: 'Hi' }], stream: true }),
      client.completions.create({ model: 'scripted-chat', prompt: 'Hi' }),
      client.embeddings.create({ model: 'scripted-embed', input: 'Hi' }),
      client.responses.create({ model: 'scripted-chat', input: 'Hi' }),
      new Anthropic({ apiKey: key.key, baseURL: hub.url, maxRetries: 0 }).messages.create({
        model: 'scripted-chat',
        max_tokens: 10,
        messages: [{ role: 'user', content: 'Hi' }],
      }),
    ];
    for (const refusal of refusals) {
      const error = await refusal.then(
        () => undefined,
        (thrown: unknown) => thrown as { status?: number; error?: { error?: { code?: string; type?: string } } },
      );
      expect(error?.status).toBe(403);
    }
    const chat = await fetch(`${hub.openaiBaseUrl}/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key.key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'scripted-chat', messages: [{ role: 'user', content: 'Hi' }] }),
    });
    expect(chat.status).toBe(403);
    expect(((await chat.json()) as { error: { code: string; type: string } }).error).toMatchObject({
      code: 'missing_scope',
      type: 'permission_error',
    });
  });

  it('applies a PATCH of scopes at once, though the key was cached', async () => {
    const key: CreatedKey = await createKey(hub, { tenant_id: tenantId });
    const client = openai(key.key);
    const ask = () => client.chat.completions.create({ model: 'scripted-chat', messages: [{ role: 'user', content: 'Hi' }] });
    await ask();
    const patched = await admin<ApiKey>(hub, 'PATCH', `/admin/v1/keys/${key.id}`, { scopes: ['agents:run'] });
    expect(patched.scopes).toEqual(['agents:run']);
    await expect(ask()).rejects.toMatchObject({ status: 403 });
    // A patch of something else leaves the scopes as they are.
    expect((await admin<ApiKey>(hub, 'PATCH', `/admin/v1/keys/${key.id}`, { name: 'renamed' })).scopes).toEqual(['agents:run']);
    await admin<ApiKey>(hub, 'PATCH', `/admin/v1/keys/${key.id}`, { scopes: ['inference', 'agents:run'] });
    expect((await ask()).choices[0]?.message.content).toBe('Hello.');
  });

  it('lets the admin key through: it carries every scope', async () => {
    const answer = await openai(hub.adminKey).chat.completions.create({
      model: 'scripted-chat',
      messages: [{ role: 'user', content: 'Hi' }],
    });
    expect(answer.choices[0]?.message.content).toBe('Hello.');
  });
});
