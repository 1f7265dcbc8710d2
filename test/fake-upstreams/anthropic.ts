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
 * - ids count up per server: `msg_fake_1`, `toolu_fake_1_0`, `request-id: req_fake_1`.
 *
 * Like Anthropic, it takes the key as `x-api-key` or `Authorization: Bearer` (401 otherwise), requires a
 * known `anthropic-version` (400 otherwise) and, under version 2026-10-21, refuses `temperature`, `top_p`
 * and `top_k`.
 */
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

export type FakeAnthropicFailure =
  /** An HTTP error with Anthropic's error body; `errorType` defaults from the status. */
  | { kind: 'status'; status: number; errorType?: string; message?: string; retryAfter?: number | string }
  /** Reads the request and never answers, until the client gives up or the server closes. */
  | { kind: 'hang' }
  /** Streams `afterDeltas` deltas (default 1), then destroys the socket (`destroy`) or ends the body cleanly (`end`). */
  | { kind: 'cut'; afterDeltas?: number; mode?: 'destroy' | 'end' }
  /** Answers 200, streams `afterDeltas` deltas (default 1), then sends an `error` event and ends. */
  | { kind: 'stream-error'; afterDeltas?: number; errorType?: string; message?: string };

export interface FakeAnthropicBehaviour {
  /** The API key the server accepts, from `x-api-key` or `Authorization: Bearer`. */
  apiKey: string;
  replyText: string;
  /** `'words'`: one delta per word; a number: that many near-equal slices. */
  chunks: number | 'words';
  /** Text of a tool-use reply's leading text block. */
  toolPreamble: string;
  /** Tool input to send instead of the one derived from the tool's schema. */
  toolInput: Record<string, unknown> | null;
  /** Sent as a thinking block when the request has `thinking: {type: 'enabled'}`. */
  thinkingText: string;
  inputTokens: number | 'derived';
  cacheReadInputTokens: number;
  cacheCreationInputTokens: number;
  /** Whether `message_delta.usage` restates the input counts (newer API versions do). */
  fullDeltaUsage: boolean;
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

export function fakeAnthropicInputTokens(body: Record<string, unknown>): number {
  return Math.ceil(JSON.stringify([body.system ?? null, body.messages ?? null, body.tools ?? null]).length / 4);
}

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

