/**
 * Property-based fuzzing of every public endpoint (and every admin route that exists when this runs):
 * malformed, oversized, deeply nested, wrongly typed and unicode-edge bodies, headers, paths and
 * methods. The property: a 4xx in the route's protocol shape (OpenAI for /v1/* and /admin/*, Anthropic
 * for /v1/messages), never a 5xx, never a crash, never a hang (each request has a client deadline).
 * A valid request may slip through a mutation; it then reaches a fake upstream and must simply succeed.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeAnthropic, startFakeAnthropic } from '../fake-upstreams/anthropic.js';
import { type FakeOpenAI, startFakeOpenAI } from '../fake-upstreams/openai.js';
import { startTestHub, type TestHub } from '../support/hub.js';
import {
  bodies,
  contentTypes,
  edgyString,
  expectProtocolAnswer,
  FuzzClient,
  type FuzzClient as FuzzClientType,
  fuzzParameters,
  headerValue,
  outOfRangeDate,
  overflowingCursor,
  type Protocol,
  percentEncode,
  queryValue,
  RUNS,
  unicodeEdge,
} from './support.js';

const BODY_LIMIT = 64 * 1024;
// A fuzz file runs ~2,000 requests; on a loaded 2-core box that needs more than vitest's 30 s default.
const PROPERTY_TIMEOUT_MS = 120_000;

let openai: FakeOpenAI;
let anthropic: FakeAnthropic;
let hub: TestHub;
let client: FuzzClientType;
let auth: Record<string, string>;
/** A virtual key of a real tenant: the routes only a virtual key reaches (`/v1/me/usage`) and its own responses. */
let keyAuth: Record<string, string>;
let tenantId: string;
/** Another key of that tenant, for the admin key routes to PATCH and DELETE. */
let targetKeyId: string;
let responseId: string;

beforeAll(async () => {
  openai = await startFakeOpenAI();
  anthropic = await startFakeAnthropic();
  hub = await startTestHub(
    {
      server: { body_limit_bytes: BODY_LIMIT },
      providers: [
        { id: 'oa', type: 'openai', base_url: openai.url },
        { id: 'an', type: 'anthropic', base_url: anthropic.url, api_key: 'sk-ant-fake' },
      ],
      models: [
        { name: 'fuzz-chat', targets: [{ provider: 'oa', model: 'up-chat' }] },
        { name: 'fuzz-claude', targets: [{ provider: 'an', model: 'up-claude' }] },
        { name: 'fuzz-embed', kind: 'embedding', targets: [{ provider: 'oa', model: 'up-embed' }] },
      ],
      routing: { retries: 0, timeout_ms: 4_000, first_byte_timeout_ms: 2_000 },
    },
    { secretKey: 'fuzz-secret-key-'.padEnd(40, 'z') },
  );
  client = new FuzzClient(hub.url);
  auth = { authorization: `Bearer ${hub.adminKey}` };
  const json = { ...auth, 'content-type': 'application/json' };
  const post = async (path: string, body: unknown): Promise<{ id: string; key?: string }> =>
    JSON.parse((await client.send('POST', path, json, JSON.stringify(body))).text) as { id: string; key?: string };
  tenantId = (await post('/admin/v1/tenants', { name: 'fuzz' })).id;
  keyAuth = { authorization: `Bearer ${(await post('/admin/v1/keys', { tenant_id: tenantId, name: 'fuzz' })).key}` };
  targetKeyId = (await post('/admin/v1/keys', { tenant_id: tenantId, name: 'fuzz target' })).id;
  const created = await client.send(
    'POST',
    '/v1/responses',
    { ...keyAuth, 'content-type': 'application/json' },
    JSON.stringify({ model: 'fuzz-chat', input: 'Hi', max_output_tokens: 16 }),
  );
  responseId = (JSON.parse(created.text) as { id: string }).id;
});

afterAll(async () => {
  await client?.close();
  await hub?.close();
  await openai?.close();
  await anthropic?.close();
});

interface BodyRoute {
  path: string;
  protocol: Protocol;
  valid: Record<string, unknown>;
}

