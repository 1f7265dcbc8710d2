/**
 * A provider's credentials never come back out of the hub, even from an upstream that echoes them: its
 * error bodies and mid-stream error events repeat the `authorization` / `x-api-key` and custom headers it
 * was sent. Nothing a client receives on any surface, and no log line, may hold them (attack report F4).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/observability/index.js';
import { startTestHub, type TestHub } from '../support/hub.js';

const OPENAI_KEY = 'sk-echoed-provider-SECRET-9f8e7d';
const HEADER_SECRET = 'hdr-echoed-SECRET-value-5c4b3a';
const ANTHROPIC_KEY = 'sk-ant-echoed-SECRET-0a1b2c';
const SECRETS = [OPENAI_KEY, HEADER_SECRET, ANTHROPIC_KEY];
const SECRET_KEY = 'k1-'.padEnd(44, 'x');

/** What the upstream says when it fails: everything it was sent that looks like a credential. */
function credentialsOf(request: IncomingMessage): string {
  const { authorization, 'x-api-key': apiKey, 'x-custom-auth': custom } = request.headers;
  return `request rejected for credentials ${String(authorization ?? '')} ${String(apiKey ?? '')} ${String(custom ?? '')}`;
}

/**
 * Upstream model names script the answer: `status-<code>` fails with that status, `stream-error` answers 200 and
 * then sends an error event, its credentials split across two writes (a secret cut by a read boundary).
 */
