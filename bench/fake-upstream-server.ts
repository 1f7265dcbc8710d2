/**
 * A standalone fake OpenAI upstream for benchmarks: answers `POST /v1/chat/completions` after a fixed
 * delay, JSON or SSE (with the `stream_options.include_usage` usage chunk), and counts the tokens it
 * reported so the ledger can be checked against it.
 *
 * Deterministic: request n gets 50 + n % 151 completion tokens (50–200 stream chunks, one token each)
 * and 20 + n % 7 prompt tokens. Control endpoints (only for the orchestrator): `GET /__stats`,
 * `POST /__reset`, `POST /__config` with `{ "delayMs": 50 }`.
 *
 *   node --import tsx bench/fake-upstream-server.ts --port 9001 [--delay-ms 0] [--chunks-per-write 10]
 *     [--chunk-interval-ms 0] [--fixed-chunks N]
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    port: { type: 'string' },
    'delay-ms': { type: 'string', default: '0' },
    'chunks-per-write': { type: 'string', default: '10' },
    'chunk-interval-ms': { type: 'string', default: '0' },
    'fixed-chunks': { type: 'string' },
  },
});

let delayMs = Number(values['delay-ms']);
const chunksPerWrite = Math.max(1, Number(values['chunks-per-write']));
const chunkIntervalMs = Number(values['chunk-interval-ms']);
const fixedChunks = values['fixed-chunks'] ? Number(values['fixed-chunks']) : null;

interface Counters {
  requests: number;
  /** Responses whose usage block was sent in full. */
  reported: number;
  /** Streams asked without include_usage (usage never reported). */
  unreported: number;
  promptTokens: number;
  completionTokens: number;
}

const fresh = (): Counters => ({ requests: 0, reported: 0, unreported: 0, promptTokens: 0, completionTokens: 0 });
let counters = fresh();
let sequence = 0;

const TOKEN = 'tok ';
const CREATED = 1_700_000_000;

function chunkLine(model: string, withUsageNull: boolean): string {
  const payload = {
    id: 'chatcmpl-bench',
    object: 'chat.completion.chunk',
    created: CREATED,
    model,
    system_fingerprint: 'fp_bench',
    choices: [{ index: 0, delta: { content: TOKEN }, logprobs: null, finish_reason: null }],
    ...(withUsageNull ? { usage: null } : {}),
  };
  return `data: ${JSON.stringify(payload)}\n\n`;
}

function frame(model: string, choices: unknown[], usage: unknown): string {
  const payload: Record<string, unknown> = {
    id: 'chatcmpl-bench',
    object: 'chat.completion.chunk',
    created: CREATED,
    model,
    system_fingerprint: 'fp_bench',
    choices,
  };
  if (usage !== undefined) payload.usage = usage;
  return `data: ${JSON.stringify(payload)}\n\n`;
}

const usageOf = (prompt: number, completion: number) => ({
  prompt_tokens: prompt,
  completion_tokens: completion,
  total_tokens: prompt + completion,
  prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
  completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
});

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const pieces: Buffer[] = [];
    request.on('data', (piece: Buffer) => pieces.push(piece));
    request.on('end', () => resolve(Buffer.concat(pieces).toString('utf8')));
    request.on('error', reject);
  });
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  response.end(text);
}

async function chat(response: ServerResponse, body: Record<string, unknown>): Promise<void> {
  const n = sequence++;
  counters.requests++;
  const completion = fixedChunks ?? 50 + (n % 151);
  const prompt = 20 + (n % 7);
  const model = typeof body.model === 'string' ? body.model : 'fake-model';
  if (delayMs > 0) await sleep(delayMs);
  if (response.destroyed) return;

  if (body.stream !== true) {
    const text = JSON.stringify({
      id: 'chatcmpl-bench',
      object: 'chat.completion',
      created: CREATED,
      model,
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content: TOKEN.repeat(completion), refusal: null },
          logprobs: null,
          finish_reason: 'stop',
        },
      ],
      usage: usageOf(prompt, completion),
      system_fingerprint: 'fp_bench',
    });
    response.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
    response.end(text);
    counters.reported++;
    counters.promptTokens += prompt;
    counters.completionTokens += completion;
    return;
  }

  const includeUsage = (body.stream_options as { include_usage?: unknown } | undefined)?.include_usage === true;
  response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  const line = chunkLine(model, includeUsage);
  const nullUsage = includeUsage ? null : undefined;
  let pending = frame(model, [{ index: 0, delta: { role: 'assistant', content: '' }, logprobs: null, finish_reason: null }], nullUsage);
  for (let sent = 0; sent < completion; sent++) {
    pending += line;
    if ((sent + 1) % chunksPerWrite === 0) {
      response.write(pending);
      pending = '';
      if (chunkIntervalMs > 0) await sleep(chunkIntervalMs);
      else await new Promise<void>((resolve) => setImmediate(resolve));
      if (response.destroyed) return;
    }
  }
  pending += frame(model, [{ index: 0, delta: {}, logprobs: null, finish_reason: 'stop' }], nullUsage);
  if (includeUsage) pending += frame(model, [], usageOf(prompt, completion));
  pending += 'data: [DONE]\n\n';
  response.end(pending);
  if (includeUsage) {
    counters.reported++;
    counters.promptTokens += prompt;
    counters.completionTokens += completion;
  } else {
    counters.unreported++;
  }
}

async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
  const path = (request.url ?? '/').split('?')[0];
  const text = await readBody(request);
  if (request.method === 'GET' && path === '/__stats') return sendJson(response, 200, counters);
  if (request.method === 'POST' && path === '/__reset') {
    counters = fresh();
    return sendJson(response, 200, { ok: true });
  }
  if (request.method === 'POST' && path === '/__config') {
    const update = JSON.parse(text) as { delayMs?: number };
    if (typeof update.delayMs === 'number') delayMs = update.delayMs;
    return sendJson(response, 200, { delayMs });
  }
  if (request.method === 'GET' && (path === '/v1/models' || path === '/healthz')) {
    return sendJson(response, 200, { object: 'list', data: [{ id: 'fake-model', object: 'model', created: CREATED, owned_by: 'bench' }] });
  }
  if (request.method === 'POST' && path === '/v1/chat/completions') {
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(text) as Record<string, unknown>;
    } catch {
      return sendJson(response, 400, { error: { message: 'invalid JSON', type: 'invalid_request_error', param: null, code: null } });
    }
    return chat(response, body);
  }
  sendJson(response, 404, {
    error: { message: `no route ${request.method} ${path}`, type: 'invalid_request_error', param: null, code: null },
  });
}

const server = createServer((request, response) => {
  handle(request, response).catch((error: unknown) => {
    if (!response.headersSent)
      sendJson(response, 500, { error: { message: String(error), type: 'server_error', param: null, code: null } });
    else response.destroy();
  });
});
server.keepAliveTimeout = 60_000;
server.headersTimeout = 65_000;
server.maxConnections = 20_000;
server.listen(Number(values.port ?? 0), '127.0.0.1', () => {
  const address = server.address();
  process.stdout.write(`fake upstream listening on ${typeof address === 'object' && address ? address.port : '?'}\n`);
});
const stop = (): void => {
  server.closeAllConnections();
  server.close(() => process.exit(0));
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