    if (request.method !== 'POST' || path !== '/v1/messages') {
      return sendError(response, seq, 404, 'not_found_error', `Not found: ${request.method} ${path}`);
    }
    const failure = failures.shift();
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

function parseJson(text: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
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

type Block =
  | { type: 'thinking'; deltas: string[]; signature: string }
  | { type: 'text'; deltas: string[] }
  | { type: 'tool_use'; id: string; name: string; deltas: string[] };

interface Reply {
  id: string;
  model: string;
  blocks: Block[];
  stopReason: 'end_turn' | 'max_tokens' | 'stop_sequence' | 'tool_use';
  stopSequence: string | null;
  usage: { input_tokens: number; cache_creation_input_tokens: number; cache_read_input_tokens: number; output_tokens: number };
}

function split(text: string, chunks: number | 'words'): string[] {
  if (text.length === 0) return [];
  if (chunks === 'words') return text.match(/\s*\S+/g) ?? [text];
  const count = Math.max(1, Math.min(chunks, text.length));
  const size = text.length / count;
  const out: string[] = [];
  for (let i = 0; i < count; i++) out.push(text.slice(Math.round(i * size), Math.round((i + 1) * size)));
  return out;
}

function lastUserText(messages: unknown[]): string {
  for (let i = messages.length - 1; i >= 0; i--) {
    const message = messages[i] as { role?: unknown; content?: unknown };
    if (message.role !== 'user') continue;
    if (typeof message.content === 'string') return message.content;
    if (Array.isArray(message.content)) {
      return message.content
        .map((block: { type?: unknown; text?: unknown }) => (block.type === 'text' && typeof block.text === 'string' ? block.text : ''))
        .join(' ');
    }
    return '';
  }
  return '';
}

interface ToolSpec {
  name?: unknown;
  input_schema?: { properties?: Record<string, { type?: unknown }> };
}

function chosenTool(body: Record<string, unknown>): ToolSpec | null {
  const tools = Array.isArray(body.tools) ? (body.tools as ToolSpec[]) : [];
  const choice = body.tool_choice as { type?: unknown; name?: unknown } | undefined;
  if (choice?.type === 'none') return null;
  if (choice?.type === 'tool') return tools.find((tool) => tool.name === choice.name) ?? null;
  return tools.find((tool) => tool.input_schema !== undefined) ?? null;
}

function inputFromSchema(tool: ToolSpec): Record<string, unknown> {
  const input: Record<string, unknown> = {};
  for (const [key, schema] of Object.entries(tool.input_schema?.properties ?? {})) {
    const type = schema?.type;
    input[key] =
      type === 'string' ? `test ${key}` : type === 'number' || type === 'integer' ? 1 : type === 'boolean' ? true : type === 'array' ? [] : type === 'object' ? {} : null;
  }
  return input;
}

function planReply(body: Record<string, unknown>, behaviour: FakeAnthropicBehaviour, seq: number): Reply {
  const blocks: Block[] = [];
  const thinking = body.thinking as { type?: unknown } | undefined;
  if (thinking?.type === 'enabled' && behaviour.thinkingText) {
    blocks.push({ type: 'thinking', deltas: split(behaviour.thinkingText, behaviour.chunks), signature: `sig_fake_${seq}` });
  }
  let stopReason: Reply['stopReason'] = 'end_turn';
  let stopSequence: string | null = null;
  const tool = /use tool/i.test(lastUserText(body.messages as unknown[])) ? chosenTool(body) : null;
  if (tool) {
    blocks.push({ type: 'text', deltas: split(behaviour.toolPreamble, behaviour.chunks) });
    const input = JSON.stringify(behaviour.toolInput ?? inputFromSchema(tool));
    blocks.push({ type: 'tool_use', id: `toolu_fake_${seq}_0`, name: String(tool.name), deltas: split(input, 2) });
    stopReason = 'tool_use';
  } else {
    let text = behaviour.replyText;
    const stops = Array.isArray(body.stop_sequences) ? (body.stop_sequences as unknown[]).filter((s): s is string => typeof s === 'string' && s !== '') : [];
    for (const stop of stops) {
      const at = text.indexOf(stop);
      if (at === -1) continue;
      text = text.slice(0, at);
      stopReason = 'stop_sequence';
      stopSequence = stop;
    }
    blocks.push({ type: 'text', deltas: split(text, behaviour.chunks) });
  }

  let budget = body.max_tokens as number;
  let output = 0;
  for (const block of blocks) {
    if (block.deltas.length > budget) {
      block.deltas = block.deltas.slice(0, budget);
      stopReason = 'max_tokens';
      stopSequence = null;
    }
    budget -= block.deltas.length;
    output += block.deltas.length;
  }
  const kept = blocks.filter((block, index) => index === 0 || block.deltas.length > 0);
  return {
    id: `msg_fake_${seq}`,
    model: String(body.model),
    blocks: kept,
    stopReason,
    stopSequence,
    usage: {
      input_tokens: behaviour.inputTokens === 'derived' ? fakeAnthropicInputTokens(body) : behaviour.inputTokens,
      cache_creation_input_tokens: behaviour.cacheCreationInputTokens,
      cache_read_input_tokens: behaviour.cacheReadInputTokens,
      output_tokens: output,
    },
  };
}

function blockBody(block: Block): Record<string, unknown> {
  const whole = block.deltas.join('');
  switch (block.type) {
    case 'thinking':
      return { type: 'thinking', thinking: whole, signature: block.signature };
    case 'text':
      return { type: 'text', text: whole };
    case 'tool_use':
      return { type: 'tool_use', id: block.id, name: block.name, input: parseJson(whole) ?? {} };
  }
}

function replyMessage(reply: Reply): Record<string, unknown> {
  return {
    id: reply.id,
    type: 'message',
    role: 'assistant',
    model: reply.model,
    content: reply.blocks.map(blockBody),
    stop_reason: reply.stopReason,
    stop_sequence: reply.stopSequence,
    usage: reply.usage,
  };
}

function emptyBlock(block: Block): Record<string, unknown> {
  switch (block.type) {
    case 'thinking':
      return { type: 'thinking', thinking: '', signature: '' };
    case 'text':
      return { type: 'text', text: '' };
    case 'tool_use':
      return { type: 'tool_use', id: block.id, name: block.name, input: {} };
  }
}

function deltaBody(block: Block, text: string): Record<string, unknown> {
  switch (block.type) {
    case 'thinking':
      return { type: 'thinking_delta', thinking: text };
    case 'text':
      return { type: 'text_delta', text };
    case 'tool_use':
      return { type: 'input_json_delta', partial_json: text };
  }
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
    await new Promise<void>((resolve) => response.write(`event: ${String(data.type)}\ndata: ${JSON.stringify(data)}\n\n`, () => resolve()));
    if (behaviour.eventDelayMs > 0) await sleep(behaviour.eventDelayMs);
    return !response.destroyed;
  };
  const breakAfter = failure?.kind === 'cut' || failure?.kind === 'stream-error' ? (failure.afterDeltas ?? 1) : Number.POSITIVE_INFINITY;
  let sent = 0;
  /** Applies a scripted break once `breakAfter` deltas are out; true when the stream must stop. */
  const broke = async (): Promise<boolean> => {
    if (sent < breakAfter || !failure) return false;
    if (failure.kind === 'cut') {
      if (failure.mode === 'end') response.end();
      else response.destroy();
    } else if (failure.kind === 'stream-error') {
      const type = failure.errorType ?? 'overloaded_error';
      await write({ type: 'error', error: { type, message: failure.message ?? `scripted ${type}` } });
      response.end();
    }
    return true;
  };

  const startUsage = { ...reply.usage, output_tokens: 1 };
  if (!(await write({ type: 'message_start', message: { ...replyMessage(reply), content: [], stop_reason: null, stop_sequence: null, usage: startUsage } }))) return;
  if (await broke()) return;
  for (const [index, block] of reply.blocks.entries()) {
    if (!(await write({ type: 'content_block_start', index, content_block: emptyBlock(block) }))) return;
    if (index === 0 && !(await write({ type: 'ping' }))) return;
    // Anthropic opens every tool input with an empty JSON fragment.
    if (block.type === 'tool_use' && !(await write({ type: 'content_block_delta', index, delta: deltaBody(block, '') }))) return;
    for (const text of block.deltas) {
      if (!(await write({ type: 'content_block_delta', index, delta: deltaBody(block, text) }))) return;
      sent++;
      if (await broke()) return;
    }
    if (block.type === 'thinking') {
      if (!(await write({ type: 'content_block_delta', index, delta: { type: 'signature_delta', signature: block.signature } }))) return;
    }
    if (!(await write({ type: 'content_block_stop', index }))) return;
  }
  const deltaUsage = behaviour.fullDeltaUsage ? reply.usage : { output_tokens: reply.usage.output_tokens };
  if (!(await write({ type: 'message_delta', delta: { stop_reason: reply.stopReason, stop_sequence: reply.stopSequence }, usage: deltaUsage }))) return;
  if (!(await write({ type: 'message_stop' }))) return;
  response.end();
}
