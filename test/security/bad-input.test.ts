/**
 * Regressions of the attack report's F7 and F11: input the database cannot hold (dates outside its
 * range, NUL, unpaired surrogates, cursors past bigint) is a 400 naming the field, never a 500; an id
 * that cannot exist is a 404; and no error message echoes the client's input at full length.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_ERROR_MESSAGE_LENGTH } from '../../src/core/index.js';
import { type FakeOpenAI, startFakeOpenAI } from '../fake-upstreams/openai.js';
import { startTestHub, type TestHub } from '../support/hub.js';

let upstream: FakeOpenAI;
let hub: TestHub;
let virtualKey: string;
let tenantId: string;
let keyId: string;
let responseId: string;

interface Answer {
  status: number;
  body: { error?: { message: string; type: string; param: string | null; code: string | null } } & Record<string, unknown>;
}

async function call(method: string, path: string, options: { key?: string; body?: unknown } = {}): Promise<Answer> {
  const headers: Record<string, string> = { authorization: `Bearer ${options.key ?? hub.adminKey}` };
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(`${hub.url}${path}`, {
    method,
    headers,
    ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
  });
  const text = await response.text();
  return {
    status: response.status,
    body: response.headers.get('content-type')?.includes('json') ? (JSON.parse(text) as Answer['body']) : {},
  };
}

/** A 4xx in the OpenAI error shape, naming `param`. */
function expectRefused(answer: Answer, status: number, param: string | null, where: string): void {
  expect(answer.status, `${where}: ${JSON.stringify(answer.body).slice(0, 300)}`).toBe(status);
  expect(answer.body.error, where).toMatchObject({ type: 'invalid_request_error', param });
  expect(typeof answer.body.error?.message, where).toBe('string');
  expect(typeof answer.body.error?.code, where).toBe('string');
}

const cursorOf = (text: string): string => Buffer.from(text).toString('base64url');

beforeAll(async () => {
  upstream = await startFakeOpenAI();
  hub = await startTestHub({
    providers: [{ id: 'oa', type: 'openai', base_url: upstream.url }],
    models: [{ name: 'gpt-test', targets: [{ provider: 'oa', model: 'up' }], pricing: { input_per_mtok: 1, output_per_mtok: 2 } }],
  });
  const tenant = await call('POST', '/admin/v1/tenants', { body: { name: 'bad input' } });
  tenantId = tenant.body.id as string;
  const key = await call('POST', '/admin/v1/keys', { body: { tenant_id: tenantId, name: 'fuzz' } });
  virtualKey = key.body.key as string;
  keyId = key.body.id as string;
  const created = await call('POST', '/v1/responses', { key: virtualKey, body: { model: 'gpt-test', input: 'hi', max_output_tokens: 16 } });
  expect(created.status).toBe(200);
  responseId = created.body.id as string;
});

afterAll(async () => {
  await hub?.close();
  await upstream?.close();
});

describe('F7: dates outside the database range', () => {
  const BAD_DATES = [
    '0000-01-01',
    '-271821-04-20',
    '275760-09-13',
    '99999',
    '-001000-01-01T00:00:00Z',
    '-100000-01-01T00:00:00Z',
    '1969-12-31',
    '9999-12-31T00:00:00.001Z',
    '9999-12-31T23:59:59.999Z',
  ];
  const ROUTES = ['/v1/me/usage', '/admin/v1/usage', '/admin/v1/ledger', '/admin/v1/ledger?format=csv', '/admin/v1/audit'];

  it('are a 400 naming from or to on every route that filters by time', async () => {
    for (const route of ROUTES) {
      const key = route === '/v1/me/usage' ? virtualKey : hub.adminKey;
      for (const field of ['from', 'to']) {
        for (const date of BAD_DATES) {
          const path = `${route}${route.includes('?') ? '&' : '?'}${field}=${encodeURIComponent(date)}`;
          expectRefused(await call('GET', path, { key }), 400, field, `GET ${path}`);
        }
      }
    }
  });

  it('accept the bounds of the range, with every grouping', async () => {
    for (const groupBy of ['model', 'day', 'hour', 'none']) {
      const path = `/v1/me/usage?from=1970-01-01T00:00:00Z&to=9999-12-31T00:00:00Z&group_by=${groupBy}`;
      expect((await call('GET', path, { key: virtualKey })).status, path).toBe(200);
    }
    for (const path of ['/admin/v1/usage', '/admin/v1/ledger', '/admin/v1/audit']) {
      expect((await call('GET', `${path}?from=1970-01-01&to=9999-12-31`)).status, path).toBe(200);
    }
  });
});

