/**
 * A fake OpenAI-compatible upstream: a real HTTP server speaking the Chat Completions and Embeddings
 * wire format (SSE framing, `stream_options.include_usage` usage chunk, error bodies, `retry-after`).
 *
 * Deterministic: the reply is `reply` (default "Hello from fake OpenAI!") split into `chunks` deltas
 * for streams; completion_tokens = number of deltas (1 for non-streaming... see `completionTokens`);
 * prompt_tokens = `promptTokens` (default 11). Scripted failures are consumed one per request.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { answerResponses } from './openai-responses.js';

export type ScriptedFailure =
  | { kind: 'status'; status: number; message?: string; retryAfter?: string; type?: string }
  | { kind: 'hang-before-headers' }
  | { kind: 'hang-mid-stream'; afterChunks: number }
  | { kind: 'cut-mid-stream'; afterChunks: number }
  | { kind: 'malformed-sse' }
  | { kind: 'invalid-json' }
  | { kind: 'error-event'; afterChunks: number };

export interface FakeOpenAIOptions {
  apiKey?: string;
  reply?: string;
  /** Number of content deltas in a stream. */
  chunks?: number;
  promptTokens?: number;
  cachedTokens?: number;
  /** Delay before the response headers, ms. */
  delayMs?: number;
  /** Delay between stream chunks, ms. */
  chunkDelayMs?: number;
  /** Send no usage block at all (like some self-hosted servers). */
  omitUsage?: boolean;
  /** Send this as the `usage` block, whatever was generated (a broken or hostile upstream). */
  usage?: unknown;
  /** How embeddings are sent whatever `encoding_format` asked (default `float`, like servers that ignore it). */
  embeddingsEncoding?: 'float' | 'base64';
}

export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: Record<string, unknown> | null;
}

export interface FakeOpenAI {
  url: string;
  port: number;
  requests: RecordedRequest[];
  /** Failures answered, in order, to the next requests. */
  failNext(...failures: ScriptedFailure[]): void;
  set(options: Partial<FakeOpenAIOptions>): void;
  /** Requests currently open (for leak checks). */
  openRequests(): number;
  close(): Promise<void>;
}

export function splitReply(reply: string, chunks: number): string[] {
  const count = Math.max(1, Math.min(chunks, reply.length));
  const size = Math.ceil(reply.length / count);
  const pieces: string[] = [];
  for (let i = 0; i < reply.length; i += size) pieces.push(reply.slice(i, i + size));
  return pieces;
}

