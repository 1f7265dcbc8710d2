/**
 * Property-based fuzzing of the agent runtime's routes: `/v1/agents…`, `/v1/runs…`, `/v1/threads…`,
 * `/v1/tool-secrets…`, `/mcp` and `/admin/v1/agents…`. Fuzzed bodies (hostile tool definitions, URL
 * templates, deep JSON Schemas, huge limits, storage edges in every field), fuzzed path ids, query strings
 * and `Last-Event-ID` headers, with the right key, no key, a garbage key and the admin key. The property:
 * below 500, an error in the OpenAI shape (JSON-RPC at `/mcp`), never a hang, and the hub still answers.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKey, createTenant } from '../support/economy.js';
import { startTestHub, type TestHub } from '../support/hub.js';
import {
  anyJson,
  bodies,
  contentTypes,
  edgyString,
  expectProtocolAnswer,
  type FuzzAnswer,
  FuzzClient,
  fuzzParameters,
  headerValue,
  hugeNumeric,
  mutated,
  percentEncode,
  queryValue,
  RUNS,
  storageEdge,
  unicodeEdge,
} from './support.js';

const BODY_LIMIT = 64 * 1024;
const PROPERTY_TIMEOUT_MS = 120_000;
/** Runs per property: a share of the suite's, so this file stays around a minute. */
const runs = (share = 0.35): number => Math.max(20, Math.round(RUNS * share));

let hub: TestHub;
let client: FuzzClient;
let tenantId: string;
let keyAuth: Record<string, string>;
let runId: string;
let threadId: string;

const AGENT = 'fz-agent';
const validAgent = (name: string): Record<string, unknown> => ({
  name,
  model: 'scripted',
  instructions: 'Answer briefly.',
  tools: [
    { type: 'builtin', name: 'calculator' },
    {
      type: 'http',
      name: 'lookup',
      description: 'Look it up',
      parameters: { type: 'object', properties: { id: { type: 'string' } }, required: ['id'] },
      request: { method: 'GET', url: 'http://127.0.0.1:9/items/{id}', headers: { authorization: 'Bearer {{secret:TOKEN}}' } },
      secrets: ['TOKEN'],
      timeout_ms: 1000,
    },
  ],
  limits: { max_turns: 3, max_tool_calls: 5, max_cost_usd: '1.00', timeout_s: 30 },
  metadata: { description: 'fuzz' },
});

beforeAll(async () => {
  hub = await startTestHub(
    {
      server: { body_limit_bytes: BODY_LIMIT },
      providers: [{ id: 'script', type: 'scripted' }],
      models: [{ name: 'scripted', targets: [{ provider: 'script', model: 'scripted' }] }],
    },
    { secretKey: 'fuzz-agents-secret-key-'.padEnd(40, 'z') },
  );
  hub.hub.scripted('script').setScript([{ text: 'ok', repeat: true }]);
  client = new FuzzClient(hub.url);
  tenantId = (await createTenant(hub, 'fuzz-agents')).id;
  const key = await createKey(hub, { tenant_id: tenantId, name: 'fuzz agents', scopes: ['inference', 'agents:write', 'agents:run'] });
  keyAuth = { authorization: `Bearer ${key.key}` };
  const json = { ...keyAuth, 'content-type': 'application/json' };
  const created = await client.send('POST', '/v1/agents', json, JSON.stringify(validAgent(AGENT)));
  expect(created.status, created.text).toBe(201);
  const run = await client.send('POST', `/v1/agents/${AGENT}/runs`, json, JSON.stringify({ input: 'Hi' }));
  expect(run.status, run.text).toBe(200);
  runId = (JSON.parse(run.text) as { id: string }).id;
  const thread = await client.send('POST', '/v1/threads', json, '{}');
  threadId = (JSON.parse(thread.text) as { id: string }).id;
}, 60_000);

afterAll(async () => {
  await client?.close();
  await hub?.close();
});

