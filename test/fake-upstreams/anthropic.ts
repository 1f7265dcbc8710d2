/**
 * A fake Anthropic Messages API: a real HTTP server speaking the wire format (JSON answers, SSE streams
 * with `event:` lines and pings, Anthropic error bodies), deterministic, with scripted failures.
 *
 * Determinism:
 * - the reply is `replyText`, sent as text deltas: one per word (a word keeps its leading space) or
 *   `chunks` near-equal slices; thinking (when the request enables it) and tool input are split the same way;
 * - `output_tokens` equals the number of non-empty deltas sent (thinking, text and tool-input JSON), capped
 *   by the request's `max_tokens` (then `stop_reason` is `max_tokens`);
 * - `input_tokens` is `inputTokens` (default 25) or, with `'derived'`, `fakeAnthropicInputTokens(body)`:
 *   ceil(length of `JSON.stringify([system, messages, tools])` / 4); the cache counts are reported beside it;
 * - a request with tools whose last user text contains "use tool" gets a short text block, then a
 *   `tool_use` block for the first custom tool (or the one `tool_choice` names), `stop_reason: tool_use`;
 * - a stop sequence found in the reply cuts it there, with `stop_reason: stop_sequence`;
 * - ids count up per server: `msg_fake_1`, `toolu_fake_1_0`, `request-id: req_fake_1`;
 * - `POST /v1/messages/count_tokens` answers `fakeAnthropicInputTokens(body)` (scripted failures apply to `/v1/messages` only).
 *
 * Like Anthropic, it takes the key as `x-api-key` or `Authorization: Bearer` (401 otherwise), requires a
 * known `anthropic-version` (400 otherwise) and, under version 2026-10-21, refuses `temperature`, `top_p`
 * and `top_k`.
 */
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  type FakeReplySettings,
  fakeAnthropicInputTokens,
  parseJson,
  planReply,
  type Reply,
  replyMessage,
  streamItems,
} from './anthropic-reply.js';

export { fakeAnthropicInputTokens } from './anthropic-reply.js';

export type FakeAnthropicFailure =
  /** An HTTP error with Anthropic's error body; `errorType` defaults from the status. */
  | { kind: 'status'; status: number; errorType?: string; message?: string; retryAfter?: number | string }
  /** Reads the request and never answers, until the client gives up or the server closes. */
  | { kind: 'hang' }
  /** Streams `afterDeltas` deltas (default 1; 0: just `message_start`), then destroys the socket or ends the body cleanly. */
  | { kind: 'cut'; afterDeltas?: number; mode?: 'destroy' | 'end' }
  /** Answers 200, streams `afterDeltas` deltas (default 1; 0: just `message_start`), then an `error` event, and ends. */
  | { kind: 'stream-error'; afterDeltas?: number; errorType?: string; message?: string };

export interface FakeAnthropicBehaviour extends FakeReplySettings {
  /** The API key the server accepts, from `x-api-key` or `Authorization: Bearer`. */
  apiKey: string;
  /** Wait before sending headers (first-byte timeouts). */
  headersDelayMs: number;
  /** Wait between stream events. */
  eventDelayMs: number;
}

export interface FakeAnthropicRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  /** The parsed JSON body, or null when it was not JSON. */
  body: Record<string, unknown> | null;
  rawBody: string;
}

export interface FakeAnthropic {
  /** Base URL including `/v1`, as a provider's `base_url`. */
  url: string;
  port: number;
  requests: FakeAnthropicRequest[];
  setBehaviour(patch: Partial<FakeAnthropicBehaviour>): void;
  /** Queues failures, consumed one per `POST /v1/messages` in order. */
  failNext(...failures: FakeAnthropicFailure[]): void;
  /** Back to the start options; clears queued failures and recorded requests, and restarts the ids. */
  reset(): void;
  close(): Promise<void>;
}

export const FAKE_ANTHROPIC_DEFAULTS: FakeAnthropicBehaviour = {
  apiKey: 'sk-ant-fake',
  replyText: 'Hello from fake Anthropic',
  chunks: 'words',
  toolPreamble: 'Let me use a tool.',
  toolInput: null,
  thinkingText: 'The user greets me, so I greet back.',
  inputTokens: 25,
  cacheReadInputTokens: 0,
  cacheCreationInputTokens: 0,
  fullDeltaUsage: false,
  headersDelayMs: 0,
  eventDelayMs: 0,
};