const chat = { model: 'fuzz-chat', messages: [{ role: 'user', content: 'Hi' }], max_tokens: 5 };
const BODY_ROUTES: BodyRoute[] = [
  { path: '/v1/chat/completions', protocol: 'openai', valid: { ...chat, stream: false } },
  { path: '/v1/messages', protocol: 'anthropic', valid: { ...chat, model: 'fuzz-claude' } },
  { path: '/v1/embeddings', protocol: 'openai', valid: { model: 'fuzz-embed', input: 'hello' } },
  { path: '/v1/completions', protocol: 'openai', valid: { model: 'fuzz-chat', prompt: 'Hi', max_tokens: 5 } },
  { path: '/v1/responses', protocol: 'openai', valid: { model: 'fuzz-chat', input: 'Hi', max_output_tokens: 16 } },
];

/** Admin routes known to the contract; only those registered when this runs are fuzzed. */
const ADMIN_ROUTES: { method: 'GET' | 'POST' | 'PATCH' | 'DELETE'; url: string }[] = [
  { method: 'POST', url: '/admin/v1/tenants' },
  { method: 'GET', url: '/admin/v1/tenants' },
  { method: 'POST', url: '/admin/v1/projects' },
  { method: 'GET', url: '/admin/v1/projects' },
  { method: 'POST', url: '/admin/v1/keys' },
  { method: 'GET', url: '/admin/v1/keys' },
  { method: 'GET', url: '/admin/v1/keys/:id' },
  { method: 'PATCH', url: '/admin/v1/keys/:id' },
  { method: 'DELETE', url: '/admin/v1/keys/:id' },
  { method: 'POST', url: '/admin/v1/budgets' },
  { method: 'GET', url: '/admin/v1/budgets' },
  { method: 'GET', url: '/admin/v1/budgets/:id' },
  { method: 'PATCH', url: '/admin/v1/budgets/:id' },
  { method: 'DELETE', url: '/admin/v1/budgets/:id' },
  { method: 'GET', url: '/admin/v1/usage' },
  { method: 'GET', url: '/admin/v1/ledger' },
  { method: 'GET', url: '/admin/v1/local-models' },
  { method: 'GET', url: '/admin/v1/audit' },
  { method: 'POST', url: '/admin/v1/providers' },
  { method: 'GET', url: '/admin/v1/providers' },
  { method: 'GET', url: '/admin/v1/providers/:id' },
  { method: 'PATCH', url: '/admin/v1/providers/:id' },
  { method: 'DELETE', url: '/admin/v1/providers/:id' },
  { method: 'POST', url: '/admin/v1/models' },
  { method: 'GET', url: '/admin/v1/models' },
  { method: 'GET', url: '/admin/v1/models/:name' },
  { method: 'PATCH', url: '/admin/v1/models/:name' },
  { method: 'DELETE', url: '/admin/v1/models/:name' },
  { method: 'POST', url: '/admin/v1/secrets/rotate' },
  { method: 'GET', url: '/v1/me/usage' },
];

/** A valid body per admin resource, the seed the fuzzed bodies mutate (a real tenant, so names reach the database). */
function adminSeed(url: string): Record<string, unknown> {
  if (url.startsWith('/admin/v1/providers'))
    return { id: 'fz', type: 'openai', base_url: openai.url, api_key: 'sk-fuzz', headers: { 'x-a': 'b' } };
  if (url.startsWith('/admin/v1/models')) return { name: 'fz-model', targets: [{ provider: 'oa', model: 'up' }], fallbacks: ['fuzz-chat'] };
  if (url === '/admin/v1/tenants') return { name: 'fuzz tenant' };
  if (url === '/admin/v1/projects') return { tenant_id: tenantId, name: 'fuzz project' };
  if (url.startsWith('/admin/v1/keys')) return { tenant_id: tenantId, name: 'fuzz key', models: ['fuzz-chat', 'fuzz-embed'] };
  return { name: 'fuzz', tenant_id: 'tnt_x', project_id: 'prj_x', limit_usd: '1.00', period: 'monthly' };
}