type Caller = 'key' | 'none' | 'garbage' | 'admin';
const callers = fc.constantFrom<Caller>('key', 'key', 'key', 'none', 'garbage', 'admin');
function headersOf(caller: Caller, hasBody: boolean, contentType = 'application/json'): Record<string, string> {
  const headers: Record<string, string> =
    caller === 'key'
      ? { ...keyAuth }
      : caller === 'garbage'
        ? { authorization: 'Bearer thk_not_a_key' }
        : caller === 'admin'
          ? { authorization: `Bearer ${hub.adminKey}` }
          : {};
  if (hasBody) headers['content-type'] = contentType;
  return headers;
}

/** Below 500 in the OpenAI shape; a caller without the tenant's key never gets through. */
function expectAnswer(answer: FuzzAnswer, caller: Caller, context: string): void {
  expectProtocolAnswer(answer, 'openai', `${context} as ${caller}`);
  if (caller !== 'key') expect(answer.status, `${context} as ${caller}`).toBeGreaterThanOrEqual(400);
}

/** Edgy ids, raw edge bytes for the URL parser, and near-misses of real ids. */
const pathSegment = fc.oneof(
  edgyString.map(percentEncode),
  // No `..` or `.`: the client resolves them before sending (endpoints.test.ts fuzzes that).
  fc.constantFrom('%', '%zz', '%00', '%ff%fe', '%2e%2e%2f', 'a'.repeat(600), ';', '*', 'run_', 'thr_', 'run_%00', AGENT),
  fc.constantFrom('run_', 'thr_', 'msg_').chain((prefix) => fc.stringMatching(/^[A-Za-z0-9]{0,70}$/).map((rest) => prefix + rest)),
);

/** A URL template an operator should not be able to write, or one that nearly parses. */
const hostileUrl = fc.oneof(
  fc.constantFrom(
    'http://169.254.169.254/latest/meta-data/{id}',
    'http://127.0.0.1:1/{id}',
    'http://[::1]/{id}',
    'http://0x7f000001/{id}',
    'file:///etc/passwd',
    'gopher://x/{id}',
    '{+id}',
    '{id}://x',
    'https://{id}.example.com/',
    'https://user:pass@example.com/{id}',
    'https://example.com/{id',
    'https://example.com/{}',
    'https://example.com/{id:99999}',
    'https://example.com/{id:0}',
    'https://example.com/{#id*}{?id,id,id}',
    'https://example.com/{%00}',
    'https://example.com/{undeclared}',
    'https://example.com/{id}'.repeat(300),
    'https://example.com:99999/{id}',
    'https:///{id}',
    'https://example.com/{.id}{;id}{&id}',
  ),
  edgyString.map((text) => `https://example.com/${text}`),
  edgyString,
);

/** A JSON Schema nested `depth` deep (object properties or array items), with a hostile leaf. */
const deepSchema = fc
  .record({
    // Past ~1,000 levels JSON.stringify itself overflows here; the hub's JSON body parser takes deeper.
    depth: fc.integer({ min: 1, max: 1_000 }),
    kind: fc.constantFrom('properties', 'items', 'allOf'),
    leaf: fc.constantFrom<Record<string, unknown>>(
      { type: 'string', pattern: '(a+)+$' },
      { type: 'string', pattern: '[' },
      { $ref: '#' },
      { $ref: '#/definitions/missing' },
      { type: 'nonsense' },
      { minLength: 1e308, maxLength: -1 },
      { type: 'integer', multipleOf: 0 },
      { format: 'unknown-format' },
      { type: 'string' },
    ),
  })
  .map(({ depth, kind, leaf }) => {
    let schema: Record<string, unknown> = leaf;
    for (let level = 0; level < depth; level += 1) {
      if (kind === 'properties') schema = { type: 'object', properties: { id: schema } };
      else if (kind === 'items') schema = { type: 'array', items: schema };
      else schema = { allOf: [schema] };
    }
    return schema;
  });

const toolParameters = fc.oneof(deepSchema, anyJson, fc.dictionary(fc.oneof(edgyString, unicodeEdge), storageEdge, { maxKeys: 4 }));