describe('F7: NUL in query strings and ids', () => {
  it('is a 400 on the model filter of usage and ledger', async () => {
    expectRefused(await call('GET', '/v1/me/usage?model=%00', { key: virtualKey }), 400, 'model', '/v1/me/usage');
    expectRefused(await call('GET', '/v1/me/usage?model=a%00b&group_by=day', { key: virtualKey }), 400, 'model', '/v1/me/usage');
    for (const path of ['/admin/v1/usage?model=%00', '/admin/v1/ledger?model=%00', '/admin/v1/ledger?format=csv&model=%00']) {
      expectRefused(await call('GET', path), 400, 'model', path);
    }
  });

  it('names no stored response: GET, DELETE and input_items answer 404, and the real one is untouched', async () => {
    for (const id of ['resp_%00', `${responseId}%00`, '%00']) {
      for (const [method, path] of [
        ['GET', `/v1/responses/${id}`],
        ['DELETE', `/v1/responses/${id}`],
        ['GET', `/v1/responses/${id}/input_items`],
      ] as const) {
        const answer = await call(method, path, { key: virtualKey });
        expect(answer.status, `${method} ${path}`).toBe(404);
        expect(answer.body.error, `${method} ${path}`).toMatchObject({ type: 'invalid_request_error', code: 'response_not_found' });
      }
    }
    expect((await call('GET', `/v1/responses/${responseId}`, { key: virtualKey })).status).toBe(200);
  });

  it('is a 400 in previous_response_id, before the upstream is called', async () => {
    const before = upstream.requests.length;
    for (const previous of ['resp_\u0000x', 'resp_\ud800x', '\udfff']) {
      const answer = await call('POST', '/v1/responses', {
        key: virtualKey,
        body: { model: 'gpt-test', input: 'hi fuzz', max_output_tokens: 16, previous_response_id: previous },
      });
      expectRefused(answer, 400, 'previous_response_id', JSON.stringify(previous));
    }
    expect(upstream.requests.length).toBe(before);
  });
});

describe('F7: NUL and unpaired surrogates in stored names', () => {
  const BAD_TEXT = ['a\u0000b', '\u0000', 'a\ud800b', '\udfff', 'x\udbff'];

  it('are a 400 naming the field on tenants, projects, keys and models', async () => {
    for (const text of BAD_TEXT) {
      const where = JSON.stringify(text);
      expectRefused(await call('POST', '/admin/v1/tenants', { body: { name: text } }), 400, 'name', `tenant ${where}`);
      expectRefused(
        await call('POST', '/admin/v1/projects', { body: { tenant_id: tenantId, name: text } }),
        400,
        'name',
        `project ${where}`,
      );
      expectRefused(await call('POST', '/admin/v1/keys', { body: { tenant_id: tenantId, name: text } }), 400, 'name', `key ${where}`);
      expectRefused(
        await call('POST', '/admin/v1/keys', { body: { tenant_id: tenantId, models: ['gpt-test', text] } }),
        400,
        'models.1',
        `key models ${where}`,
      );
      expectRefused(await call('PATCH', `/admin/v1/keys/${keyId}`, { body: { name: text } }), 400, 'name', `PATCH key ${where}`);
      expectRefused(
        await call('PATCH', `/admin/v1/keys/${keyId}`, { body: { models: [text] } }),
        400,
        'models.0',
        `PATCH key models ${where}`,
      );
      expectRefused(
        await call('POST', '/admin/v1/models', { body: { name: 'nul-model', targets: [{ provider: 'oa', model: text }] } }),
        400,
        'targets.0.model',
        `model target ${where}`,
      );
      expectRefused(
        await call('PATCH', '/admin/v1/models/gpt-test', { body: { targets: [{ provider: 'oa', model: text }] } }),
        400,
        'targets.0.model',
        `PATCH model target ${where}`,
      );
    }
    // Paired surrogates are ordinary text.
    expect((await call('POST', '/admin/v1/tenants', { body: { name: 'emoji 😀 \udbff\udfff' } })).status).toBe(201);
  });
});