async function startEchoingUpstream(): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer((request, response) => {
    const pieces: Buffer[] = [];
    request.on('data', (piece: Buffer) => pieces.push(piece));
    request.on('end', () => {
      const body = JSON.parse(Buffer.concat(pieces).toString('utf8') || '{}') as { model?: string };
      void answer(request, response, String(body.model));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function answer(request: IncomingMessage, response: ServerResponse, model: string): Promise<void> {
  const path = request.url ?? '';
  const echoed = credentialsOf(request);
  const status = /^status-(\d+)$/.exec(model)?.[1];
  if (status) {
    response.writeHead(Number(status), { 'content-type': 'application/json' });
    const body = path.endsWith('/messages')
      ? { type: 'error', error: { type: 'api_error', message: echoed } }
      : { error: { message: echoed, type: 'server_error', param: null, code: null } };
    response.end(JSON.stringify(body));
    return;
  }
  response.writeHead(200, { 'content-type': 'text/event-stream' });
  let first: string;
  let error: string;
  if (path.endsWith('/messages')) {
    const start = {
      type: 'message_start',
      message: { id: 'msg_1', type: 'message', role: 'assistant', model, content: [], usage: { input_tokens: 3, output_tokens: 1 } },
    };
    first = `event: message_start\ndata: ${JSON.stringify(start)}\n\n`;
    error = `event: error\ndata: ${JSON.stringify({ type: 'error', error: { type: 'api_error', message: `mid-stream failure: ${echoed}` } })}\n\n`;
  } else if (path.endsWith('/responses')) {
    first = `event: response.created\ndata: ${JSON.stringify({ type: 'response.created', sequence_number: 0, response: { id: 'resp_1', status: 'in_progress' } })}\n\n`;
    error = `event: error\ndata: ${JSON.stringify({ type: 'error', sequence_number: 1, code: 'server_error', message: `mid-stream failure: ${echoed}`, param: null })}\n\n`;
  } else if (path.endsWith('/completions') && !path.endsWith('/chat/completions')) {
    first = `data: ${JSON.stringify({ id: 'cmpl-1', object: 'text_completion', created: 1, model, choices: [{ index: 0, text: 'Hi', finish_reason: null, logprobs: null }] })}\n\n`;
    error = `data: ${JSON.stringify({ error: { message: `mid-stream failure: ${echoed}` } })}\n\n`;
  } else {
    first = `data: ${JSON.stringify({ id: 'c1', object: 'chat.completion.chunk', created: 1, model, choices: [{ index: 0, delta: { role: 'assistant', content: 'Hi' }, finish_reason: null }] })}\n\n`;
    error = `data: ${JSON.stringify({ error: { message: `mid-stream failure: ${echoed}` } })}\n\n`;
  }
  response.write(first);
  // Cut inside the first secret, so the hub sees it across two reads.
  const cut = error.indexOf('SECRET') + 3;
  response.write(error.slice(0, cut));
  await new Promise((resolve) => setTimeout(resolve, 20));
  response.end(error.slice(cut));
}

let upstream: Awaited<ReturnType<typeof startEchoingUpstream>>;
let hub: TestHub;
const logLines: string[] = [];

const SCRIPTS = ['status-400', 'status-404', 'status-408', 'status-422', 'status-429', 'status-500', 'status-503', 'stream-error'];

beforeAll(async () => {
  upstream = await startEchoingUpstream();
  const models = SCRIPTS.flatMap((script) => [
    { name: `oai-${script}`, targets: [{ provider: 'echo-oai', model: script }] },
    { name: `ant-${script}`, targets: [{ provider: 'echo-ant', model: script }] },
  ]);
  hub = await startTestHub(
    {
      providers: [
        // From the config file: the Anthropic provider. The OpenAI one comes through the admin API below.
        { id: 'echo-ant', type: 'anthropic', base_url: upstream.url, api_key: ANTHROPIC_KEY },
      ],
      routing: { retries: 0, backoff_ms: 1, timeout_ms: 5_000, first_byte_timeout_ms: 2_000, breaker: { failure_threshold: 1000 } },
    },
    { secretKey: SECRET_KEY, logger: createLogger({ level: 'debug', destination: { write: (line: string) => logLines.push(line) } }) },
  );
  const admin = (path: string, body: unknown) =>
    fetch(`${hub.url}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${hub.adminKey}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  const provider = await admin('/admin/v1/providers', {
    id: 'echo-oai',
    type: 'openai',
    base_url: upstream.url,
    api_key: OPENAI_KEY,
    headers: { 'x-custom-auth': HEADER_SECRET },
    responses_api: true,
  });
  expect(provider.status).toBe(201);
  for (const model of models) expect((await admin('/admin/v1/models', model)).status).toBe(201);
});

afterAll(async () => {
  await hub?.close();
  await upstream?.close();
});

async function send(path: string, body: Record<string, unknown>): Promise<{ status: number; text: string }> {
  const response = await fetch(`${hub.url}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${hub.adminKey}`, 'content-type': 'application/json', 'anthropic-version': '2023-06-01' },
    body: JSON.stringify(body),
  });
  return { status: response.status, text: await response.text() };
}

function expectScrubbed(text: string, context: string): void {
  for (const secret of SECRETS) expect(text, context).not.toContain(secret);
  // Also no recognisable piece of one (the split the upstream made, say).
  expect(text, context).not.toContain('SECRET');
}

const messages = [{ role: 'user', content: 'hi' }];

describe('provider secrets echoed by an upstream', () => {
  it('never reach the client in error answers, on any surface, for any upstream status', async () => {
    for (const script of SCRIPTS.filter((name) => name.startsWith('status-'))) {
      const answers = [
        ['chat on openai', await send('/v1/chat/completions', { model: `oai-${script}`, messages })],
        ['chat on anthropic', await send('/v1/chat/completions', { model: `ant-${script}`, messages })],
        ['messages on anthropic', await send('/v1/messages', { model: `ant-${script}`, max_tokens: 8, messages })],
        ['messages on openai', await send('/v1/messages', { model: `oai-${script}`, max_tokens: 8, messages })],
        ['responses on openai', await send('/v1/responses', { model: `oai-${script}`, input: 'hi' })],
        ['completions on openai', await send('/v1/completions', { model: `oai-${script}`, prompt: 'hi' })],
      ] as const;
      for (const [surface, reply] of answers) {
        const context = `${surface}, upstream ${script}: ${reply.text}`;
        expect(reply.status, context).toBeGreaterThanOrEqual(400);
        expectScrubbed(reply.text, context);
      }
      // The upstream's message still gets through, minus the secrets.
      expect(answers[0][1].text).toMatch(/request rejected for credentials Bearer \[redacted\] +\[redacted\]/);
      expect(answers[2][1].text).toMatch(/request rejected for credentials +\[redacted\]/);
    }
  });

  it('never reach the client in mid-stream error events, relayed or translated, even split across reads', async () => {
    const streams = [
      ['chat pass-through', await send('/v1/chat/completions', { model: 'oai-stream-error', messages, stream: true })],
      ['chat on anthropic', await send('/v1/chat/completions', { model: 'ant-stream-error', messages, stream: true })],
      ['messages pass-through', await send('/v1/messages', { model: 'ant-stream-error', max_tokens: 8, messages, stream: true })],
      ['messages on openai', await send('/v1/messages', { model: 'oai-stream-error', max_tokens: 8, messages, stream: true })],
      ['responses pass-through', await send('/v1/responses', { model: 'oai-stream-error', input: 'hi', stream: true })],
      ['completions', await send('/v1/completions', { model: 'oai-stream-error', prompt: 'hi', stream: true })],
    ] as const;
    for (const [surface, reply] of streams) {
      const context = `${surface}: ${reply.text}`;
      expect(reply.status, context).toBe(200);
      expect(reply.text, context).toContain('mid-stream failure');
      expectScrubbed(reply.text, context);
    }
    // A relayed event keeps its shape and the upstream's words.
    expect(streams[0][1].text).toContain(
      'data: {"error":{"message":"mid-stream failure: request rejected for credentials Bearer [redacted]',
    );
  });

  it('never reach the log, though the failures are logged', async () => {
    await hub.hub.economy.flush();
    const log = logLines.join('');
    expect(log).toContain('[redacted]');
    expect(log).toContain('request rejected for credentials');
    expectScrubbed(log, 'log');
  });
});
