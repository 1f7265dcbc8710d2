/**
 * A provider's health (its targets' breakers) and the connection test, against a real hub and real
 * fake upstreams on 127.0.0.1: an answering one, a closed port, a hanging one, one that echoes the
 * credentials it got; private and metadata base URLs are refused by the address policy before any
 * connection.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeOpenAI, startFakeOpenAI } from '../../../test/fake-upstreams/openai.js';
import { createKey, createTenant, ledgerRows } from '../../../test/support/economy.js';
import { startTestHub, type TestHub } from '../../../test/support/hub.js';
import type { AuditPage, ProviderHealth, ProviderTestResult } from '../contract.js';

const SECRET_KEY = 'k1-'.padEnd(44, 'x');
const UPSTREAM_KEY = 'sk-upstream-secret-0123456789';

interface Answer<T> {
  status: number;
  body: T;
  text: string;
}

async function admin<T>(method: string, path: string, body?: unknown, key = hub.adminKey): Promise<Answer<T>> {
  const response = await fetch(`${hub.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : null) as T, text };
}

/** A port on 127.0.0.1 that nothing listens on (bound, then closed). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

let upstream: FakeOpenAI;
let echo: Server;
let echoUrl: string;
let hub: TestHub;
let tenantKey: string;

beforeAll(async () => {
  upstream = await startFakeOpenAI({ reply: 'pong', apiKey: UPSTREAM_KEY });
  // An upstream that quotes the credentials it received back in its error (some do, in 400s).
  echo = createServer((request, response) => {
    request.resume();
    response.writeHead(400, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ error: { message: `bad request with ${request.headers.authorization ?? 'no key'}` } }));
  });
  await new Promise<void>((resolve) => echo.listen(0, '127.0.0.1', resolve));
  echoUrl = `http://127.0.0.1:${(echo.address() as AddressInfo).port}`;
  hub = await startTestHub(
    {
      providers: [{ id: 'from-config', type: 'openai', base_url: upstream.url, api_key: UPSTREAM_KEY }],
      models: [{ name: 'config-model', targets: [{ provider: 'from-config', model: 'fake-model' }] }],
      routing: {
        retries: 0,
        backoff_ms: 1,
        timeout_ms: 5_000,
        first_byte_timeout_ms: 2_000,
        breaker: { failure_threshold: 2, cooldown_ms: 600_000 },
      },
      security: { upstream_urls: { allow_private: false, allow_loopback: true } },
    },
    { secretKey: SECRET_KEY },
  );
  const tenant = await createTenant(hub, 'checks');
  tenantKey = (await createKey(hub, { tenant_id: tenant.id })).key;
  expect(
    (await admin('POST', '/admin/v1/providers', { id: 'up', type: 'openai', base_url: upstream.url, api_key: UPSTREAM_KEY })).status,
  ).toBe(201);
  expect((await admin('POST', '/admin/v1/models', { name: 'flaky', targets: [{ provider: 'up', model: 'flaky-model' }] })).status).toBe(
    201,
  );
});

afterAll(async () => {
  await hub?.close();
  await upstream?.close();
  await new Promise<void>((resolve) => (echo ? echo.close(() => resolve()) : resolve()));
});

describe('the connection test', () => {
  it('makes one real 1-token request through a saved provider and says it went well, with no ledger row', async () => {
    const before = (await ledgerRows(hub)).length;
    const sent = upstream.requests.length;
    const answer = await admin<ProviderTestResult>('POST', '/admin/v1/providers/up/test', { model: 'probe-model' });
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({
      object: 'provider_test',
      provider: 'up',
      model: 'probe-model',
      ok: true,
      status: 200,
      error: null,
    });
    expect(answer.body.latency_ms).toBeGreaterThanOrEqual(0);
    const request = upstream.requests.at(-1);
    expect(upstream.requests.length).toBe(sent + 1);
    expect(request?.path).toBe('/v1/chat/completions');
    expect(request?.body).toMatchObject({ model: 'probe-model', max_tokens: 1 });
    expect(answer.text).not.toContain(UPSTREAM_KEY);
    expect((await ledgerRows(hub)).length).toBe(before);
  });

  it('defaults to the upstream model of the first chat model routed to the provider, config-file ones included', async () => {
    const answer = await admin<ProviderTestResult>('POST', '/admin/v1/providers/from-config/test', {});
    expect(answer.body).toMatchObject({ ok: true, model: 'fake-model', provider: 'from-config' });
  });

  it('reports a refused connection as a failure with no status', async () => {
    const port = await closedPort();
    const answer = await admin<ProviderTestResult>('POST', '/admin/v1/providers/test', {
      type: 'openai',
      base_url: `http://127.0.0.1:${port}`,
      model: 'x',
    });
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ object: 'provider_test', provider: null, ok: false, status: null });
    expect(answer.body.error?.message).toMatch(/cannot reach upstream.*ECONNREFUSED/);
  });

  it('gives up after timeout_ms on an upstream that never answers', async () => {
    upstream.failNext({ kind: 'hang-before-headers' });
    const answer = await admin<ProviderTestResult>('POST', '/admin/v1/providers/up/test', { model: 'x', timeout_ms: 300 });
    expect(answer.body).toMatchObject({ ok: false, status: null, error: { code: 'upstream_timeout' } });
    expect(answer.body.error?.message).toContain('300 ms');
  });

  it("shows the upstream's status and message on a refusal, never the key it was given", async () => {
    const wrongKey = await admin<ProviderTestResult>('POST', '/admin/v1/providers/test', {
      type: 'openai',
      base_url: upstream.url,
      api_key: 'sk-not-the-right-key-123',
      model: 'x',
    });
    expect(wrongKey.body).toMatchObject({ ok: false, status: 401 });
    expect(wrongKey.text).not.toContain('sk-not-the-right-key-123');

    const echoed = await admin<ProviderTestResult>('POST', '/admin/v1/providers/test', {
      type: 'openai',
      base_url: echoUrl,
      api_key: 'sk-echoed-secret-987654321',
      headers: { 'x-extra-credential': 'header-secret-value-42' },
      model: 'x',
    });
    expect(echoed.body).toMatchObject({ ok: false, status: 400 });
    expect(echoed.body.error?.message).toContain('[redacted]');
    expect(echoed.text).not.toContain('sk-echoed-secret-987654321');
  });

  it('refuses private and metadata addresses by the address policy, before connecting', async () => {
    for (const base of ['http://169.254.169.254/latest', 'http://10.0.0.7:8000', 'http://[fd00::1]:8000']) {
      const answer = await admin<{ error: { param: string; message: string } }>('POST', '/admin/v1/providers/test', {
        type: 'openai',
        base_url: base,
        model: 'x',
        timeout_ms: 60_000,
      });
      expect([base, answer.status, answer.body.error.param]).toEqual([base, 400, 'base_url']);
      expect(answer.body.error.message).toMatch(/^Invalid base_url: /);
    }
  });

  it('answers 404 for an unknown provider, 400 naming the field for bad input, and is audited', async () => {
    expect((await admin('POST', '/admin/v1/providers/nope/test', {})).status).toBe(404);
    const bad = await admin<{ error: { param: string } }>('POST', '/admin/v1/providers/up/test', { timeout_ms: 5 });
    expect([bad.status, bad.body.error.param]).toEqual([400, 'timeout_ms']);
    const noModel = await admin<{ error: { param: string } }>('POST', '/admin/v1/providers/test', {
      type: 'openai',
      base_url: upstream.url,
    });
    expect([noModel.status, noModel.body.error.param]).toEqual([400, 'model']);
    const audit = await admin<AuditPage>('GET', '/admin/v1/audit?action=provider.test');
    expect(audit.body.data.length).toBeGreaterThan(0);
    expect(JSON.stringify(audit.body)).not.toContain(UPSTREAM_KEY);
  });
});

describe('provider health', () => {
  const chat = (model: string) =>
    fetch(`${hub.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${tenantKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }] }),
    });

  it('lists each target closed and untried before any request', async () => {
    const health = await admin<ProviderHealth>('GET', '/admin/v1/providers/up/health');
    expect(health.body).toEqual({
      object: 'provider_health',
      provider: 'up',
      status: 'ready',
      problem: null,
      breaker: 'closed',
      targets: [
        {
          target: 'up/flaky-model',
          upstream_model: 'flaky-model',
          models: ['flaky'],
          breaker: 'closed',
          since: null,
          consecutive_failures: 0,
          recent_attempts: 0,
          recent_failures: 0,
          last_error: null,
          last_failure_at: null,
        },
      ],
    });
  });

  it('shows the breaker open, with the failures and the last error, after upstream failures', async () => {
    expect((await chat('flaky')).status).toBe(200);
    upstream.failNext({ kind: 'status', status: 500, message: 'boom one' }, { kind: 'status', status: 500, message: 'boom two' });
    expect((await chat('flaky')).status).toBe(502);
    expect((await chat('flaky')).status).toBe(502);
    const health = await admin<ProviderHealth>('GET', '/admin/v1/providers/up/health');
    expect(health.body.breaker).toBe('open');
    expect(health.body.targets[0]).toMatchObject({
      breaker: 'open',
      consecutive_failures: 2,
      recent_attempts: 3,
      recent_failures: 2,
      last_error: expect.stringContaining('boom two'),
    });
    expect(Date.parse(health.body.targets[0]?.since ?? '')).not.toBeNaN();
    expect(Date.parse(health.body.targets[0]?.last_failure_at ?? '')).not.toBeNaN();
    expect(health.text).not.toContain(UPSTREAM_KEY);
    // The connection test goes around the router: it neither needs the breaker closed nor moves it.
    expect((await admin<ProviderTestResult>('POST', '/admin/v1/providers/up/test', { model: 'flaky-model' })).body.ok).toBe(true);
    expect((await admin<ProviderHealth>('GET', '/admin/v1/providers/up/health')).body.breaker).toBe('open');
  });

  it('answers 404 for an unknown provider and refuses a tenant key', async () => {
    expect((await admin('GET', '/admin/v1/providers/nope/health')).status).toBe(404);
    expect((await admin('GET', '/admin/v1/providers/up/health', undefined, tenantKey)).status).toBe(403);
    expect((await admin('POST', '/admin/v1/providers/up/test', {}, tenantKey)).status).toBe(403);
  });
});