/** A real id for `:id` now and then, so PATCH and GET reach the row (never the fuzzing virtual key itself). */
const realIdFor = (url: string): string | undefined => (url.startsWith('/admin/v1/keys/') ? targetKeyId : undefined);

/** Query parameters the routes read, fuzzed with values that break storage (dates, NUL, cursors, huge numbers). */
const QUERY_KEYS = [
  'tenant_id',
  'project_id',
  'key_id',
  'model',
  'limit',
  'cursor',
  'from',
  'to',
  'group_by',
  'action',
  'format',
  'scope',
  'x',
];
const query = fc.option(
  fc.array(
    fc.oneof(
      fc.tuple(fc.constantFrom(...QUERY_KEYS), queryValue),
      fc.tuple(fc.constantFrom('from', 'to'), outOfRangeDate.map(percentEncode)),
      fc.tuple(fc.constant('cursor'), overflowingCursor),
    ),
    { maxLength: 3 },
  ),
  { nil: undefined },
);
const queryString = (pairs: [string, string][] | undefined): string =>
  pairs ? `?${pairs.map(([key, value]) => `${key}=${value}`).join('&')}` : '';

function registered(method: string, url: string): boolean {
  return hub.hub.app.hasRoute({ method: method as 'GET', url });
}

/** Edgy ids, plus raw edge bytes (`%`, broken UTF-8, dot segments) to test the URL parser too. */
const pathSegment = fc.oneof(
  edgyString.map(percentEncode),
  fc.constantFrom('%', '%zz', '%E0%A4%A', '%00', '%ff%fe', '..', '.', '%2e%2e%2f', 'a'.repeat(600), '%F0%9F%98', ';', '*'),
);

describe('bodies at every POST endpoint', () => {
  it('the chat, messages, embeddings, completions and responses routes are the ones fuzzed', () => {
    for (const path of ['/v1/chat/completions', '/v1/messages', '/v1/embeddings', '/v1/models', '/v1/models/*']) {
      expect(registered(path === '/v1/models' || path === '/v1/models/*' ? 'GET' : 'POST', path), path).toBe(true);
    }
  });

  for (const route of BODY_ROUTES) {
    it(
      `POST ${route.path}`,
      async () => {
        if (!registered('POST', route.path)) return; // not registered in this build (e.g. /v1/responses)
        await fc.assert(
          fc.asyncProperty(bodies(route.valid, BODY_LIMIT), contentTypes, fc.boolean(), async (body, contentType, stream) => {
            let payload = body;
            // Half the JSON bodies ask for a stream, so the streaming validation path is fuzzed too.
            if (stream && typeof body === 'string' && body.startsWith('{"')) payload = `{"stream":true,${body.slice(1)}`;
            const answer = await client.send('POST', route.path, { ...auth, 'content-type': contentType }, payload);
            expectProtocolAnswer(answer, route.protocol, `POST ${route.path} (${contentType})`);
          }),
          fuzzParameters(),
        );
      },
      PROPERTY_TIMEOUT_MS,
    );
  }
});

describe('headers', () => {
  it(
    'random auth, request-id, version and extra headers on chat and messages',
    async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom('/v1/chat/completions', '/v1/messages'),
          fc.oneof(
            fc.constant(`Bearer ${hub.adminKey}`),
            headerValue,
            headerValue.map((value) => `Bearer ${value}`),
            fc.constant(`Bearer ${hub.adminKey}${'x'.repeat(100)}`),
            fc.constant(''),
          ),
          headerValue,
          headerValue,
          fc.dictionary(fc.stringMatching(/^x-[a-z0-9-]{1,20}$/), headerValue, { maxKeys: 5 }),
          async (path, authorization, requestId, version, extra) => {
            const protocol: Protocol = path === '/v1/messages' ? 'anthropic' : 'openai';
            const body = JSON.stringify(path === '/v1/messages' ? { ...chat, model: 'fuzz-claude' } : chat);
            const answer = await client.send(
              'POST',
              path,
              {
                ...extra,
                'content-type': 'application/json',
                authorization,
                'x-api-key': requestId,
                'x-request-id': requestId,
                'anthropic-version': version,
              },
              body,
            );
            expectProtocolAnswer(answer, protocol, `POST ${path} with fuzzed headers`);
          },
        ),
        fuzzParameters(),
      );
    },
    PROPERTY_TIMEOUT_MS,
  );
});

