import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Dispatcher } from 'undici';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { guardedDispatcher } from '../../../test/support/guarded-dispatcher.js';
import { getTestDb, TEST_DATABASE_URL, TEST_ENGINES, type TestDb } from '../../../test/support/test-db.js';
import { createSecretBox, HubError, isHubError, sealedKeyId } from '../../core/index.js';
import { type Database, InboxWebhooksRepository, openDatabase, TenantsRepository } from '../../storage/index.js';
import {
  InboxWebhooks,
  type InboxWebhooksOptions,
  inboxWebhookRoutes,
  resealWebhookSecrets,
  verifyWebhookSignature,
  type WebhookEvent,
} from './index.js';

const box = createSecretBox('a-test-secret-key-of-at-least-32-chars!!');

/** As the upstream address policy answers for these: private and link-local (metadata) refused, loopback allowed here. */
async function urlProblem(url: string): Promise<string | undefined> {
  const host = new URL(url).hostname;
  if (/^169\.254\./.test(host)) return `${host} is a link-local or cloud metadata address`;
  if (/^(10\.|192\.168\.|172\.(1[6-9]|2\d|3[01])\.)/.test(host)) return `${host} is a private address`;
  return undefined;
}

interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  at: number;
}

/** A real receiver on 127.0.0.1: `/ok` answers 200, `/flaky/N` 500 for its first N calls, `/down` always 500, `/redirect` 302. */
class Receiver {
  readonly received: Received[] = [];
  private readonly calls = new Map<string, number>();
  private server!: Server;
  base = '';
  delayMs = 0;

  async start(): Promise<void> {
    this.server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const path = request.url ?? '/';
        this.received.push({ path, headers: request.headers, body: Buffer.concat(chunks).toString('utf8'), at: Date.now() });
        const count = (this.calls.get(path) ?? 0) + 1;
        this.calls.set(path, count);
        setTimeout(() => {
          const flaky = /^\/flaky\/(\d+)/.exec(path);
          if (path.startsWith('/down')) response.writeHead(500).end(`boom ${'x'.repeat(10_000)}`);
          else if (path.startsWith('/redirect')) response.writeHead(302, { location: `${this.base}/ok` }).end();
          else if (flaky && count <= Number(flaky[1])) response.writeHead(500).end('not yet');
          else response.writeHead(200, { 'content-type': 'text/plain' }).end('thanks');
        }, this.delayMs);
      });
    });
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
    this.base = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  at(path: string): Received[] {
    return this.received.filter((request) => request.path === path);
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }
}

/** Any answer of these routes, read loosely: a webhook, a delivery, a list of either, or an error. */
interface Answer {
  id: string;
  secret: string;
  url: string;
  events: string[];
  description: string | null;
  disabled: boolean;
  type: string;
  status: string;
  attempts: number;
  event_id: string;
  last_error: string;
  delivered_at: string | null;
  event: WebhookEvent;
  data: Answer[];
  has_more: boolean;
  error: { code: string; message: string; param: string | null };
}

async function until(check: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 15));
  }
}