const hostileTool = fc.oneof(
  fc.record({
    type: fc.constant('http'),
    name: fc.oneof(fc.constant('lookup'), edgyString),
    description: fc.oneof(fc.constant('d'), edgyString, fc.constant('x'.repeat(5_000))),
    parameters: fc.oneof(fc.constant({ type: 'object', properties: { id: { type: 'string' } } }), toolParameters),
    request: fc.record({
      method: fc.oneof(fc.constantFrom('GET', 'POST', 'TRACE'), edgyString),
      url: hostileUrl,
      headers: fc.oneof(
        fc.dictionary(
          fc.oneof(edgyString, fc.constantFrom('host', 'Idempotency-Key', 'x-a')),
          fc.oneof(edgyString, fc.constant('{{secret:X}}')),
        ),
        anyJson,
      ),
      body: fc.oneof(fc.constant('arguments'), anyJson),
    }),
    secrets: fc.oneof(fc.array(fc.oneof(fc.constant('X'), edgyString), { maxLength: 40 }), anyJson),
    timeout_ms: fc.oneof(hugeNumeric, fc.integer(), fc.double()),
    max_response_bytes: fc.oneof(hugeNumeric, fc.integer(), fc.double()),
    approval: fc.oneof(fc.constantFrom('never', 'always'), edgyString),
    idempotent: fc.oneof(fc.boolean(), anyJson),
  }),
  fc.record({
    type: fc.constant('mcp'),
    name: fc.oneof(fc.constant('crm'), edgyString),
    server: fc.oneof(
      fc.record({ url: hostileUrl, headers: fc.dictionary(edgyString, edgyString, { maxKeys: 3 }) }),
      fc.record({ command: fc.oneof(fc.constant('/bin/sh'), edgyString), args: fc.array(edgyString, { maxLength: 3 }) }),
      anyJson,
    ),
    include: fc.oneof(fc.array(edgyString, { maxLength: 3 }), anyJson),
  }),
  fc.record({ type: fc.constantFrom('agent', 'app', 'builtin', 'nope'), name: edgyString, agent: edgyString, description: edgyString }),
  anyJson,
);

/** A definition with any field hostile: tools, schemas, limits, handoffs, metadata. */
const hostileDefinition = fc
  .record({
    name: fc.oneof(fc.stringMatching(/^fz-[a-z0-9]{1,8}$/), edgyString, fc.constant('a'.repeat(65))),
    model: fc.oneof(fc.constant('scripted'), edgyString, fc.constant('x'.repeat(300))),
    instructions: fc.oneof(edgyString, fc.constant('i'.repeat(100_001)), anyJson),
    tools: fc.oneof(
      fc.array(hostileTool, { maxLength: 3 }),
      fc.constant(Array.from({ length: 129 }, () => ({ type: 'builtin', name: 'calculator' }))),
    ),
    handoffs: fc.oneof(fc.array(fc.oneof(fc.constant(AGENT), edgyString), { maxLength: 3 }), anyJson),
    output_schema: fc.oneof(deepSchema, toolParameters),
    limits: fc.oneof(
      fc.record({
        max_turns: fc.oneof(hugeNumeric, fc.integer(), fc.double()),
        max_tool_calls: fc.oneof(hugeNumeric, fc.integer()),
        max_cost_usd: fc.oneof(hugeNumeric, edgyString, fc.constantFrom('-1', '0', '1e-30', 'NaN', 'Infinity', '0.0000001')),
        timeout_s: fc.oneof(hugeNumeric, fc.integer()),
      }),
      anyJson,
    ),
    metadata: fc.oneof(fc.dictionary(fc.oneof(edgyString, unicodeEdge), storageEdge, { maxKeys: 4 }), anyJson),
  })
  .chain((definition) => fc.subarray(Object.keys(definition), { minLength: 1 }).map((keys) => pick(definition, keys)));

function pick(value: Record<string, unknown>, keys: string[]): Record<string, unknown> {
  return Object.fromEntries(keys.map((key) => [key, value[key]]));
}