describe('paths, methods and query strings', () => {
  it(
    'GET /v1/models/{id} with any id',
    async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(pathSegment, { minLength: 1, maxLength: 3 }), async (segments) => {
          const path = `/v1/models/${segments.join('/')}`;
          const answer = await client.send('GET', path, auth);
          expectProtocolAnswer(answer, 'openai', `GET ${path}`);
        }),
        fuzzParameters(),
      );
    },
    PROPERTY_TIMEOUT_MS,
  );

  it(
    'any method on any known or unknown path under /v1, /admin/v1 and the probes',
    async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'),
          fc.constantFrom(
            '/v1/chat/completions',
            '/v1/messages',
            '/v1/messages/count_tokens',
            '/v1/embeddings',
            '/v1/models',
            '/v1/responses',
            '/admin/v1/keys',
            '/admin/v1/tenants',
            '/admin/v1/providers',
            '/admin/v1/models',
            '/admin/v1/secrets/rotate',
            '/healthz',
            '/readyz',
            '/metrics',
            '/v1',
            '/',
          ),
          fc.option(pathSegment, { nil: undefined }),
          fc.option(fc.array(fc.tuple(pathSegment, pathSegment), { maxLength: 3 }), { nil: undefined }),
          async (method, base, extra, query) => {
            const path = `${base}${extra === undefined ? '' : `/${extra}`}${query ? `?${query.map(([k, v]) => `${k}=${v}`).join('&')}` : ''}`;
            const hasBody = method !== 'GET' && method !== 'OPTIONS';
            const answer = await client.send(
              method,
              path,
              hasBody ? { ...auth, 'content-type': 'application/json' } : auth,
              hasBody ? '{}' : undefined,
            );
            // Dot segments are resolved before the request is sent (`/v1/messages/..` is `/v1/`).
            const protocol: Protocol = new URL(`http://hub${path}`).pathname.startsWith('/v1/messages') ? 'anthropic' : 'openai';
            expectProtocolAnswer(answer, protocol, `${method} ${path}`);
          },
        ),
        fuzzParameters(),
      );
    },
    PROPERTY_TIMEOUT_MS,
  );
});

describe('admin routes (those registered in this build)', () => {
  it(
    'fuzzed bodies, ids and query strings',
    async () => {
      const routes = ADMIN_ROUTES.filter((route) => registered(route.method, route.url));
      if (routes.length === 0) return;
      // Spread the run budget over the routes, at least 20 each.
      const perRoute = Math.max(20, Math.ceil(RUNS / 2));
      for (const route of routes) {
        await fc.assert(
          fc.asyncProperty(
            fc.oneof({ weight: 4, arbitrary: pathSegment }, { weight: 1, arbitrary: fc.constant(realIdFor(route.url) ?? 'none') }),
            query,
            bodies(adminSeed(route.url), BODY_LIMIT),
            fc.boolean(),
            async (id, pairs, body, authorized) => {
              const path = route.url.replace(':id', id).replace(':name', id) + queryString(pairs);
              const hasBody = route.method === 'POST' || route.method === 'PATCH';
              const headers: Record<string, string> = authorized ? { ...auth } : { authorization: 'Bearer thk_not_a_key' };
              if (hasBody) headers['content-type'] = 'application/json';
              const answer = await client.send(route.method, path, headers, hasBody ? body : undefined);
              expectProtocolAnswer(answer, 'openai', `${route.method} ${path}`);
              if (!authorized) expect(answer.status, `${route.method} ${path} without the admin key`).toBeGreaterThanOrEqual(400);
            },
          ),
          fuzzParameters(perRoute),
        );
      }
    },
    PROPERTY_TIMEOUT_MS * 2,
  );
});

