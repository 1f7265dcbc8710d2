/**
 * Input limits at the socket level, with raw TCP clients that do what no HTTP library will: slowloris
 * senders (headers or body trickled slower than `server.request_timeout_ms`), oversized headers (Node's
 * 16 KiB default → 431), oversized bodies (→ 413, declared or chunked) and JSON nested past the depth limit.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHub, type Hub } from '../../src/app.js';
import { configSchema } from '../../src/config/index.js';
import { type Database, openDatabase } from '../../src/storage/index.js';
import { type FakeOpenAI, startFakeOpenAI } from '../fake-upstreams/openai.js';
import { expectProtocolAnswer, FuzzClient } from './support.js';

const REQUEST_TIMEOUT_MS = 1_000;
/** What applySlowSenderLimits derives from REQUEST_TIMEOUT_MS: a quarter of it. */
const CHECK_INTERVAL_MS = 250;
const BODY_LIMIT = 64 * 1024;
const ADMIN_KEY = 'thadm_limits_test_key_0123456789';

let upstream: FakeOpenAI;
let database: Database;
let hub: Hub;
let dataDir: string;
let port: number;
let client: FuzzClient;
const auth = { authorization: `Bearer ${ADMIN_KEY}` };

beforeAll(async () => {
  upstream = await startFakeOpenAI({ chunks: 10, chunkDelayMs: 250 });
  dataDir = await mkdtemp(join(tmpdir(), 'tokenhub-limits-'));
  database = await openDatabase({});
  hub = await createHub({
    config: configSchema.parse({
      server: { request_timeout_ms: REQUEST_TIMEOUT_MS, body_limit_bytes: BODY_LIMIT },
      providers: [{ id: 'oa', type: 'openai', base_url: upstream.url }],
      models: [{ name: 'm', targets: [{ provider: 'oa', model: 'up' }] }],
    }),
    dataDir,
    database,
    adminKey: ADMIN_KEY,
    logger: pino({ level: 'silent' }),
  });
  const url = await hub.listen(0, '127.0.0.1');
  port = Number(new URL(url).port);
  client = new FuzzClient(url);
});

afterAll(async () => {
  await client?.close();
  await hub?.close();
  await database?.close();
  await upstream?.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

interface RawOutcome {
  /** What the server sent back, as latin-1 text. */
  received: string;
  /** Milliseconds from connecting to the server closing the connection. */
  closedAfterMs: number;
}

/**
 * Connects, writes `head` at once, then `trickle` one byte every `byteDelayMs`, and waits for the
 * server to close the connection (or `giveUpMs`, which fails the test rather than hanging it).
 */
function rawExchange(head: string, trickle: string, byteDelayMs: number, giveUpMs = 15_000): Promise<RawOutcome> {
  return new Promise((resolve, reject) => {
    const startedAt = performance.now();
    const socket = connect(port, '127.0.0.1');
    let received = '';
    let index = 0;
    let timer: NodeJS.Timeout | undefined;
    const giveUp = setTimeout(() => {
      socket.destroy();
      reject(new Error(`server kept the connection open for ${giveUpMs} ms; received: ${received.slice(0, 200)}`));
    }, giveUpMs);
    const next = (): void => {
      if (index >= trickle.length || socket.destroyed) return;
      socket.write(trickle[index++] ?? '');
      timer = setTimeout(next, byteDelayMs);
    };
    socket.on('connect', () => {
      if (head) socket.write(head);
      next();
    });
    socket.on('data', (piece: Buffer) => {
      received += piece.toString('latin1');
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      clearTimeout(timer);
      clearTimeout(giveUp);
      resolve({ received, closedAfterMs: performance.now() - startedAt });
    });
  });
}

function statusOf(received: string): number | null {
  const match = /^HTTP\/1\.1 (\d{3})/.exec(received);
  return match ? Number(match[1]) : null;
}

describe('slow senders (slowloris)', () => {
  it('headers trickled byte by byte are cut at request_timeout_ms with a 408', async () => {
    const headers = `POST /v1/chat/completions HTTP/1.1\r\nHost: hub\r\nAuthorization: Bearer ${ADMIN_KEY}\r\nX-Padding: ${'a'.repeat(200)}\r\n\r\n`;
    // ~300 bytes at 50 ms each would take 15 s; the hub must not wait for them.
    const outcome = await rawExchange('', headers, 50);
    expect([408, null]).toContain(statusOf(outcome.received));
    expect(outcome.closedAfterMs).toBeGreaterThanOrEqual(REQUEST_TIMEOUT_MS - 50);
    expect(outcome.closedAfterMs).toBeLessThan(REQUEST_TIMEOUT_MS + CHECK_INTERVAL_MS + 3_000);
  });

  it('a body trickled after complete headers is cut the same way', async () => {
    const body = JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'x'.repeat(200) }] });
    const head = `POST /v1/chat/completions HTTP/1.1\r\nHost: hub\r\nAuthorization: Bearer ${ADMIN_KEY}\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`;
    const outcome = await rawExchange(head, body, 50);
    expect([408, null]).toContain(statusOf(outcome.received));
    expect(outcome.closedAfterMs).toBeLessThan(REQUEST_TIMEOUT_MS + CHECK_INTERVAL_MS + 3_000);
  });

  it('does not cut a response that streams for longer than request_timeout_ms', async () => {
    // 10 chunks 250 ms apart: ~2.5 s of streaming, well past the 1 s request timeout.
    const answer = await client.send(
      'POST',
      '/v1/chat/completions',
      { ...auth, 'content-type': 'application/json' },
      JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'Hi' }], stream: true }),
    );
    expect(answer.status).toBe(200);
    expect(answer.text).toContain('data: [DONE]');
  });
});

