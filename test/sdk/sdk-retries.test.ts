/**
 * The SDK's retries and stream resumption against a local fake hub that fails on purpose: 503s then an
 * answer, POSTs that must not be repeated, retry-after, timeouts, refused connections, and an event stream
 * cut mid-run that resumes with Last-Event-ID.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ConnectionError, type RunEvent, ServerError, TimeoutError, TokenHub } from '../../src/sdk/index.js';

type Handler = (request: IncomingMessage, response: ServerResponse, seen: number) => void;

let server: Server;
let url: string;
let handler: Handler;
const seen: { method: string; url: string; lastEventId: string | undefined; authorization: string | undefined }[] = [];

beforeAll(async () => {
  server = createServer((request, response) => {
    seen.push({
      method: request.method ?? '',
      url: request.url ?? '',
      lastEventId: request.headers['last-event-id'] as string | undefined,
      authorization: request.headers.authorization,
    });
    request.resume();
    request.once('end', () => handler(request, response, seen.length));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

afterEach(() => {
  seen.length = 0;
});

const json = (response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
  response.writeHead(status, { 'content-type': 'application/json', ...headers });
  response.end(JSON.stringify(body));
};
const unavailable = (response: ServerResponse) =>
  json(response, 503, { error: { message: 'Try again.', type: 'server_error', param: null, code: 'overloaded' } });
const sse = (event: Record<string, unknown>) =>
  `id: ${String(event.seq)}\nevent: ${String(event.type)}\ndata: ${JSON.stringify(event)}\n\n`;
const client = (options: ConstructorParameters<typeof TokenHub>[0] = {}) => new TokenHub({ url, apiKey: 'thk_fake', ...options });

describe('retries', () => {
  it('retries a GET that failed twice with 503, then answers', async () => {
    handler = (_request, response, count) => (count <= 2 ? unavailable(response) : json(response, 200, { object: 'list', data: [] }));
    expect(await client().agents.list()).toEqual({ object: 'list', data: [] });
    expect(seen.map((request) => request.url)).toEqual(['/v1/agents', '/v1/agents', '/v1/agents']);
    expect(seen.every((request) => request.authorization === 'Bearer thk_fake')).toBe(true);
  });

  it('gives up after maxRetries with the last error, typed', async () => {
    handler = (_request, response) => unavailable(response);
    const error = await client({ maxRetries: 1 })
      .runs.get('run_1')
      .catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(ServerError);
    expect(error).toMatchObject({ status: 503, code: 'overloaded', message: 'Try again.' });
    expect(seen).toHaveLength(2);
  });

  it('never repeats a POST that starts a run on a 503, but does on a 429 (refused before any effect)', async () => {
    handler = (_request, response) => unavailable(response);
    await expect(client().agents.run('support', 'Hi')).rejects.toBeInstanceOf(ServerError);
    expect(seen).toHaveLength(1);

    seen.length = 0;
    handler = (_request, response, count) =>
      count === 1
        ? json(response, 429, { error: { message: 'Slow down.', type: 'rate_limit_error', code: 'rate_limited' } }, { 'retry-after': '0' })
        : json(response, 200, { id: 'run_1', object: 'agent.run', status: 'completed' });
    expect(await client().agents.run('support', 'Hi')).toMatchObject({ id: 'run_1' });
    expect(seen.map((request) => request.method)).toEqual(['POST', 'POST']);
  });

  it('repeats a safe POST (a cancel) on a 503', async () => {
    handler = (_request, response, count) =>
      count === 1 ? unavailable(response) : json(response, 200, { id: 'run_1', status: 'cancelled' });
    expect(await client().runs.cancel('run_1')).toMatchObject({ status: 'cancelled' });
    expect(seen.map((request) => request.url)).toEqual(['/v1/runs/run_1/cancel', '/v1/runs/run_1/cancel']);
  });

  it('keeps the status of an answer that is not the hub error shape', async () => {
    handler = (_request, response) => {
      response.writeHead(502, { 'content-type': 'text/html' });
      response.end('<html>Bad gateway</html>');
    };
    const error = await client({ maxRetries: 0 })
      .agents.list()
      .catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(ServerError);
    expect(error).toMatchObject({ status: 502, code: null, message: '<html>Bad gateway</html>' });
  });

  it('times a call out, retrying a GET, and throws TimeoutError', async () => {
    handler = () => {
      // Never answers.
    };
    const error = await client({ timeoutMs: 100, maxRetries: 1 })
      .agents.list()
      .catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error).toMatchObject({ code: 'timeout' });
    expect(seen).toHaveLength(2);
  });

  it('retries even a POST when the connection was refused (it never left), then throws ConnectionError', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    let attempts = 0;
    const counting: typeof fetch = (input, init) => {
      attempts++;
      return fetch(input, init);
    };
    const hub = new TokenHub({ url: `http://127.0.0.1:${port}`, apiKey: 'thk_fake', fetch: counting, maxRetries: 2 });
    const error = await hub.agents.run('support', 'Hi').catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(ConnectionError);
    expect((error as ConnectionError).message).toContain('ECONNREFUSED');
    expect(attempts).toBe(3);
  });

  it('stops waiting between retries when the caller aborts', async () => {
    handler = (_request, response) => json(response, 503, { error: { message: 'Later.' } }, { 'retry-after': '30' });
    const controller = new AbortController();
    const call = client({ maxRetries: 2 }).agents.list({ signal: controller.signal });
    setTimeout(() => controller.abort(new Error('enough')), 100);
    await expect(call).rejects.toThrow('enough');
    expect(seen).toHaveLength(1);
  });
});

describe('streams', () => {
  const RUN = 'run_abc';
  const events: Record<string, unknown>[] = [
    { seq: 1, type: 'run.queued', run_id: RUN },
    { seq: 2, type: 'run.started', run_id: RUN },
    { seq: 3, type: 'model.completed', content: 'Hello' },
    { seq: 4, type: 'run.completed', run_id: RUN, status: 'completed', output: { text: 'Hello' } },
  ];

  it('resumes a stream cut mid-run from the events route with Last-Event-ID, losing and repeating nothing', async () => {
    handler = (request, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      if (request.method === 'POST') {
        // Two whole events, half of a third, then the connection dies.
        response.write(
          `retry: 20\n${sse(events[0] as Record<string, unknown>)}${sse(events[1] as Record<string, unknown>)}id: 3\ndata: {"se`,
        );
        setTimeout(() => response.socket?.destroy(), 20);
        return;
      }
      const after = Number(request.headers['last-event-id'] ?? 0);
      response.end(
        events
          .filter((event) => Number(event.seq) > after)
          .map(sse)
          .join(''),
      );
    };
    const received: RunEvent[] = [];
    const stream = client().agents.stream('support', 'Hi');
    for await (const event of stream) received.push(event);
    expect(received.map((event) => event.seq)).toEqual([1, 2, 3, 4]);
    expect(received.at(-1)).toMatchObject({ type: 'run.completed', output: { text: 'Hello' } });
    expect(seen.map((request) => [request.method, request.url, request.lastEventId])).toEqual([
      ['POST', '/v1/agents/support/runs', undefined],
      ['GET', `/v1/runs/${RUN}/events`, '2'],
    ]);
  });

  it('does not start the run again when its stream broke before saying which run it is', async () => {
    handler = (_request, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.write(': hello\n\n');
      setTimeout(() => response.socket?.destroy(), 20);
    };
    const stream = client().workflows.stream('flow', { a: 1 });
    const error = await (async () => {
      for await (const _event of stream) {
        // Nothing comes.
      }
    })().catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(ConnectionError);
    expect(error).toMatchObject({ code: 'stream_interrupted' });
    expect(seen.map((request) => request.method)).toEqual(['POST']);
  });

  it('gives up after maxRetries reconnections in a row that bring nothing new', async () => {
    handler = (request, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      if (request.method === 'POST') response.write(`retry: 5\n${sse(events[0] as Record<string, unknown>)}`);
      else response.flushHeaders();
      setTimeout(() => response.socket?.destroy(), 20);
    };
    const received: number[] = [];
    const error = await (async () => {
      for await (const event of client({ maxRetries: 2 }).agents.stream('support', 'Hi')) received.push(event.seq);
    })().catch((thrown: unknown) => thrown);
    expect(error).toMatchObject({ name: 'ConnectionError', code: 'stream_interrupted' });
    expect(received).toEqual([1]);
    expect(seen.map((request) => [request.method, request.lastEventId])).toEqual([
      ['POST', undefined],
      ['GET', '1'],
      ['GET', '1'],
    ]);
  });
});