describe('routes of a virtual key', () => {
  it(
    'GET /v1/me/usage with fuzzed filters',
    async () => {
      await fc.assert(
        fc.asyncProperty(query, async (pairs) => {
          const path = `/v1/me/usage${queryString(pairs)}`;
          const answer = await client.send('GET', path, keyAuth);
          expectProtocolAnswer(answer, 'openai', `GET ${path}`);
        }),
        fuzzParameters(),
      );
    },
    PROPERTY_TIMEOUT_MS,
  );

  it(
    'GET and DELETE /v1/responses/{id} and GET …/input_items with any id',
    async () => {
      const ids = fc.oneof(
        { weight: 3, arbitrary: pathSegment },
        { weight: 1, arbitrary: fc.constantFrom('resp_%00', 'resp_%00x', '%00') },
        { weight: 1, arbitrary: pathSegment.map((segment) => `${responseId}${segment}`) },
      );
      await fc.assert(
        fc.asyncProperty(
          ids,
          fc.constantFrom('GET', 'DELETE', 'GET input_items'),
          fc.boolean(),
          query,
          async (id, operation, asAdmin, pairs) => {
            const path = operation === 'GET input_items' ? `/v1/responses/${id}/input_items${queryString(pairs)}` : `/v1/responses/${id}`;
            const method = operation === 'DELETE' ? 'DELETE' : 'GET';
            const answer = await client.send(method, path, asAdmin ? auth : keyAuth);
            expectProtocolAnswer(answer, 'openai', `${method} ${path}`);
          },
        ),
        fuzzParameters(),
      );
      // The fuzzed ids never reached the real one.
      expect((await client.send('GET', `/v1/responses/${responseId}`, keyAuth)).status).toBe(200);
    },
    PROPERTY_TIMEOUT_MS,
  );

  it(
    'POST /v1/responses with storage edges in input, instructions, metadata and previous_response_id',
    async () => {
      const valid = {
        model: 'fuzz-chat',
        input: 'Hi',
        instructions: 'Be brief.',
        metadata: { note: 'n' },
        previous_response_id: responseId,
      };
      await fc.assert(
        fc.asyncProperty(bodies(valid, BODY_LIMIT), fc.boolean(), async (body, stream) => {
          const payload = stream && typeof body === 'string' && body.startsWith('{"') ? `{"stream":true,${body.slice(1)}` : body;
          const answer = await client.send('POST', '/v1/responses', { ...keyAuth, 'content-type': 'application/json' }, payload);
          expectProtocolAnswer(answer, 'openai', 'POST /v1/responses');
          // A 200 that says it stored the response has stored it.
          if (answer.status === 200 && answer.contentType.startsWith('application/json')) {
            const created = JSON.parse(answer.text) as { id?: string; store?: boolean };
            if (created.store === true && created.id) {
              const stored = await client.send('GET', `/v1/responses/${created.id}`, keyAuth);
              expect(stored.status, `stored ${created.id} for ${typeof body === 'string' ? body.slice(0, 200) : 'bytes'}`).toBe(200);
            }
          }
        }),
        fuzzParameters(Math.ceil(RUNS / 2)),
      );
    },
    PROPERTY_TIMEOUT_MS,
  );
});

describe('unicode edges survive the round trip', () => {
  it(
    'edge strings as message content reach the upstream intact or are refused cleanly',
    async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(unicodeEdge, { minLength: 1, maxLength: 5 }), async (pieces) => {
          const content = pieces.join('');
          const answer = await client.send(
            'POST',
            '/v1/chat/completions',
            { ...auth, 'content-type': 'application/json' },
            JSON.stringify({ ...chat, messages: [{ role: 'user', content }] }),
          );
          expectProtocolAnswer(answer, 'openai', `content ${JSON.stringify(content)}`);
        }),
        fuzzParameters(Math.ceil(RUNS / 4)),
      );
    },
    PROPERTY_TIMEOUT_MS,
  );
});