describe.each(TEST_ENGINES)('inbox webhooks (%s)', (engine) => {
  let test: TestDb;
  let db: Database;
  let receiver: Receiver;
  let tenantA: string;
  let tenantB: string;
  const origins: string[] = [];
  let dispatcher: Dispatcher;
  const services: InboxWebhooks[] = [];
  const apps: FastifyInstance[] = [];

  const service = (options: Partial<InboxWebhooksOptions> = {}): InboxWebhooks => {
    const webhooks = new InboxWebhooks({
      db,
      secretBox: box,
      dispatcher,
      urlProblem,
      pollMs: 25,
      backoffMs: [20],
      random: () => 0.5,
      ...options,
    });
    services.push(webhooks);
    return webhooks;
  };

  /** The routes on a minimal app: `x-tenant` names the caller's tenant, `x-read-only` withholds `webhooks:write`. */
  const api = async (webhooks: InboxWebhooks) => {
    const app = Fastify();
    app.setErrorHandler((error, _request, reply) => {
      if (isHubError(error))
        return reply
          .code(error.status)
          .send({ error: { code: error.details.code ?? error.code, message: error.message, param: error.details.param ?? null } });
      return reply.code(500).send({ error: { code: 'INTERNAL', message: String(error) } });
    });
    await app.register(
      inboxWebhookRoutes({
        webhooks,
        authorize: async (request, permission) => {
          const tenantId = request.headers['x-tenant'];
          if (typeof tenantId !== 'string') throw new HubError('UNAUTHENTICATED', 'No tenant.');
          if (permission === 'webhooks:write' && request.headers['x-read-only']) throw new HubError('FORBIDDEN', 'Read only.');
          return { tenantId, userId: null };
        },
      }),
    );
    apps.push(app);
    const base = await app.listen({ port: 0, host: '127.0.0.1' });
    return async (method: string, path: string, options: { tenant?: string; body?: unknown; readOnly?: boolean } = {}) => {
      const response = await fetch(`${base}${path}`, {
        method,
        headers: {
          ...(options.tenant ? { 'x-tenant': options.tenant } : {}),
          ...(options.readOnly ? { 'x-read-only': '1' } : {}),
          ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}),
        },
        ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
      });
      const text = await response.text();
      return { status: response.status, text, body: (text ? JSON.parse(text) : {}) as Answer };
    };
  };

  beforeAll(async () => {
    test = await getTestDb({ engine });
    db = test.db;
    const tenants = new TenantsRepository(db);
    tenantA = (await tenants.create('a')).id;
    tenantB = (await tenants.create('b')).id;
    receiver = new Receiver();
    await receiver.start();
    // Loopback is allowed (the receiver); private and link-local addresses are refused at connect, as in production.
    dispatcher = guardedDispatcher({ allowPrivate: false }).compose((dispatch) => (options, handler) => {
      origins.push(String(options.origin));
      return dispatch(options, handler);
    });
  });

  afterEach(async () => {
    await Promise.all(services.splice(0).map((webhooks) => webhooks.stop()));
    await Promise.all(apps.splice(0).map((app) => app.close()));
  });

  afterAll(async () => {
    await receiver?.close();
    await dispatcher?.close();
    await test?.close();
  });

  it('creates a webhook showing its secret once, sealed at rest, and never in list or get', async () => {
    const call = await api(service());
    const created = await call('POST', '/v1/inbox/webhooks', {
      tenant: tenantA,
      body: { url: `${receiver.base}/ok`, events: ['task.created', 'task.resolved', 'task.created'], description: 'ops' },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      object: 'inbox_webhook',
      id: expect.stringMatching(/^whk_/),
      url: `${receiver.base}/ok`,
      events: ['task.created', 'task.resolved'],
      description: 'ops',
      disabled: false,
    });
    const secret: string = created.body.secret;
    expect(secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);

    const listed = await call('GET', '/v1/inbox/webhooks', { tenant: tenantA });
    const read = await call('GET', `/v1/inbox/webhooks/${created.body.id}`, { tenant: tenantA });
    expect(listed.body.data.map((webhook: { id: string }) => webhook.id)).toContain(created.body.id);
    expect(read.body).not.toHaveProperty('secret');
    for (const text of [listed.text, read.text]) {
      expect(text).not.toContain(secret);
      expect(text).not.toContain('sealed');
    }
    const stored = await new InboxWebhooksRepository(db, tenantA).get(created.body.id);
    expect(stored?.sealedSecret).toMatch(/^thsb1\./);
    expect(stored?.sealedSecret).not.toContain(secret.slice(6));

    const patched = await call('PATCH', `/v1/inbox/webhooks/${created.body.id}`, {
      tenant: tenantA,
      body: { events: ['task.claimed'], description: null },
    });
    expect(patched.body).toMatchObject({ events: ['task.claimed'], description: null });
    expect(patched.text).not.toContain(secret);
    expect((await call('DELETE', `/v1/inbox/webhooks/${created.body.id}`, { tenant: tenantA })).status).toBe(204);
    expect((await call('GET', `/v1/inbox/webhooks/${created.body.id}`, { tenant: tenantA })).status).toBe(404);
  });

  it('validates bodies with 400s naming the field and needs webhooks:write to change anything', async () => {
    const call = await api(service());
    const bad = [
      [{ url: `${receiver.base}/ok`, events: [] }, 'events'],
      [{ url: `${receiver.base}/ok`, events: ['task.exploded'] }, 'events.0'],
      [{ url: `${receiver.base}/ok`, events: ['task.created'], extra: 1 }, undefined],
      [{ url: 'ftp://example.com/hook', events: ['task.created'] }, 'url'],
      [{ url: 'not a url', events: ['task.created'] }, 'url'],
      [{ events: ['task.created'] }, 'url'],
    ] as const;
    for (const [body, param] of bad) {
      const response = await call('POST', '/v1/inbox/webhooks', { tenant: tenantA, body });
      expect(response.status, JSON.stringify(body)).toBe(400);
      if (param) expect(response.body.error.param).toBe(param);
    }
    const body = { url: `${receiver.base}/ok`, events: ['task.created'] };
    expect((await call('POST', '/v1/inbox/webhooks', { body })).status).toBe(401);
    expect((await call('POST', '/v1/inbox/webhooks', { tenant: tenantA, body, readOnly: true })).status).toBe(403);
    expect((await call('GET', '/v1/inbox/webhooks', { tenant: tenantA, readOnly: true })).status).toBe(200);
  });

  it('refuses private and metadata URLs at create and update with a 400 on url, and never connects to them', async () => {
    const call = await api(service());
    for (const url of ['http://169.254.169.254/latest/meta-data/', 'http://10.0.0.1/hook']) {
      const response = await call('POST', '/v1/inbox/webhooks', { tenant: tenantA, body: { url, events: ['task.created'] } });
      expect(response.status).toBe(400);
      expect(response.body.error).toMatchObject({ param: 'url', code: 'webhook_url_refused' });
      expect(response.body.error.message).toMatch(/metadata|private/);
    }
    const created = await call('POST', '/v1/inbox/webhooks', {
      tenant: tenantA,
      body: { url: `${receiver.base}/ok`, events: ['task.claimed'] },
    });
    const patched = await call('PATCH', `/v1/inbox/webhooks/${created.body.id}`, { tenant: tenantA, body: { url: 'http://10.0.0.1/' } });
    expect(patched.status).toBe(400);
    expect(patched.body.error.param).toBe('url');
    expect((await call('GET', `/v1/inbox/webhooks/${created.body.id}`, { tenant: tenantA })).body.url).toBe(`${receiver.base}/ok`);
    expect(origins.some((origin) => origin.includes('169.254.') || origin.includes('10.0.0.1'))).toBe(false);
    await call('DELETE', `/v1/inbox/webhooks/${created.body.id}`, { tenant: tenantA });
  });

  it('refuses to create webhooks with a clear 4xx when the hub has no secret key', async () => {
    const call = await api(service({ secretBox: undefined }));
    const response = await call('POST', '/v1/inbox/webhooks', {
      tenant: tenantA,
      body: { url: `${receiver.base}/ok`, events: ['task.created'] },
    });
    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe('secret_key_not_configured');
    expect(response.body.error.message).toContain('TOKENHUB_SECRET_KEY');
  });

  it('delivers a signed event once, verifiable with verifyWebhookSignature, and logs it', async () => {
    const webhooks = service();
    webhooks.start();
    const call = await api(webhooks);
    const path = '/ok/signed';
    const created = await call('POST', '/v1/inbox/webhooks', {
      tenant: tenantA,
      body: { url: `${receiver.base}${path}`, events: ['task.created'] },
    });
    expect(await webhooks.emit(tenantA, 'task.created', { task_id: 'tsk_1', title: 'Refund order 42' })).toBe(1);
    expect(await webhooks.emit(tenantA, 'task.claimed', { task_id: 'tsk_1' })).toBe(0);
    await until(() => receiver.at(path).length === 1);

    const [request] = receiver.at(path);
    expect(verifyWebhookSignature(created.body.secret, request?.headers['tokenhub-signature'] as string, request?.body ?? '')).toBe(true);
    expect(verifyWebhookSignature('whsec_wrong', request?.headers['tokenhub-signature'] as string, request?.body ?? '')).toBe(false);
    expect(request?.headers['tokenhub-event']).toBe('task.created');
    expect(request?.headers['content-type']).toBe('application/json');
    const event = JSON.parse(request?.body ?? '') as WebhookEvent;
    expect(Object.keys(event)).toEqual(['id', 'type', 'created_at', 'tenant_id', 'data']);
    expect(event).toMatchObject({ type: 'task.created', tenant_id: tenantA, data: { task_id: 'tsk_1', title: 'Refund order 42' } });
    expect(event.id).toMatch(/^evt_/);

    await until(
      async () =>
        (await call('GET', `/v1/inbox/webhooks/${created.body.id}/deliveries`, { tenant: tenantA })).body.data[0]?.status === 'delivered',
    );
    const log = await call('GET', `/v1/inbox/webhooks/${created.body.id}/deliveries`, { tenant: tenantA });
    expect(log.body.data).toHaveLength(1);
    expect(log.body.data[0]).toMatchObject({
      id: request?.headers['tokenhub-delivery'],
      event_id: event.id,
      type: 'task.created',
      status: 'delivered',
      attempts: 1,
      last_status_code: 200,
      last_error: null,
      next_attempt_at: null,
    });
    expect(log.body.data[0]?.delivered_at).not.toBeNull();
    await call('DELETE', `/v1/inbox/webhooks/${created.body.id}`, { tenant: tenantA });
  });

  it('retries after 500s with backoff, then delivers', async () => {
    const webhooks = service({ backoffMs: [60, 120] });
    webhooks.start();
    const path = '/flaky/2/retry';
    const { webhook } = await webhooks.create(tenantA, { url: `${receiver.base}${path}`, events: ['task.resolved'] });
    await webhooks.emit(tenantA, 'task.resolved', { task_id: 'tsk_2' });
    await until(async () => (await webhooks.deliveries(tenantA, webhook.id, { limit: 5 })).data[0]?.status === 'delivered');

    const attempts = receiver.at(path);
    expect(attempts).toHaveLength(3);
    expect(new Set(attempts.map((attempt) => attempt.headers['tokenhub-delivery'])).size).toBe(1);
    // random 0.5 pins the jitter to none: the waits are the schedule's.
    expect((attempts[1]?.at ?? 0) - (attempts[0]?.at ?? 0)).toBeGreaterThanOrEqual(55);
    expect((attempts[2]?.at ?? 0) - (attempts[1]?.at ?? 0)).toBeGreaterThanOrEqual(115);
    const [delivery] = (await webhooks.deliveries(tenantA, webhook.id, { limit: 5 })).data;
    expect(delivery).toMatchObject({ status: 'delivered', attempts: 3, lastStatusCode: 200, lastError: null });
    await webhooks.delete(tenantA, webhook.id);
  });

  it('gives up after maxAttempts: failed in the delivery log with the answer truncated; redelivery queues it again', async () => {
    const webhooks = service({ maxAttempts: 3 });
    webhooks.start();
    const call = await api(webhooks);
    const path = '/down/max';
    const { webhook } = await webhooks.create(tenantA, { url: `${receiver.base}${path}`, events: ['task.returned'] });
    await webhooks.emit(tenantA, 'task.returned', { task_id: 'tsk_3' });
    const log = async () => (await call('GET', `/v1/inbox/webhooks/${webhook.id}/deliveries`, { tenant: tenantA })).body.data;
    await until(async () => (await log())[0]?.status === 'failed');

    expect(receiver.at(path)).toHaveLength(3);
    const failed = (await log())[0] as Answer;
    expect(failed).toMatchObject({ status: 'failed', attempts: 3, last_status_code: 500, next_attempt_at: null, delivered_at: null });
    expect(failed.last_error).toMatch(/^HTTP 500: boom x+/);
    expect(failed.last_error.length).toBeLessThan(4_200);

    expect((await call('POST', `/v1/inbox/webhooks/${webhook.id}/deliveries/${failed.id}/redeliver`, { tenant: tenantB })).status).toBe(
      404,
    );
    const again = await call('POST', `/v1/inbox/webhooks/${webhook.id}/deliveries/${failed.id}/redeliver`, { tenant: tenantA });
    expect(again.status).toBe(202);
    expect(again.body).toMatchObject({ status: 'pending', attempts: 0, event_id: failed.event_id, type: 'task.returned' });
    expect(again.body.id).not.toBe(failed.id);
    const pending = await call('POST', `/v1/inbox/webhooks/${webhook.id}/deliveries/${again.body.id}/redeliver`, { tenant: tenantA });
    expect([202, 409]).toContain(pending.status); // 409 while still pending; the worker may already have failed it again
    await until(async () => (await log()).every((delivery: { status: string }) => delivery.status === 'failed'));
    expect(receiver.at(path).length).toBeGreaterThanOrEqual(6);
    await webhooks.delete(tenantA, webhook.id);
  });

  it('does not follow redirects', async () => {
    const webhooks = service({ maxAttempts: 1 });
    webhooks.start();
    const { webhook } = await webhooks.create(tenantA, { url: `${receiver.base}/redirect`, events: ['task.claimed'] });
    const before = receiver.at('/ok').length;
    await webhooks.emit(tenantA, 'task.claimed', { task_id: 'tsk_4' });
    await until(async () => (await webhooks.deliveries(tenantA, webhook.id, { limit: 1 })).data[0]?.status === 'failed');
    const [delivery] = (await webhooks.deliveries(tenantA, webhook.id, { limit: 1 })).data;
    expect(delivery).toMatchObject({ lastStatusCode: 302, lastError: expect.stringContaining('redirects are not followed') });
    expect(receiver.at('/ok').length).toBe(before);
    await webhooks.delete(tenantA, webhook.id);
  });

  it('two workers on one database deliver each of 20 events exactly once', async () => {
    // On PostgreSQL the second replica gets a pool of its own, as another process would.
    let otherDb: Database = db;
    if (engine === 'postgres' && TEST_DATABASE_URL) {
      const [row] = await db.query<{ schema: string }>('select current_schema() as schema');
      otherDb = await openDatabase({ url: TEST_DATABASE_URL, schema: row?.schema ?? 'public' });
    }
    receiver.delayMs = 20;
    try {
      const first = service({ concurrency: 4 });
      const second = service({ concurrency: 4, db: otherDb });
      first.start();
      second.start();
      const path = '/ok/replicas';
      const { webhook } = await first.create(tenantA, { url: `${receiver.base}${path}`, events: ['task.created'] });
      await Promise.all(Array.from({ length: 20 }, (_, index) => (index % 2 ? first : second).emit(tenantA, 'task.created', { index })));
      await until(async () => {
        const { data } = await first.deliveries(tenantA, webhook.id, { limit: 100 });
        return data.length === 20 && data.every((delivery) => delivery.status === 'delivered');
      });
      const requests = receiver.at(path);
      expect(requests).toHaveLength(20);
      expect(new Set(requests.map((request) => request.headers['tokenhub-delivery'])).size).toBe(20);
      const indexes = requests
        .map((request) => (JSON.parse(request.body) as WebhookEvent).data.index)
        .sort((a, b) => Number(a) - Number(b));
      expect(indexes).toEqual(Array.from({ length: 20 }, (_, index) => index));
      const { data } = await first.deliveries(tenantA, webhook.id, { limit: 100 });
      expect(data.every((delivery) => delivery.attempts === 1)).toBe(true);
      await first.delete(tenantA, webhook.id);
    } finally {
      receiver.delayMs = 0;
      await Promise.all(services.splice(0).map((webhooks) => webhooks.stop()));
      if (otherDb !== db) await otherDb.close();
    }
  });

  it("keeps tenants apart: another tenant's webhook is a 404 and its events go to its own webhooks only", async () => {
    const webhooks = service();
    webhooks.start();
    const call = await api(webhooks);
    const path = '/ok/isolated-a';
    const created = await call('POST', '/v1/inbox/webhooks', {
      tenant: tenantA,
      body: { url: `${receiver.base}${path}`, events: ['task.sla_breached'] },
    });
    const id = created.body.id;
    expect((await call('GET', '/v1/inbox/webhooks', { tenant: tenantB })).body.data).toEqual([]);
    for (const [method, suffix, body] of [
      ['GET', '', undefined],
      ['PATCH', '', { disabled: true }],
      ['DELETE', '', undefined],
      ['GET', '/deliveries', undefined],
      ['POST', '/test', undefined],
    ] as const) {
      const response = await call(method, `/v1/inbox/webhooks/${id}${suffix}`, { tenant: tenantB, ...(body ? { body } : {}) });
      expect(response.status, `${method} ${suffix}`).toBe(404);
    }
    expect(await webhooks.emit(tenantB, 'task.sla_breached', { task_id: 'tsk_b' })).toBe(0);
    expect(await webhooks.emit(tenantA, 'task.sla_breached', { task_id: 'tsk_a' })).toBe(1);
    await until(() => receiver.at(path).length === 1);
    expect(JSON.parse(receiver.at(path)[0]?.body ?? '')).toMatchObject({ tenant_id: tenantA, data: { task_id: 'tsk_a' } });
    const [row] = await db.query<{ count: unknown }>('select count(*) as count from webhook_deliveries where tenant_id = $1', [tenantB]);
    expect(Number(row?.count)).toBe(0);
    expect((await call('GET', `/v1/inbox/webhooks/${id}`, { tenant: tenantA })).body.disabled).toBe(false);
    await call('DELETE', `/v1/inbox/webhooks/${id}`, { tenant: tenantA });
  });

  it('sends a disabled webhook nothing, and resumes when it is enabled', async () => {
    const webhooks = service();
    webhooks.start();
    const call = await api(webhooks);
    const path = '/ok/disabled';
    const created = await call('POST', '/v1/inbox/webhooks', {
      tenant: tenantA,
      body: { url: `${receiver.base}${path}`, events: ['task.created'] },
    });
    const id = created.body.id;
    expect((await call('PATCH', `/v1/inbox/webhooks/${id}`, { tenant: tenantA, body: { disabled: true } })).body.disabled).toBe(true);
    expect(await webhooks.emit(tenantA, 'task.created', { task_id: 'tsk_5' })).toBe(0);
    expect((await call('POST', `/v1/inbox/webhooks/${id}/test`, { tenant: tenantA })).status).toBe(409);
    expect((await call('GET', `/v1/inbox/webhooks/${id}/deliveries`, { tenant: tenantA })).body.data).toEqual([]);

    await call('PATCH', `/v1/inbox/webhooks/${id}`, { tenant: tenantA, body: { disabled: false } });
    const test = await call('POST', `/v1/inbox/webhooks/${id}/test`, { tenant: tenantA });
    expect(test.status).toBe(202);
    expect(test.body).toMatchObject({ type: 'webhook.test', status: 'pending' });
    await until(() => receiver.at(path).length === 1);
    expect(receiver.at(path)[0]?.headers['tokenhub-event']).toBe('webhook.test');
    expect(JSON.parse(receiver.at(path)[0]?.body ?? '')).toMatchObject({ type: 'webhook.test', data: { webhook_id: id } });
    await call('DELETE', `/v1/inbox/webhooks/${id}`, { tenant: tenantA });
  });

  it('pages the delivery log newest first', async () => {
    const webhooks = service();
    const call = await api(webhooks);
    const { webhook } = await webhooks.create(tenantA, { url: `${receiver.base}/ok/paged`, events: ['task.claimed'] });
    for (let index = 0; index < 5; index++) await webhooks.emit(tenantA, 'task.claimed', { index });
    const first = await call('GET', `/v1/inbox/webhooks/${webhook.id}/deliveries?limit=2`, { tenant: tenantA });
    expect(first.body.data.map((delivery: { event: WebhookEvent }) => delivery.event.data.index)).toEqual([4, 3]);
    expect(first.body.has_more).toBe(true);
    const next = await call('GET', `/v1/inbox/webhooks/${webhook.id}/deliveries?limit=3&after=${first.body.data[1]?.id}`, {
      tenant: tenantA,
    });
    expect(next.body.data.map((delivery: { event: WebhookEvent }) => delivery.event.data.index)).toEqual([2, 1, 0]);
    expect(next.body.has_more).toBe(false);
    expect((await call('GET', `/v1/inbox/webhooks/${webhook.id}/deliveries?limit=0`, { tenant: tenantA })).status).toBe(400);
    await webhooks.delete(tenantA, webhook.id);
  });

  it('stop() waits for the sends in flight and records them', async () => {
    const webhooks = service();
    webhooks.start();
    const path = '/ok/stopping';
    const { webhook } = await webhooks.create(tenantA, { url: `${receiver.base}${path}`, events: ['task.created'] });
    receiver.delayMs = 300;
    try {
      await webhooks.emit(tenantA, 'task.created', {});
      await until(() => receiver.at(path).length === 1);
      await webhooks.stop();
      const [delivery] = (await webhooks.deliveries(tenantA, webhook.id, { limit: 1 })).data;
      expect(delivery?.status).toBe('delivered');
    } finally {
      receiver.delayMs = 0;
    }
    await webhooks.delete(tenantA, webhook.id);
  });

  it('re-seals signing secrets under a rotated key, and keeps signing with the same secret', async () => {
    const { webhook, secret } = await service().create(tenantA, { url: `${receiver.base}/ok/rotated`, events: ['task.claimed'] });
    const rotated = createSecretBox('another-test-secret-key-of-32-chars!!!', ['a-test-secret-key-of-at-least-32-chars!!']);
    expect(await resealWebhookSecrets(db, rotated)).toBeGreaterThanOrEqual(1);
    expect(sealedKeyId((await new InboxWebhooksRepository(db, tenantA).get(webhook.id))?.sealedSecret ?? '')).toBe(rotated.keyId);
    expect(await resealWebhookSecrets(db, rotated)).toBe(0);

    const webhooks = service({ secretBox: createSecretBox('another-test-secret-key-of-32-chars!!!') });
    webhooks.start();
    await webhooks.emit(tenantA, 'task.claimed', { task_id: 'tsk_6' });
    await until(() => receiver.at('/ok/rotated').length === 1);
    const [request] = receiver.at('/ok/rotated');
    expect(verifyWebhookSignature(secret, request?.headers['tokenhub-signature'] as string, request?.body ?? '')).toBe(true);
    await webhooks.delete(tenantA, webhook.id);
  });
});