const VERSIONS = new Set(['2023-01-01', '2023-06-01', '2026-10-21']);
/** Sampling parameters API version 2026-10-21 removed: sending any of them is a 400, whatever the value. */
const REMOVED_IN_2026_10_21 = ['temperature', 'top_p', 'top_k'];

const ERROR_TYPES: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  402: 'billing_error',
  403: 'permission_error',
  404: 'not_found_error',
  413: 'request_too_large',
  429: 'rate_limit_error',
  500: 'api_error',
  504: 'timeout_error',
  529: 'overloaded_error',
};

export async function startFakeAnthropic(options: Partial<FakeAnthropicBehaviour> & { port?: number } = {}): Promise<FakeAnthropic> {
  const { port: wantedPort = 0, ...start } = options;
  let behaviour: FakeAnthropicBehaviour = { ...FAKE_ANTHROPIC_DEFAULTS, ...start };
  let failures: FakeAnthropicFailure[] = [];
  const requests: FakeAnthropicRequest[] = [];
  let sequence = 0;

  const server = createServer((request, response) => {
    void handle(request, response).catch(() => response.destroy());
  });

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const rawBody = await readBody(request);
    const path = (request.url ?? '/').split('?')[0] ?? '/';
    const body = parseJson(rawBody);
    requests.push({ method: request.method ?? 'GET', path, headers: request.headers, body, rawBody });
    const seq = ++sequence;
    const current = behaviour;
    if (current.headersDelayMs > 0) await sleep(current.headersDelayMs);
    if (response.destroyed) return;

    const countTokens = request.method === 'POST' && path === '/v1/messages/count_tokens';
    if (!countTokens && (request.method !== 'POST' || path !== '/v1/messages')) {
      return sendError(response, seq, 404, 'not_found_error', `Not found: ${request.method} ${path}`);
    }
    const failure = countTokens ? undefined : failures.shift();
    if (failure?.kind === 'hang') return;
    if (failure?.kind === 'status') {
      const headers: Record<string, string> = {};
      if (failure.retryAfter !== undefined) headers['retry-after'] = String(failure.retryAfter);
      const type = failure.errorType ?? ERROR_TYPES[failure.status] ?? 'api_error';
      return sendError(response, seq, failure.status, type, failure.message ?? `scripted ${type}`, headers);
    }

    const apiKey = requestApiKey(request.headers);
    if (apiKey === undefined) return sendError(response, seq, 401, 'authentication_error', 'x-api-key header is required');
    if (apiKey !== current.apiKey) return sendError(response, seq, 401, 'authentication_error', 'invalid x-api-key');
    const version = request.headers['anthropic-version'];
    if (typeof version !== 'string') {
      return sendError(response, seq, 400, 'invalid_request_error', 'anthropic-version: header is required');
    }
    if (!VERSIONS.has(version)) {
      return sendError(response, seq, 400, 'invalid_request_error', `anthropic-version: invalid version ${version}`);
    }
    if (countTokens) {
      const invalid = body ? validateCount(body) : 'There was an error parsing the body of your request as JSON';
      if (invalid || !body) return sendError(response, seq, 400, 'invalid_request_error', invalid ?? 'invalid body');
      return send(response, seq, 200, { input_tokens: fakeAnthropicInputTokens(body) });
    }
    const invalid = body ? validate(body, version) : 'There was an error parsing the body of your request as JSON';
    if (invalid || !body) return sendError(response, seq, 400, 'invalid_request_error', invalid ?? 'invalid body');

    const reply = planReply(body, current, seq);
    if (body.stream === true) return stream(response, reply, current, seq, failure);
    if (failure?.kind === 'cut') {
      response.destroy();
      return;
    }
    if (failure?.kind === 'stream-error') {
      const type = failure.errorType ?? 'overloaded_error';
      return sendError(response, seq, type === 'overloaded_error' ? 529 : 500, type, failure.message ?? `scripted ${type}`);
    }
    return send(response, seq, 200, replyMessage(reply));
  }

  server.listen(wantedPort, '127.0.0.1');
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  const port = (server.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${port}/v1`,
    port,
    requests,
    setBehaviour(patch) {
      behaviour = { ...behaviour, ...patch };
    },
    failNext(...next) {
      failures.push(...next);
    },
    reset() {
      behaviour = { ...FAKE_ANTHROPIC_DEFAULTS, ...start };
      failures = [];
      requests.length = 0;
      sequence = 0;
    },
    close() {
      return new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

/** `x-api-key`, or `Authorization: Bearer`, which the official SDK sends since its 1.x releases. */
function requestApiKey(headers: IncomingHttpHeaders): string | undefined {
  const key = headers['x-api-key'];
  if (typeof key === 'string') return key;
  const bearer = /^Bearer (.+)$/i.exec(headers.authorization ?? '');
  return bearer?.[1];
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

function validate(body: Record<string, unknown>, version: string): string | null {
  if (version >= '2026-10-21') {
    const removed = REMOVED_IN_2026_10_21.find((field) => field in body);
    if (removed) return `${removed}: Extra inputs are not permitted`;
  }
  if (typeof body.model !== 'string' || body.model.length === 0) return 'model: Field required';
  if (body.max_tokens === undefined) return 'max_tokens: Field required';
  if (typeof body.max_tokens !== 'number' || !Number.isInteger(body.max_tokens) || body.max_tokens < 1) {
    return 'max_tokens: Input should be a valid positive integer';
  }
  if (!Array.isArray(body.messages) || body.messages.length === 0) return 'messages: at least one message is required';
  return null;
}

/** `count_tokens` takes a Messages body without `max_tokens` (and refuses one, like Anthropic). */
function validateCount(body: Record<string, unknown>): string | null {
  if (typeof body.model !== 'string' || body.model.length === 0) return 'model: Field required';
  if (!Array.isArray(body.messages) || body.messages.length === 0) return 'messages: at least one message is required';
  if ('max_tokens' in body) return 'max_tokens: Extra inputs are not permitted';
  return null;
}

function send(response: ServerResponse, seq: number, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    'request-id': `req_fake_${seq}`,
    ...headers,
  });
  response.end(text);
}

function sendError(
  response: ServerResponse,
  seq: number,
  status: number,
  type: string,
  message: string,
  headers: Record<string, string> = {},
): void {
  send(response, seq, status, { type: 'error', error: { type, message }, request_id: `req_fake_${seq}` }, headers);
}

async function stream(
  response: ServerResponse,
  reply: Reply,
  behaviour: FakeAnthropicBehaviour,
  seq: number,
  failure: FakeAnthropicFailure | undefined,
): Promise<void> {
  response.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    'request-id': `req_fake_${seq}`,
  });
  const write = async (data: Record<string, unknown>): Promise<boolean> => {
    if (response.destroyed) return false;
    // Waiting for each write to flush lets a scripted cut land after the events before it.
    const frame = `event: ${String(data.type)}\ndata: ${JSON.stringify(data)}\n\n`;
    await new Promise<void>((resolve) => response.write(frame, () => resolve()));
    if (behaviour.eventDelayMs > 0) await sleep(behaviour.eventDelayMs);
    return !response.destroyed;
  };
  const breaking = failure?.kind === 'cut' || failure?.kind === 'stream-error' ? failure : undefined;
  const breakAfter = breaking?.afterDeltas ?? 1;
  let sent = 0;
  for (const item of streamItems(reply, behaviour)) {
    if (!(await write(item.data))) return;
    if (item.counted) sent++;
    const breakPoint = item.counted || item.data.type === 'message_start';
    if (!breaking || !breakPoint || sent < breakAfter) continue;
    if (breaking.kind === 'stream-error') {
      const type = breaking.errorType ?? 'overloaded_error';
      await write({ type: 'error', error: { type, message: breaking.message ?? `scripted ${type}` } });
      response.end();
    } else if (breaking.mode === 'end') response.end();
    else response.destroy();
    return;
  }
  response.end();
}