/** A definition body: mutations of a valid one, hostile ones, and the suite's generic junk. */
const definitionBodies = fc.oneof(
  { weight: 3, arbitrary: bodies(validAgent('fz-new'), BODY_LIMIT) },
  { weight: 3, arbitrary: hostileDefinition.map((definition) => JSON.stringify({ model: 'scripted', name: 'fz-h', ...definition })) },
  // One hostile field in an otherwise valid definition, so it reaches the checks after the schema (URL policy, storage).
  {
    weight: 3,
    arbitrary: fc
      .record({
        name: fc.stringMatching(/^fz-[a-z0-9]{1,8}$/),
        field: fc.oneof(
          hostileTool.map((tool) => ({ tools: [tool] })),
          deepSchema.map((schema) => ({ output_schema: schema })),
          deepSchema.map((schema) => ({ tools: [{ ...((validAgent('x').tools as unknown[])[1] as object), parameters: schema }] })),
          fc.dictionary(fc.oneof(edgyString, unicodeEdge), storageEdge, { maxKeys: 3 }).map((metadata) => ({ metadata })),
        ),
      })
      .map(({ name, field }) => JSON.stringify({ ...validAgent(name), ...field })),
  },
);

describe('agent definitions', () => {
  it('the agent routes are registered', () => {
    for (const [method, url] of [
      ['POST', '/v1/agents'],
      ['PUT', '/v1/agents/:name'],
      ['POST', '/v1/agents/:name/runs'],
      ['GET', '/v1/runs/:id/events'],
      ['POST', '/v1/threads/:id/messages'],
      ['PUT', '/v1/tool-secrets/:name'],
      ['POST', '/mcp'],
      ['POST', '/admin/v1/agents'],
    ] as const) {
      expect(hub.hub.app.hasRoute({ method, url }), `${method} ${url}`).toBe(true);
    }
  });

  it(
    'POST /v1/agents and PUT /v1/agents/{name} with hostile definitions',
    async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom('POST', 'PUT'),
          definitionBodies,
          contentTypes,
          callers,
          async (method, body, contentType, caller) => {
            // PUT changes a throwaway agent (never the one the run properties use).
            const path = method === 'POST' ? '/v1/agents' : '/v1/agents/fz-put';
            const answer = await client.send(method, path, headersOf(caller, true, contentType), body);
            expectAnswer(answer, caller, `${method} ${path}`);
          },
        ),
        fuzzParameters(runs(0.5)),
      );
    },
    PROPERTY_TIMEOUT_MS,
  );

  it(
    'every /v1/agents/{name} route with any name, query and body',
    async () => {
      const routes = [
        ['GET', ''],
        ['PUT', ''],
        ['DELETE', ''],
        ['GET', '/versions'],
        ['POST', '/activate'],
        ['POST', '/runs'],
      ] as const;
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom(...routes),
          pathSegment,
          fc.option(fc.array(fc.tuple(fc.constantFrom('tenant_id', 'version', 'limit', 'x'), queryValue), { maxLength: 2 }), {
            nil: undefined,
          }),
          fc.oneof(
            fc.record({ version: fc.oneof(hugeNumeric, fc.integer(), fc.double(), edgyString) }).map((body) => JSON.stringify(body)),
            anyJson.map((body) => JSON.stringify(body) ?? 'null'),
          ),
          callers,
          async ([method, suffix], name, pairs, body, caller) => {
            // The seeded agent is never deleted or replaced: the run properties need it.
            const target = name === AGENT && (method === 'DELETE' || method === 'PUT') ? `${AGENT}x` : name;
            const query = pairs ? `?${pairs.map(([key, value]) => `${key}=${value}`).join('&')}` : '';
            const path = `/v1/agents/${target}${suffix}${query}`;
            const hasBody = method !== 'GET' && method !== 'DELETE';
            const answer = await client.send(method, path, headersOf(caller, hasBody), hasBody ? body : undefined);
            expectAnswer(answer, caller, `${method} ${path}`);
          },
        ),
        fuzzParameters(runs()),
      );
    },
    PROPERTY_TIMEOUT_MS,
  );
});

