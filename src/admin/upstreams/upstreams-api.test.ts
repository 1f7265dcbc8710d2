import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeOpenAI, startFakeOpenAI } from '../../../test/fake-upstreams/openai.js';
import { startTestHub, type TestHub } from '../../../test/support/hub.js';
import type { RoutedModel, SecretRotation, UpstreamProvider } from '../contract.js';

const SECRET_KEY = 'k1-'.padEnd(44, 'x');
const UPSTREAM_KEY = 'sk-upstream-secret-0123456789';

interface Answer<T = unknown> {
  status: number;
  body: T;
  text: string;
}

async function call<T = Record<string, unknown>>(hub: TestHub, method: string, path: string, body?: unknown): Promise<Answer<T>> {
  const response = await fetch(`${hub.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${hub.adminKey}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : null) as T, text };
}

const errorOf = (answer: Answer): { message: string; param?: string | null; code?: string | null } =>
  (answer.body as { error: { message: string; param?: string | null; code?: string | null } }).error;

let upstream: FakeOpenAI;
let hub: TestHub;

beforeAll(async () => {
  upstream = await startFakeOpenAI({ reply: 'Hello from upstream.', apiKey: UPSTREAM_KEY });
  hub = await startTestHub(
    {
      providers: [{ id: 'from-config', type: 'openai', base_url: 'http://127.0.0.1:9/v1', api_key: 'sk-config-secret' }],
      models: [{ name: 'config-model', targets: [{ provider: 'from-config', model: 'x' }] }],
      routing: { retries: 0, backoff_ms: 1, timeout_ms: 5_000, first_byte_timeout_ms: 2_000 },
    },
    { secretKey: SECRET_KEY },
  );
});

afterAll(async () => {
  await hub?.close();
  await upstream?.close();
});

describe('providers and models through the admin API', () => {
  it('serves a created provider and model at once, with the API key sealed at rest and never shown', async () => {
    const created = await call<UpstreamProvider>(hub, 'POST', '/admin/v1/providers', {
      id: 'admin-up',
      type: 'openai',
      base_url: upstream.url,
      api_key: UPSTREAM_KEY,
      headers: { 'x-team': 'search' },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      id: 'admin-up',
      source: 'admin',
      has_api_key: true,
      header_names: ['x-team'],
      status: 'ready',
      base_url: upstream.url,
    });
    expect(created.body.secret_key_id).toMatch(/^[0-9a-f]{12}$/);
    expect(created.text).not.toContain(UPSTREAM_KEY);

    const model = await call<RoutedModel>(hub, 'POST', '/admin/v1/models', {
      name: 'team/gpt-admin',
      targets: [{ provider: 'admin-up', model: 'upstream-model' }],
      pricing: { input_per_mtok: 1, output_per_mtok: 2 },
    });
    expect(model.status).toBe(201);
    expect(model.body).toMatchObject({
      name: 'team/gpt-admin',
      source: 'admin',
      targets: [{ provider: 'admin-up', model: 'upstream-model', weight: 1 }],
    });

    const client = new OpenAI({ baseURL: hub.openaiBaseUrl, apiKey: hub.adminKey, maxRetries: 0 });
    const completion = await client.chat.completions.create({ model: 'team/gpt-admin', messages: [{ role: 'user', content: 'hi' }] });
    expect(completion.choices[0]?.message.content).toBe('Hello from upstream.');
    const seen = upstream.requests.at(-1);
    expect(seen?.headers.authorization).toBe(`Bearer ${UPSTREAM_KEY}`);
    expect(seen?.headers['x-team']).toBe('search');
    expect(seen?.body?.model).toBe('upstream-model');
    expect((await client.models.list()).data.map((entry) => entry.id)).toContain('team/gpt-admin');

    // Priced at the model's own pricing: the ledger row's cost follows from its token counts.
    await hub.hub.economy.flush();
    const ledger = await call<{ data: { model_served: string; prompt_tokens: number; completion_tokens: number; cost_usd: string }[] }>(
      hub,
      'GET',
      '/admin/v1/ledger',
    );
    const row = ledger.body.data.find((entry) => entry.model_served === 'team/gpt-admin');
    expect(row).toBeDefined();
    const expectedMicros = (row?.prompt_tokens ?? 0) * 1 + (row?.completion_tokens ?? 0) * 2;
    expect(Math.round(Number(row?.cost_usd) * 1e6)).toBe(expectedMicros);

    const stored = await hub.hub.db.query<Record<string, unknown>>('select * from upstream_providers where id = $1', ['admin-up']);
    const rowText = JSON.stringify(stored);
    expect(rowText).not.toContain(UPSTREAM_KEY);
    expect(rowText).not.toContain('search');
    expect(String(stored[0]?.sealed_secrets)).toMatch(/^thsb1\./);

    const listed = await call<{ data: UpstreamProvider[] }>(hub, 'GET', '/admin/v1/providers');
    expect(listed.text).not.toContain(UPSTREAM_KEY);
    expect(listed.text).not.toContain('sk-config-secret');
    expect(listed.body.data.map((provider) => [provider.id, provider.source])).toEqual([
      ['from-config', 'config'],
      ['admin-up', 'admin'],
    ]);
    expect(listed.body.data[1]?.models).toEqual(['team/gpt-admin']);
    expect((await call(hub, 'GET', `/admin/v1/models/${encodeURIComponent('team/gpt-admin')}`)).status).toBe(200);

    const audit = await call<{ data: { action: string; after: unknown }[] }>(hub, 'GET', '/admin/v1/audit');
    expect(audit.body.data.map((entry) => entry.action)).toEqual(expect.arrayContaining(['provider.create', 'model.create']));
    expect(audit.text).not.toContain(UPSTREAM_KEY);
  });

  it('rotates the upstream API key with a PATCH, without a restart', async () => {
    const rotatedKey = 'sk-upstream-rotated-9876543210';
    upstream.set({ apiKey: rotatedKey });
    const client = new OpenAI({ baseURL: hub.openaiBaseUrl, apiKey: hub.adminKey, maxRetries: 0 });
    await expect(
      client.chat.completions.create({ model: 'team/gpt-admin', messages: [{ role: 'user', content: 'hi' }] }),
    ).rejects.toThrow();
    const patched = await call<UpstreamProvider>(hub, 'PATCH', '/admin/v1/providers/admin-up', { api_key: rotatedKey });
    expect(patched.status).toBe(200);
    expect(patched.body.header_names).toEqual(['x-team']);
    const completion = await client.chat.completions.create({ model: 'team/gpt-admin', messages: [{ role: 'user', content: 'hi' }] });
    expect(completion.choices[0]?.message.content).toBe('Hello from upstream.');
    expect(upstream.requests.at(-1)?.headers.authorization).toBe(`Bearer ${rotatedKey}`);
    expect(upstream.requests.at(-1)?.headers['x-team']).toBe('search');
    upstream.set({ apiKey: UPSTREAM_KEY });
    await call(hub, 'PATCH', '/admin/v1/providers/admin-up', { api_key: UPSTREAM_KEY });

    const audit = await call<{ data: { action: string; before: unknown; after: unknown }[] }>(
      hub,
      'GET',
      '/admin/v1/audit?action=provider.update',
    );
    expect(audit.body.data[0]?.before).toMatchObject({ id: 'admin-up', has_api_key: true });
    expect(audit.text).not.toContain(rotatedKey);
  });

  it('refuses bad input with a 400 naming the field, and conflicts with a 409', async () => {
    const cases: [unknown, string][] = [
      [{ id: 'has space', type: 'openai', base_url: upstream.url }, 'id'],
      [{ id: 'loc', type: 'local' }, 'type'],
      [{ id: 'nourl', type: 'openai' }, 'base_url'],
      [{ id: 'badurl', type: 'openai', base_url: 'ftp://example.com' }, 'base_url'],
      [{ id: 'crlf', type: 'openai', base_url: upstream.url, headers: { 'x-a': 'one\r\ntwo' } }, 'headers.x-a'],
      [{ id: 'hosthdr', type: 'openai', base_url: upstream.url, headers: { Host: 'evil' } }, 'headers.Host'],
      [{ id: 'extra', type: 'openai', base_url: upstream.url, surprise: true }, ''],
    ];
    for (const [body, param] of cases) {
      const answer = await call(hub, 'POST', '/admin/v1/providers', body);
      expect(answer.status, JSON.stringify(body)).toBe(400);
      expect(errorOf(answer).message).toMatch(/^Invalid /);
      if (param) expect(errorOf(answer).param).toBe(param);
    }
    const unknownPreset = await call(hub, 'POST', '/admin/v1/providers', { id: 'preset-x', type: 'openai', preset: 'nonesuch' });
    expect(unknownPreset.status).toBe(400);
    expect(errorOf(unknownPreset).message).toContain('unknown preset "nonesuch"');

    expect((await call(hub, 'POST', '/admin/v1/providers', { id: 'admin-up', type: 'openai', base_url: upstream.url })).status).toBe(409);
    expect((await call(hub, 'POST', '/admin/v1/providers', { id: 'from-config', type: 'openai', base_url: upstream.url })).status).toBe(
      409,
    );
    expect(errorOf(await call(hub, 'PATCH', '/admin/v1/providers/from-config', { max_connections: 2 })).code).toBe('provider_in_config');
    expect((await call(hub, 'GET', '/admin/v1/providers/nope')).status).toBe(404);
    expect((await call(hub, 'DELETE', '/admin/v1/providers/nope')).status).toBe(404);

    const unknownTarget = await call(hub, 'POST', '/admin/v1/models', { name: 'm1', targets: [{ provider: 'ghost', model: 'x' }] });
    expect(unknownTarget.status).toBe(400);
    expect(errorOf(unknownTarget).param).toBe('targets.0.provider');
    const selfFallback = await call(hub, 'POST', '/admin/v1/models', {
      name: 'm1',
      targets: [{ provider: 'admin-up', model: 'x' }],
      fallbacks: ['m1'],
    });
    expect(errorOf(selfFallback).param).toBe('fallbacks.0');
    expect(
      (await call(hub, 'POST', '/admin/v1/models', { name: 'config-model', targets: [{ provider: 'admin-up', model: 'x' }] })).status,
    ).toBe(409);
    const negative = await call(hub, 'POST', '/admin/v1/models', {
      name: 'm2',
      targets: [{ provider: 'admin-up', model: 'x', weight: -1 }],
    });
    expect(errorOf(negative).param).toBe('targets.0.weight');

    const inUse = await call(hub, 'DELETE', '/admin/v1/providers/admin-up');
    expect(inUse.status).toBe(409);
    expect(errorOf(inUse).message).toContain('team/gpt-admin');
    const backup = await call(hub, 'POST', '/admin/v1/models', { name: 'backup', targets: [{ provider: 'admin-up', model: 'y' }] });
    expect(backup.status).toBe(201);
    expect((await call(hub, 'PATCH', `/admin/v1/models/${encodeURIComponent('team/gpt-admin')}`, { fallbacks: ['backup'] })).status).toBe(
      200,
    );
    const fallbackInUse = await call(hub, 'DELETE', '/admin/v1/models/backup');
    expect(fallbackInUse.status).toBe(409);
    expect(errorOf(fallbackInUse).code).toBe('model_in_use');
  });

  it('refuses link-local and cloud metadata base URLs in every spelling, and leaves the provider unchanged', async () => {
    for (const baseUrl of [
      'http://169.254.169.254/latest',
      'http://[::ffff:169.254.169.254]/',
      'http://2852039166/',
      'http://0251.0376.0251.0376/',
      'http://[fe80::1]/',
      'http://metadata.google.internal/v1',
      'http://100.100.100.200/',
      'http://0.0.0.0:8080/',
    ]) {
      const answer = await call(hub, 'POST', '/admin/v1/providers', { id: 'ssrf', type: 'openai', base_url: baseUrl });
      expect(answer.status, baseUrl).toBe(400);
      expect(errorOf(answer).param, baseUrl).toBe('base_url');
    }
    const metadata = await call(hub, 'POST', '/admin/v1/providers', { id: 'ssrf', type: 'openai', base_url: 'http://169.254.169.254/' });
    expect(errorOf(metadata).message).toMatch(/metadata/);
    const patched = await call(hub, 'PATCH', '/admin/v1/providers/admin-up', { base_url: 'http://169.254.169.254/v1' });
    expect(patched.status).toBe(400);
    expect((await call<UpstreamProvider>(hub, 'GET', '/admin/v1/providers/admin-up')).body.base_url).toBe(upstream.url);
    expect((await call(hub, 'GET', '/admin/v1/providers/ssrf')).status).toBe(404);
  });

  it('deletes what nothing depends on, and the model stops routing at once', async () => {
    expect((await call(hub, 'PATCH', `/admin/v1/models/${encodeURIComponent('team/gpt-admin')}`, { fallbacks: [] })).status).toBe(200);
    expect((await call(hub, 'DELETE', '/admin/v1/models/backup')).status).toBe(200);
    expect((await call(hub, 'DELETE', `/admin/v1/models/${encodeURIComponent('team/gpt-admin')}`)).status).toBe(200);
    const gone = await fetch(`${hub.openaiBaseUrl}/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${hub.adminKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'team/gpt-admin', messages: [{ role: 'user', content: 'hi' }] }),
    });
    expect(gone.status).toBe(404);
    expect(((await gone.json()) as { error: { code: string } }).error.code).toBe('model_not_found');
    expect((await call(hub, 'DELETE', '/admin/v1/providers/admin-up')).status).toBe(200);
    expect((await call(hub, 'GET', '/admin/v1/providers/admin-up')).status).toBe(404);
    expect(await hub.hub.db.query('select id from upstream_providers')).toEqual([]);
  });

  it('answers 400 for rotation and for stored secrets when TOKENHUB_SECRET_KEY is not set', async () => {
    const bare = await startTestHub({}, {});
    try {
      const withKey = await call(bare, 'POST', '/admin/v1/providers', { id: 'p', type: 'openai', base_url: upstream.url, api_key: 'sk-x' });
      expect(withKey.status).toBe(400);
      expect(errorOf(withKey).code).toBe('secret_key_not_configured');
      expect(errorOf(withKey).message).toContain('TOKENHUB_SECRET_KEY');
      const keyless = await call(bare, 'POST', '/admin/v1/providers', {
        id: 'ollama',
        type: 'openai',
        preset: 'ollama',
        base_url: upstream.url,
      });
      expect(keyless.status).toBe(201);
      expect((keyless.body as unknown as UpstreamProvider).secret_key_id).toBeNull();
      const rotation = await call(bare, 'POST', '/admin/v1/secrets/rotate');
      expect(rotation.status).toBe(400);
    } finally {
      await bare.close();
    }
  });

  it('rejects the admin routes without the admin key', async () => {
    const response = await fetch(`${hub.url}/admin/v1/providers`, { headers: { authorization: 'Bearer thk_not_admin' } });
    expect([401, 403]).toContain(response.status);
    const rotation = await fetch(`${hub.url}/admin/v1/secrets/rotate`, { method: 'POST' });
    expect([401, 403]).toContain(rotation.status);
  });
});