describe('header size', () => {
  it('a header block over 16 KiB is refused with 431', async () => {
    const head = `GET /v1/models HTTP/1.1\r\nHost: hub\r\nAuthorization: Bearer ${ADMIN_KEY}\r\nX-Big: ${'a'.repeat(20 * 1024)}\r\n\r\n`;
    const outcome = await rawExchange(head, '', 0);
    expect(statusOf(outcome.received)).toBe(431);
  });

  it('many small headers adding up past the limit are refused too', async () => {
    let head = 'GET /v1/models HTTP/1.1\r\nHost: hub\r\n';
    for (let i = 0; i < 400; i++) head += `X-H${i}: ${'b'.repeat(40)}\r\n`;
    const outcome = await rawExchange(`${head}\r\n`, '', 0);
    expect(statusOf(outcome.received)).toBe(431);
  });
});

describe('body size', () => {
  const big = JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'x'.repeat(BODY_LIMIT) }] });

  it('413 in the OpenAI shape on /v1/chat/completions and the Anthropic shape on /v1/messages', async () => {
    const openai = await client.send('POST', '/v1/chat/completions', { ...auth, 'content-type': 'application/json' }, big);
    expect(openai.status).toBe(413);
    expectProtocolAnswer(openai, 'openai', 'oversized chat body');

    const anthropic = await client.send('POST', '/v1/messages', { ...auth, 'content-type': 'application/json' }, big);
    expect(anthropic.status).toBe(413);
    expectProtocolAnswer(anthropic, 'anthropic', 'oversized messages body');
    expect((JSON.parse(anthropic.text) as { error: { type: string } }).error.type).toBe('request_too_large');
  });

  it('a declared Content-Length over the limit is refused before the body is sent', async () => {
    const head = `POST /v1/chat/completions HTTP/1.1\r\nHost: hub\r\nAuthorization: Bearer ${ADMIN_KEY}\r\nContent-Type: application/json\r\nContent-Length: 10000000000\r\nConnection: close\r\n\r\n`;
    const outcome = await rawExchange(head, '', 0, 5_000);
    expect(statusOf(outcome.received)).toBe(413);
  });

  it('a chunked body that grows past the limit is refused', async () => {
    const chunk = 'x'.repeat(16 * 1024);
    let body = '';
    for (let i = 0; i < 6; i++) body += `${chunk.length.toString(16)}\r\n${chunk}\r\n`;
    const head = `POST /v1/chat/completions HTTP/1.1\r\nHost: hub\r\nAuthorization: Bearer ${ADMIN_KEY}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n${body}0\r\n\r\n`;
    const outcome = await rawExchange(head, '', 0, 5_000);
    expect(statusOf(outcome.received)).toBe(413);
  });
});

describe('JSON depth', () => {
  const nested = (depth: number): string => `{"model":"m","messages":[{"role":"user","content":${'['.repeat(depth)}${']'.repeat(depth)}}]}`;

  it('refuses nesting past the limit with a 400 that says so', async () => {
    for (const depth of [65, 100, 10_000, 30_000]) {
      const answer = await client.send('POST', '/v1/chat/completions', { ...auth, 'content-type': 'application/json' }, nested(depth));
      expect(answer.status).toBe(400);
      expectProtocolAnswer(answer, 'openai', `depth ${depth}`);
      expect(answer.text).toContain('nested deeper');
    }
  });

  it('brackets inside strings are text, not nesting', async () => {
    const content = `${'['.repeat(5_000)}"\\"{{{`;
    const answer = await client.send(
      'POST',
      '/v1/chat/completions',
      { ...auth, 'content-type': 'application/json' },
      JSON.stringify({ model: 'm', messages: [{ role: 'user', content }] }),
    );
    expect(answer.status).toBe(200);
  });
});