describe('runs', () => {
  it(
    'POST /v1/agents/{name}/runs with fuzzed inputs, thread ids, metadata, stream and background',
    async () => {
      const valid = { input: 'Hi', metadata: { note: 'n' }, stream: false, background: false };
      await fc.assert(
        fc.asyncProperty(
          fc.oneof(
            { weight: 3, arbitrary: mutated(valid).map((body) => JSON.stringify(body) ?? 'null') },
            { weight: 1, arbitrary: bodies(valid, BODY_LIMIT) },
            {
              weight: 2,
              arbitrary: fc
                .record({
                  input: fc.oneof(
                    edgyString,
                    fc.array(
                      fc.record({ role: fc.oneof(fc.constantFrom('user', 'system', 'assistant', 'tool'), edgyString), content: anyJson }),
                      {
                        maxLength: 3,
                      },
                    ),
                    anyJson,
                  ),
                  thread_id: fc.oneof(fc.constant(threadId), edgyString, fc.constant('thr_unknown')),
                  stream: fc.oneof(fc.boolean(), anyJson),
                  background: fc.boolean(),
                  metadata: fc.dictionary(fc.oneof(edgyString, unicodeEdge), storageEdge, { maxKeys: 3 }),
                })
                .chain((body) => fc.subarray(Object.keys(body), { minLength: 1 }).map((keys) => JSON.stringify(pick(body, keys)))),
            },
          ),
          callers,
          async (body, caller) => {
            const answer = await client.send('POST', `/v1/agents/${AGENT}/runs`, headersOf(caller, true), body);
            expectAnswer(answer, caller, `POST /v1/agents/${AGENT}/runs ${body.slice(0, 200)}`);
            if (answer.status === 200 && !answer.contentType.startsWith('text/event-stream')) {
              expect(JSON.parse(answer.text), answer.text.slice(0, 300)).toMatchObject({ object: 'agent.run' });
            }
          },
        ),
        fuzzParameters(runs()),
      );
    },
    PROPERTY_TIMEOUT_MS,
  );

  it(
    'GET /v1/runs/{id}, its events (any Last-Event-ID), cancel and approvals with any id and body',
    async () => {
      const ids = fc.oneof({ weight: 3, arbitrary: pathSegment }, { weight: 2, arbitrary: fc.constant('REAL') });
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom('GET', 'GET /events', 'POST /cancel', 'POST /approvals'),
          ids,
          fc.option(
            fc.oneof(
              headerValue,
              fc.constantFrom('0', '-1', '1', '999999999', '9999999999', '1e3', '01', ' 1', '0x10', '99999999999999999999999'),
              hugeNumeric.map(String),
            ),
            { nil: undefined },
          ),
          fc.oneof(
            fc
              .record({
                call_id: fc.oneof(edgyString, fc.constant('call_1')),
                decision: fc.oneof(fc.constantFrom('approve', 'reject'), edgyString),
                reason: fc.oneof(edgyString, anyJson),
              })
              .map((body) => JSON.stringify(body)),
            anyJson.map((body) => JSON.stringify(body) ?? 'null'),
          ),
          callers,
          async (operation, id, lastEventId, body, caller) => {
            const [method, suffix = ''] = operation.split(' ') as [string, string | undefined];
            const path = `/v1/runs/${id === 'REAL' ? runId : id}${suffix}`;
            const hasBody = method === 'POST';
            const headers = headersOf(caller, hasBody);
            if (lastEventId !== undefined) headers['last-event-id'] = lastEventId;
            const answer = await client.send(method, path, headers, hasBody ? body : undefined);
            expectAnswer(answer, caller, `${method} ${path} (Last-Event-ID ${JSON.stringify(lastEventId)})`);
            if (answer.status === 200 && suffix === '/events') expect(answer.contentType).toMatch(/^text\/event-stream/);
          },
        ),
        fuzzParameters(runs()),
      );
      const events = await client.send('GET', `/v1/runs/${runId}/events`, keyAuth);
      expect(events.text).toContain('event: run.completed');
    },
    PROPERTY_TIMEOUT_MS,
  );
});

