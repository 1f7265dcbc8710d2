import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { guardedDispatcher } from '../../../test/support/guarded-dispatcher.js';
import { createHttpTool, type HttpToolDeps } from './http-tool.js';
import type { ToolCallContext } from './tool.js';
import { type HttpToolDefinition, httpToolSchema } from './tool-definitions.js';

const SECRET = 'sk-live-0123456789abcdef';

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

let server: Server;
let base: string;
const seen: Seen[] = [];

function handle(request: IncomingMessage, response: ServerResponse, body: string): void {
  seen.push({ method: request.method ?? '', url: request.url ?? '', headers: request.headers, body });
  const path = new URL(request.url ?? '/', 'http://x').pathname;
  if (path === '/slow') {
    const timer = setTimeout(() => response.end('late'), 5000);
    response.on('close', () => clearTimeout(timer));
    return;
  }
  if (path === '/big') {
    response.writeHead(200, { 'content-type': 'text/plain' });
    const chunk = 'x'.repeat(64 * 1024);
    let sent = 0;
    const write = (): void => {
      while (sent < 64 && !response.destroyed) {
        sent++;
        if (!response.write(chunk)) {
          response.once('drain', write);
          return;
        }
      }
      response.end();
    };
    write();
    return;
  }
  if (path === '/declared-big') {
    response.writeHead(200, { 'content-length': String(10 * 1024 * 1024) });
    response.write('partial');
    return;
  }
  if (path === '/fail') {
    response.writeHead(502, { 'content-type': 'text/plain' });
    response.end(`upstream broke; you sent ${request.headers.authorization} ${'!'.repeat(5000)}`);
    return;
  }
  if (path === '/empty') {
    response.writeHead(204).end();
    return;
  }
  response.writeHead(200, { 'content-type': 'application/json' });
  response.end(JSON.stringify({ method: request.method, url: request.url, authorization: request.headers.authorization, body }));
}