describe('F7: cursors past bigint', () => {
  const OVERFLOWING = ['99999999999999999999999', '9223372036854775808', '00000000000000000000001'];

  it('are a 400 naming cursor on the ledger (JSON and CSV) and the audit log', async () => {
    for (const seq of OVERFLOWING) {
      for (const path of [
        `/admin/v1/ledger?cursor=${cursorOf(`seq:${seq}`)}`,
        `/admin/v1/ledger?format=csv&cursor=${cursorOf(`seq:${seq}`)}`,
      ]) {
        expectRefused(await call('GET', path), 400, 'cursor', path);
      }
      expectRefused(await call('GET', `/admin/v1/audit?cursor=${cursorOf(`audit:${seq}`)}`), 400, 'cursor', `audit ${seq}`);
    }
    // One route's cursor is no cursor of the other.
    expectRefused(await call('GET', `/admin/v1/ledger?cursor=${cursorOf('audit:1')}`), 400, 'cursor', 'audit cursor on the ledger');
  });

  it('accept the largest bigint', async () => {
    expect((await call('GET', `/admin/v1/ledger?cursor=${cursorOf('seq:9223372036854775807')}`)).status).toBe(200);
    expect((await call('GET', `/admin/v1/audit?cursor=${cursorOf('audit:9223372036854775807')}`)).status).toBe(200);
  });
});

describe('F11: error messages do not echo input at full length', () => {
  const huge = `m${'x'.repeat(500_000)}`;

  it('bounds the model-not-found message of every surface, keeping its start and its explanation', async () => {
    const answers = [
      await call('POST', '/v1/chat/completions', { body: { model: huge, messages: [{ role: 'user', content: 'hi' }] } }),
      await call('POST', '/v1/responses', { body: { model: huge, input: 'hi' } }),
      await call('GET', `/v1/models/${huge.slice(0, 8_000)}`),
    ];
    for (const answer of answers) {
      expect(answer.status).toBe(404);
      const message = answer.body.error?.message ?? '';
      expect(message.length).toBeLessThanOrEqual(MAX_ERROR_MESSAGE_LENGTH);
      expect(message).toMatch(/^The model `mxxx/);
      expect(message).toContain('…');
      expect(message).toMatch(/does not exist or you do not have access to it\.$/);
    }
    const anthropic = await fetch(`${hub.url}/v1/messages`, {
      method: 'POST',
      headers: { 'x-api-key': hub.adminKey, 'content-type': 'application/json', 'anthropic-version': '2023-06-01' },
      body: JSON.stringify({ model: huge, max_tokens: 5, messages: [{ role: 'user', content: 'hi' }] }),
    });
    const body = (await anthropic.json()) as { type: string; error: { message: string } };
    expect(anthropic.status).toBe(404);
    expect(body.type).toBe('error');
    expect(body.error.message.length).toBeLessThanOrEqual(MAX_ERROR_MESSAGE_LENGTH);
  });

  it('bounds messages that quote an id or a field', async () => {
    const answer = await call('GET', `/v1/responses/resp_${'y'.repeat(490)}`, { key: virtualKey });
    expect(answer.status).toBe(404);
    expect(answer.body.error?.message.length).toBeLessThanOrEqual(MAX_ERROR_MESSAGE_LENGTH);
    expect(answer.body.error?.message).toMatch(/not found\.$/);
  });
});