describe('threads and tool secrets', () => {
  it(
    'POST /v1/threads, GET and POST /v1/threads/{id}/messages with any id, query and body',
    async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom('POST /v1/threads', 'GET messages', 'POST messages'),
          fc.oneof({ weight: 2, arbitrary: pathSegment }, { weight: 2, arbitrary: fc.constant('REAL') }),
          fc.option(
            fc.array(
              fc.oneof(
                fc.tuple(fc.constantFrom('limit', 'after', 'x'), queryValue),
                fc.tuple(
                  fc.constant('limit'),
                  hugeNumeric.map((value) => percentEncode(String(value))),
                ),
                fc.tuple(fc.constant('after'), pathSegment),
              ),
              { maxLength: 2 },
            ),
            { nil: undefined },
          ),
          fc.oneof(
            fc
              .record({
                agent: fc.oneof(fc.constant(AGENT), edgyString),
                content: fc.oneof(fc.constant('Hi'), edgyString, anyJson),
                metadata: fc.oneof(fc.dictionary(fc.oneof(edgyString, unicodeEdge), storageEdge, { maxKeys: 3 }), anyJson),
              })
              .chain((body) => fc.subarray(Object.keys(body)).map((keys) => JSON.stringify(pick(body, keys)))),
            anyJson.map((body) => JSON.stringify(body) ?? 'null'),
            fc.string({ unit: 'binary', maxLength: 40 }),
          ),
          callers,
          async (operation, id, pairs, body, caller) => {
            const query = pairs ? `?${pairs.map(([key, value]) => `${key}=${value}`).join('&')}` : '';
            const thread = id === 'REAL' ? threadId : id;
            const [method, path] =
              operation === 'POST /v1/threads'
                ? ['POST', `/v1/threads${query}`]
                : [operation.split(' ')[0] ?? 'GET', `/v1/threads/${thread}/messages${query}`];
            const hasBody = method === 'POST';
            const answer = await client.send(method, path, headersOf(caller, hasBody), hasBody ? body : undefined);
            expectAnswer(answer, caller, `${method} ${path} ${hasBody ? body.slice(0, 200) : ''}`);
          },
        ),
        fuzzParameters(runs()),
      );
    },
    PROPERTY_TIMEOUT_MS,
  );

  it(
    'GET /v1/tool-secrets, PUT and DELETE /v1/tool-secrets/{name} with any name and value',
    async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom('GET', 'PUT', 'DELETE'),
          fc.oneof(pathSegment, fc.constant('TOKEN')),
          fc.oneof(
            fc.record({ value: fc.oneof(edgyString, fc.constant('x'.repeat(60_000)), anyJson) }).map((body) => JSON.stringify(body)),
            anyJson.map((body) => JSON.stringify(body) ?? 'null'),
          ),
          callers,
          async (method, name, body, caller) => {
            const path = method === 'GET' ? '/v1/tool-secrets' : `/v1/tool-secrets/${name}`;
            const hasBody = method === 'PUT';
            const answer = await client.send(method, path, headersOf(caller, hasBody), hasBody ? body : undefined);
            expectAnswer(answer, caller, `${method} ${path}`);
          },
        ),
        fuzzParameters(runs()),
      );
    },
    PROPERTY_TIMEOUT_MS,
  );
});

/** `/mcp` answers JSON-RPC: an error body is `{jsonrpc: '2.0', error: {code, message}}` (or the hub's own, before it). */
function expectMcpAnswer(answer: FuzzAnswer, caller: Caller, context: string): void {
  const where = `${context} as ${caller} → ${answer.status} ${answer.text.slice(0, 300)}`;
  expect(answer.status, where).toBeLessThan(500);
  if (caller !== 'key') expect(answer.status, where).toBeGreaterThanOrEqual(400);
  if (answer.status < 400 || !answer.contentType.startsWith('application/json')) return;
  const body = JSON.parse(answer.text) as { jsonrpc?: unknown; error?: { code?: unknown; message?: unknown; type?: unknown } };
  expect(typeof body.error?.message, where).toBe('string');
  if (body.jsonrpc !== undefined) expect(typeof body.error?.code, where).toBe('number');
  else expectProtocolAnswer(answer, 'openai', context);
}