export async function startFakeOpenAI(initial: FakeOpenAIOptions = {}): Promise<FakeOpenAI> {
  let options: Required<Omit<FakeOpenAIOptions, 'apiKey' | 'usage'>> & { apiKey?: string; usage?: unknown } = {
    embeddingsEncoding: 'float',
    reply: 'Hello from fake OpenAI!',
    chunks: 5,
    promptTokens: 11,
    cachedTokens: 0,
    delayMs: 0,
    chunkDelayMs: 0,
    omitUsage: false,
    ...initial,
  };
  const failures: ScriptedFailure[] = [];
  const requests: RecordedRequest[] = [];
  const open = new Set<ServerResponse>();
  let counter = 0;

  const server: Server = createServer((request, response) => {
    const pieces: Buffer[] = [];
    request.on('data', (piece: Buffer) => pieces.push(piece));
    request.on('end', () => {
      open.add(response);
      response.on('close', () => open.delete(response));
      let body: Record<string, unknown> | null = null;
      try {
        body = pieces.length ? (JSON.parse(Buffer.concat(pieces).toString('utf8')) as Record<string, unknown>) : null;
      } catch {
        body = null;
      }
      requests.push({ method: request.method ?? 'GET', path: request.url ?? '/', headers: request.headers, body });
      void handle(request, response, body);
    });
  });

  const sendError = (response: ServerResponse, status: number, message: string, type: string, extra: Record<string, string> = {}): void => {
    response.writeHead(status, { 'content-type': 'application/json', ...extra });
    response.end(JSON.stringify({ error: { message, type, param: null, code: null } }));
  };

  const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

  async function handle(request: IncomingMessage, response: ServerResponse, body: Record<string, unknown> | null): Promise<void> {
    const path = (request.url ?? '/').split('?')[0];
    if (options.apiKey && request.headers.authorization !== `Bearer ${options.apiKey}`) {
      sendError(response, 401, 'Incorrect API key provided.', 'invalid_request_error');
      return;
    }
    if (request.method === 'GET' && path === '/v1/models') {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(
        JSON.stringify({ object: 'list', data: [{ id: 'fake-model', object: 'model', created: 1700000000, owned_by: 'fake' }] }),
      );
      return;
    }
    if (request.method !== 'POST' || !body) {
      sendError(response, 400, 'We could not parse the JSON body of your request.', 'invalid_request_error');
      return;
    }
    const failure = failures.shift();
    if (options.delayMs) await sleep(options.delayMs);
    if (failure?.kind === 'hang-before-headers') return; // never answers; the client must time out
    if (failure?.kind === 'status') {
      const extra: Record<string, string> = failure.retryAfter ? { 'retry-after': failure.retryAfter } : {};
      sendError(
        response,
        failure.status,
        failure.message ?? `fake failure ${failure.status}`,
        failure.type ?? (failure.status === 429 ? 'rate_limit_error' : 'server_error'),
        extra,
      );
      return;
    }
    if (failure?.kind === 'invalid-json') {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end('{"id": "chatcmpl-broken", "choices": [');
      return;
    }
    if (path === '/v1/embeddings') return embeddings(response, body);
    if (path === '/v1/chat/completions') return chat(response, body, failure);
    if (path === '/v1/responses') {
      const pieces = splitReply(options.reply, options.chunks);
      return answerResponses(response, body, ++counter, { ...options, pieces });
    }
    sendError(response, 404, `Invalid URL (POST ${path})`, 'invalid_request_error');
  }

  function usageBlock(completionTokens: number): unknown {
    if (options.usage !== undefined) return options.usage;
    return {
      prompt_tokens: options.promptTokens,
      completion_tokens: completionTokens,
      total_tokens: options.promptTokens + completionTokens,
      prompt_tokens_details: { cached_tokens: options.cachedTokens, audio_tokens: 0 },
      completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
    };
  }

  function wantsTool(body: Record<string, unknown>): { name: string } | null {
    const tools = body.tools as { function: { name: string } }[] | undefined;
    const messages = body.messages as { role: string; content: unknown }[];
    const last = messages.at(-1);
    if (!tools?.length || last?.role !== 'user' || typeof last.content !== 'string' || !last.content.includes('use tool')) return null;
    return { name: tools[0]?.function.name ?? 'tool' };
  }

  async function chat(response: ServerResponse, body: Record<string, unknown>, failure: ScriptedFailure | undefined): Promise<void> {
    counter++;
    const id = `chatcmpl-fake${counter}`;
    const created = 1_700_000_000 + counter;
    const model = String(body.model);
    const tool = wantsTool(body);
    const n = typeof body.n === 'number' ? body.n : 1;
    const pieces = splitReply(options.reply, options.chunks);
    if (body.stream !== true) {
      const choices = Array.from({ length: n }, (_, index) => ({
        index,
        message: tool
          ? {
              role: 'assistant',
              content: null,
              refusal: null,
              tool_calls: [{ id: `call_fake${counter}`, type: 'function', function: { name: tool.name, arguments: '{"city":"Paris"}' } }],
            }
          : { role: 'assistant', content: options.reply, refusal: null },
        logprobs: null,
        finish_reason: tool ? 'tool_calls' : 'stop',
      }));
      const completion: Record<string, unknown> = {
        id,
        object: 'chat.completion',
        created,
        model,
        choices,
        system_fingerprint: 'fp_fake',
        service_tier: 'default',
      };
      if (!options.omitUsage) completion.usage = usageBlock(pieces.length * n);
      response.writeHead(200, { 'content-type': 'application/json', 'x-request-id': `fake-${counter}` });
      response.end(JSON.stringify(completion));
      return;
    }
    const includeUsage = (body.stream_options as { include_usage?: boolean } | undefined)?.include_usage === true && !options.omitUsage;
    response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
    const base = { id, object: 'chat.completion.chunk', created, model, system_fingerprint: 'fp_fake' };
    const write = (payload: unknown): void => {
      response.write(`data: ${JSON.stringify(includeUsage ? { ...(payload as object), usage: null } : payload)}\n\n`);
    };
    if (failure?.kind === 'malformed-sse') {
      response.write('data: {"id": not json}\n\n');
      response.end();
      return;
    }
    write({
      ...base,
      choices: [{ index: 0, delta: { role: 'assistant', content: '', refusal: null }, logprobs: null, finish_reason: null }],
    });
    let sent = 0;
    if (tool) {
      write({
        ...base,
        choices: [
          {
            index: 0,
            delta: {
              tool_calls: [{ index: 0, id: `call_fake${counter}`, type: 'function', function: { name: tool.name, arguments: '' } }],
            },
            logprobs: null,
            finish_reason: null,
          },
        ],
      });
      for (const fragment of ['{"city"', ':"Paris"}']) {
        write({
          ...base,
          choices: [
            { index: 0, delta: { tool_calls: [{ index: 0, function: { arguments: fragment } }] }, logprobs: null, finish_reason: null },
          ],
        });
        sent++;
      }
    } else {
      for (const piece of pieces) {
        if (failure && 'afterChunks' in failure && sent === failure.afterChunks) {
          if (failure.kind === 'hang-mid-stream') return;
          if (failure.kind === 'cut-mid-stream') {
            // Half-close after what was written reaches the socket: the chunked body stays unterminated,
            // and a reset cannot race the data already sent.
            const socket = response.socket;
            response.write('', () => socket?.end());
            return;
          }
          if (failure.kind === 'error-event') {
            response.write(
              `data: ${JSON.stringify({ error: { message: 'The server had an error while processing your request.', type: 'server_error', param: null, code: null } })}\n\n`,
            );
            response.end();
            return;
          }
        }
        if (options.chunkDelayMs) await sleep(options.chunkDelayMs);
        if (response.destroyed) return;
        write({ ...base, choices: [{ index: 0, delta: { content: piece }, logprobs: null, finish_reason: null }] });
        sent++;
      }
    }
    write({ ...base, choices: [{ index: 0, delta: {}, logprobs: null, finish_reason: tool ? 'tool_calls' : 'stop' }] });
    if (includeUsage) response.write(`data: ${JSON.stringify({ ...base, choices: [], usage: usageBlock(sent) })}\n\n`);
    response.write('data: [DONE]\n\n');
    response.end();
  }

  function embeddings(response: ServerResponse, body: Record<string, unknown>): void {
    const inputs = Array.isArray(body.input) ? body.input : [body.input];
    const data = inputs.map((_, index) => {
      const vector = [0.1 * (index + 1), -0.2, 0.3];
      if (options.embeddingsEncoding === 'float') return { object: 'embedding', index, embedding: vector };
      return { object: 'embedding', index, embedding: Buffer.from(new Float32Array(vector).buffer).toString('base64') };
    });
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(
      JSON.stringify({
        object: 'list',
        data,
        model: body.model,
        usage: { prompt_tokens: options.promptTokens, total_tokens: options.promptTokens },
      }),
    );
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    port,
    requests,
    failNext: (...next) => failures.push(...next),
    set: (next) => {
      options = { ...options, ...next };
    },
    openRequests: () => open.size,
    close: async () => {
      for (const response of open) response.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
