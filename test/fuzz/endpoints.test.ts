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
  type Protocol,
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

/** A valid body per admin resource, the seed the fuzzed bodies mutate. */
function adminSeed(url: string): Record<string, unknown> {
  if (url.startsWith('/admin/v1/providers'))
    return { id: 'fz', type: 'openai', base_url: openai.url, api_key: 'sk-fuzz', headers: { 'x-a': 'b' } };
  if (url.startsWith('/admin/v1/models')) return { name: 'fz-model', targets: [{ provider: 'oa', model: 'up' }], fallbacks: ['fuzz-chat'] };
  return { name: 'fuzz', tenant_id: 'tnt_x', project_id: 'prj_x', limit_usd: '1.00', period: 'monthly' };
}

function registered(method: string, url: string): boolean {
  return hub.hub.app.hasRoute({ method: method as 'GET', url });
}

/** Percent-encodes the UTF-8 bytes (a lone surrogate becomes U+FFFD, as a browser would send it). */
function percentEncode(text: string): string {
  let encoded = '';
  for (const byte of new TextEncoder().encode(text)) {
    const char = String.fromCharCode(byte);
    encoded += /[A-Za-z0-9\-_.~]/.test(char) ? char : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return encoded;
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
            const protocol: Protocol = path.startsWith('/v1/messages') ? 'anthropic' : 'openai';
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
            pathSegment,
            fc.option(
              fc.array(fc.tuple(fc.constantFrom('tenant_id', 'project_id', 'limit', 'cursor', 'from', 'to', 'x'), pathSegment), {
                maxLength: 3,
              }),
              {
                nil: undefined,
              },
            ),
            bodies(adminSeed(route.url), BODY_LIMIT),
            fc.boolean(),
            async (id, query, body, authorized) => {
              const path =
                route.url.replace(':id', id).replace(':name', id) +
                (query ? `?${query.map(([key, value]) => `${key}=${value}`).join('&')}` : '');
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