describe('secret key rotation across restarts', () => {
  const OLD_KEY = 'old-'.padEnd(40, 'o');
  const NEW_KEY = 'new-'.padEnd(40, 'n');

  it('keeps a provider whose key no longer opens visible but unavailable, then rotates it to the new key', async () => {
    const first = await startTestHub({ routing: { retries: 0 } }, { secretKey: OLD_KEY });
    const database = first.hub.db;
    // Later hubs reopen the same database; the first one must not close it.
    const shared = { database, dataDir: first.dataDir };
    try {
      expect(
        (await call(first, 'POST', '/admin/v1/providers', { id: 'up', type: 'openai', base_url: upstream.url, api_key: UPSTREAM_KEY }))
          .status,
      ).toBe(201);
      expect((await call(first, 'POST', '/admin/v1/models', { name: 'rot', targets: [{ provider: 'up', model: 'm' }] })).status).toBe(201);
      const oldKeyId = (await call<UpstreamProvider>(first, 'GET', '/admin/v1/providers/up')).body.secret_key_id;
      await first.hub.close();

      const wrongKey = await startTestHub({ routing: { retries: 0 } }, { ...shared, secretKey: NEW_KEY });
      try {
        const provider = (await call<UpstreamProvider>(wrongKey, 'GET', '/admin/v1/providers/up')).body;
        expect(provider.status).toBe('unavailable');
        expect(provider.problem).toContain(oldKeyId ?? '');
        const chat = await fetch(`${wrongKey.openaiBaseUrl}/chat/completions`, {
          method: 'POST',
          headers: { authorization: `Bearer ${wrongKey.adminKey}`, 'content-type': 'application/json' },
          body: JSON.stringify({ model: 'rot', messages: [{ role: 'user', content: 'hi' }] }),
        });
        expect(chat.status).toBe(503);
        expect(((await chat.json()) as { error: { message: string } }).error.message).toContain('provider up is unavailable');
        const metrics = await (await fetch(`${wrongKey.url}/metrics`)).text();
        expect(metrics).toContain('tokenhub_provider_unavailable{provider="up"} 1');
        const ready = await fetch(`${wrongKey.url}/readyz`);
        expect(ready.status).toBe(200);
        expect(JSON.stringify(await ready.json())).toContain('degraded');
        const rotation = await call(wrongKey, 'POST', '/admin/v1/secrets/rotate');
        expect(rotation.status).toBe(409);
        expect(errorOf(rotation).code).toBe('secret_unreadable');
      } finally {
        await wrongKey.hub.close();
      }

      const rotating = await startTestHub({ routing: { retries: 0 } }, { ...shared, secretKey: NEW_KEY, previousSecretKeys: [OLD_KEY] });
      let newKeyId: string | null = null;
      try {
        const client = new OpenAI({ baseURL: rotating.openaiBaseUrl, apiKey: rotating.adminKey, maxRetries: 0 });
        await client.chat.completions.create({ model: 'rot', messages: [{ role: 'user', content: 'hi' }] });
        const rotation = await call<SecretRotation>(rotating, 'POST', '/admin/v1/secrets/rotate');
        expect(rotation.status).toBe(200);
        expect(rotation.body).toMatchObject({ object: 'secret_rotation', resealed: 1, providers: 1 });
        newKeyId = rotation.body.key_id;
        expect(newKeyId).not.toBe(oldKeyId);
        expect((await call<UpstreamProvider>(rotating, 'GET', '/admin/v1/providers/up')).body.secret_key_id).toBe(newKeyId);
        expect((await call<SecretRotation>(rotating, 'POST', '/admin/v1/secrets/rotate')).body.resealed).toBe(0);
      } finally {
        await rotating.hub.close();
      }

      const after = await startTestHub({ routing: { retries: 0 } }, { ...shared, secretKey: NEW_KEY });
      try {
        const client = new OpenAI({ baseURL: after.openaiBaseUrl, apiKey: after.adminKey, maxRetries: 0 });
        const completion = await client.chat.completions.create({ model: 'rot', messages: [{ role: 'user', content: 'hi' }] });
        expect(completion.choices[0]?.message.content).toBe('Hello from upstream.');
        expect((await call<UpstreamProvider>(after, 'GET', '/admin/v1/providers/up')).body).toMatchObject({
          status: 'ready',
          secret_key_id: newKeyId,
        });
      } finally {
        await after.hub.close();
      }
    } finally {
      await first.close();
    }
  });
});