describe('MCP', () => {
  it(
    'POST /mcp with fuzzed JSON-RPC messages',
    async () => {
      const call = fc.record({
        jsonrpc: fc.oneof(fc.constant('2.0'), anyJson),
        id: fc.oneof(fc.integer(), edgyString, anyJson),
        method: fc.oneof(fc.constantFrom('tools/list', 'tools/call', 'initialize', 'ping', 'resources/list'), edgyString),
        params: fc.oneof(
          fc.record({
            name: fc.oneof(fc.constant(AGENT), edgyString),
            arguments: fc.oneof(fc.record({ input: fc.oneof(fc.constant('Hi'), edgyString, anyJson) }), anyJson),
          }),
          fc.record({ protocolVersion: fc.oneof(fc.constant('2025-03-26'), edgyString), capabilities: anyJson, clientInfo: anyJson }),
          anyJson,
        ),
      });
      await fc.assert(
        fc.asyncProperty(
          fc.oneof(
            { weight: 4, arbitrary: call.map((message) => JSON.stringify(message)) },
            { weight: 1, arbitrary: fc.array(call, { maxLength: 3 }).map((batch) => JSON.stringify(batch)) },
            { weight: 1, arbitrary: bodies({ jsonrpc: '2.0', id: 1, method: 'tools/list' }, BODY_LIMIT) },
          ),
          fc.constantFrom('application/json, text/event-stream', 'application/json', 'text/event-stream', '*/*', ''),
          callers,
          async (body, accept, caller) => {
            const headers = { ...headersOf(caller, true), ...(accept ? { accept } : {}) };
            const answer = await client.send('POST', '/mcp', headers, body);
            expectMcpAnswer(answer, caller, `POST /mcp ${typeof body === 'string' ? body.slice(0, 200) : 'bytes'}`);
          },
        ),
        fuzzParameters(runs()),
      );
    },
    PROPERTY_TIMEOUT_MS,
  );
});

describe('admin agent routes', () => {
  it(
    '/admin/v1/agents… with fuzzed tenant ids, names and definitions',
    async () => {
      const routes = [
        ['GET', ''],
        ['POST', ''],
        ['GET', '/:name'],
        ['PUT', '/:name'],
        ['DELETE', '/:name'],
        ['GET', '/:name/versions'],
        ['POST', '/:name/activate'],
      ] as const;
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom(...routes),
          fc.oneof(pathSegment, fc.constant('fz-admin')),
          fc.oneof(fc.constant(tenantId).map(percentEncode), queryValue),
          fc.oneof(
            definitionBodies,
            fc
              .record({ tenant_id: fc.oneof(fc.constant(tenantId), storageEdge, anyJson), definition: hostileDefinition })
              .map(({ tenant_id, definition }) => JSON.stringify({ tenant_id, name: 'fz-admin', model: 'scripted', ...definition })),
          ),
          fc.constantFrom<Caller>('admin', 'admin', 'admin', 'none', 'garbage', 'key'),
          async ([method, suffix], name, tenant, body, caller) => {
            const path = `/admin/v1/agents${suffix.replace(':name', name)}?tenant_id=${tenant}`;
            const hasBody = method !== 'GET' && method !== 'DELETE';
            const answer = await client.send(method, path, headersOf(caller, hasBody), hasBody ? body : undefined);
            expectProtocolAnswer(answer, 'openai', `${method} ${path} as ${caller}`);
            if (caller !== 'admin') expect(answer.status, `${method} ${path} as ${caller}`).toBeGreaterThanOrEqual(400);
          },
        ),
        fuzzParameters(runs()),
      );
    },
    PROPERTY_TIMEOUT_MS,
  );
});

describe('after the fuzzing', () => {
  it('the hub still answers: the seeded agent runs, its run reads back, a chat completion succeeds', async () => {
    const json = { ...keyAuth, 'content-type': 'application/json' };
    const run = await client.send('POST', `/v1/agents/${AGENT}/runs`, json, JSON.stringify({ input: 'Still there?' }));
    expect(run.status, run.text).toBe(200);
    expect(JSON.parse(run.text)).toMatchObject({ object: 'agent.run', status: 'completed', output: { text: 'ok' } });
    expect((await client.send('GET', `/v1/runs/${runId}`, keyAuth)).status).toBe(200);
    const chat = await client.send(
      'POST',
      '/v1/chat/completions',
      json,
      JSON.stringify({ model: 'scripted', messages: [{ role: 'user', content: 'Hi' }] }),
    );
    expect(chat.status, chat.text).toBe(200);
  });
});