beforeAll(async () => {
  server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => handle(request, response, Buffer.concat(chunks).toString('utf8')));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const context = (overrides: Partial<ToolCallContext> = {}): ToolCallContext => ({
  tenantId: 'ten_1',
  runId: 'run_1',
  callId: 'call_1',
  idempotencyKey: 'run_1:step_3:call_1',
  signal: new AbortController().signal,
  ...overrides,
});

const deps = (overrides: Partial<HttpToolDeps> = {}): HttpToolDeps => ({
  dispatcher: guardedDispatcher(),
  resolveSecret: (name) => Promise.resolve(name === 'API_KEY' ? SECRET : undefined),
  ...overrides,
});

function tool(url: string, extra: Record<string, unknown> = {}): HttpToolDefinition {
  return httpToolSchema.parse({
    type: 'http',
    name: 'lookup',
    description: 'Looks things up',
    parameters: { type: 'object', properties: { id: { type: 'string' }, q: { type: 'string' }, tags: { type: 'array' } } },
    request: { method: 'GET', url },
    ...extra,
  });
}

const resultJson = (outcome: { type: string; content?: string }): Record<string, unknown> => {
  expect(outcome.type).toBe('result');
  return JSON.parse(outcome.content ?? '') as Record<string, unknown>;
};

describe('http tool', () => {
  it('expands the URL template with RFC 6570 escaping and sends the Idempotency-Key', async () => {
    const http = createHttpTool(tool(`${base}/users/{id}{?q,tags*}`), deps());
    const outcome = await http.invoke({ id: 'a/b c?&#é', q: 'x=1&y', tags: ['p q', 'r'] }, context());
    expect(resultJson(outcome).url).toBe('/users/a%2Fb%20c%3F%26%23%C3%A9?q=x%3D1%26y&tags=p%20q&tags=r');
    expect(seen.at(-1)?.headers['idempotency-key']).toBe('run_1:step_3:call_1');
  });

  it('refuses arguments that would climb the path with dot segments', async () => {
    const http = createHttpTool(tool(`${base}/users/{id}/profile`), deps());
    expect(await http.invoke({ id: '..' }, context())).toEqual({ type: 'error', message: 'argument id may not be "." or ".."' });
  });

  it('sends the arguments as a JSON body', async () => {
    const definition = tool(`${base}/orders`, { request: { method: 'POST', url: `${base}/orders`, body: 'arguments' } });
    const outcome = await createHttpTool(definition, deps()).invoke({ id: '42', q: 'refund' }, context());
    expect(resultJson(outcome)).toMatchObject({ method: 'POST', body: '{"id":"42","q":"refund"}' });
    expect(seen.at(-1)?.headers['content-type']).toBe('application/json');
  });

  it('puts secrets in headers and never in what goes back to the model', async () => {
    const definition = tool(`${base}/echo`, {
      request: { method: 'GET', url: `${base}/echo`, headers: { Authorization: 'Bearer {{secret:API_KEY}}' } },
      secrets: ['API_KEY'],
    });
    const http = createHttpTool(definition, deps());
    const outcome = await http.invoke({}, context());
    expect(seen.at(-1)?.headers.authorization).toBe(`Bearer ${SECRET}`);
    expect(resultJson(outcome).authorization).toBe('[redacted]');
    expect(JSON.stringify(outcome)).not.toContain(SECRET);

    const failing = createHttpTool({ ...definition, request: { ...definition.request, url: `${base}/fail` } }, deps());
    const failure = await failing.invoke({}, context());
    expect(failure.type).toBe('error');
    expect(JSON.stringify(failure)).not.toContain(SECRET);
    expect(failure.type === 'error' && failure.message).toMatch(/^HTTP 502: upstream broke; you sent \[redacted\] !+…$/);
    expect(failure.type === 'error' && failure.message.length).toBeLessThan(2100);
  });

  it('answers a tool error when a referenced secret is not set', async () => {
    const definition = tool(`${base}/echo`, {
      request: { method: 'GET', url: `${base}/echo`, headers: { 'X-Key': '{{secret:MISSING}}' } },
      secrets: ['MISSING'],
    });
    expect(await createHttpTool(definition, deps()).invoke({}, context())).toEqual({
      type: 'error',
      message: 'tool lookup cannot run: secret "MISSING" is not set',
    });
  });

  it('bounds time and response size', async () => {
    const slow = createHttpTool(tool(`${base}/slow`, { timeout_ms: 200 }), deps());
    expect(await slow.invoke({}, context())).toEqual({ type: 'error', message: 'the request timed out after 200 ms' });

    const big = createHttpTool(tool(`${base}/big`, { max_response_bytes: 100_000 }), deps());
    expect(await big.invoke({}, context())).toEqual({
      type: 'error',
      message: "the response is larger than the tool's max_response_bytes (100000 bytes)",
    });
    const declared = createHttpTool(tool(`${base}/declared-big`), deps());
    expect(await declared.invoke({}, context())).toMatchObject({ type: 'error', message: expect.stringContaining('max_response_bytes') });
  });

  it('reports a cancelled call', async () => {
    const controller = new AbortController();
    const pending = createHttpTool(tool(`${base}/slow`), deps()).invoke({}, context({ signal: controller.signal }));
    setTimeout(() => controller.abort(), 50);
    expect(await pending).toEqual({ type: 'error', message: 'the call was cancelled' });
  });

  it('turns a non-2xx answer into an error and an empty 2xx into a result', async () => {
    expect(await createHttpTool(tool(`${base}/fail`), deps()).invoke({}, context())).toMatchObject({
      type: 'error',
      message: expect.stringMatching(/^HTTP 502: upstream broke/),
    });
    expect(await createHttpTool(tool(`${base}/empty`), deps()).invoke({}, context())).toEqual({
      type: 'result',
      content: 'HTTP 204 (empty response)',
    });
  });

  it('refuses to connect to a loopback address when the policy disallows loopback', async () => {
    const before = seen.length;
    const http = createHttpTool(tool(`${base}/echo`), deps({ dispatcher: guardedDispatcher({ allowLoopback: false }) }));
    expect(await http.invoke({}, context())).toEqual({
      type: 'error',
      message: 'the hub may not connect to 127.0.0.1 (upstream address policy)',
    });
    const named = createHttpTool(
      tool(`http://localhost:${new URL(base).port}/echo`),
      deps({ dispatcher: guardedDispatcher({ allowLoopback: false }) }),
    );
    expect(await named.invoke({}, context())).toMatchObject({ type: 'error', message: expect.stringContaining('upstream address policy') });
    expect(seen.length).toBe(before);
  });
});
