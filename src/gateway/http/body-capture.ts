import type { ServerResponse } from 'node:http';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { BodyRecorder, Principal } from '../../economy/index.js';
import { SseParser } from '../../wire/sse.js';

/**
 * Raw response characters a capture keeps at most (16× the stored cap of 64 KiB: a stream's SSE framing
 * and JSON around each delta is most of its bytes, so the assembled text still fills the stored cap).
 */
const RAW_CAP = 1024 * 1024;

type Chunk = string | Buffer;

/**
 * Tees one response for a key that keeps its bodies: what is written to the socket is copied (up to
 * `RAW_CAP`), and once the response has closed — after its last byte went out — the request body and
 * the response (for a stream: the text its events carried) go to the economy's body log, which only
 * queues them. Called only when `principal.bodyRetentionDays` is set; other calls never reach here.
 */
export function captureBodies(request: FastifyRequest, reply: FastifyReply, principal: Principal, recorder: BodyRecorder): void {
  const at = Date.now();
  const response = reply.raw;
  const chunks: Chunk[] = [];
  let size = 0;
  let truncated = false;
  const keep = (chunk: unknown): void => {
    if (truncated || chunk === undefined || chunk === null || typeof chunk === 'function') return;
    const piece: Chunk | undefined =
      typeof chunk === 'string' || Buffer.isBuffer(chunk) ? chunk : chunk instanceof Uint8Array ? Buffer.from(chunk) : undefined;
    if (piece === undefined) return;
    if (size + piece.length > RAW_CAP) {
      truncated = true;
      chunks.push(piece.slice(0, RAW_CAP - size));
      size = RAW_CAP;
      return;
    }
    chunks.push(piece);
    size += piece.length;
  };
  // SSE responses pass their headers to writeHead, where getHeader never sees them.
  let contentType = '';
  const writeHead = response.writeHead;
  const write = response.write;
  const end = response.end;
  response.writeHead = function (this: ServerResponse, ...args: unknown[]) {
    contentType = headerIn(args.find((arg) => typeof arg === 'object' && arg !== null)) ?? contentType;
    return (writeHead as (...args: unknown[]) => ServerResponse).apply(this, args);
  } as ServerResponse['writeHead'];
  response.write = function (this: ServerResponse, chunk: unknown, ...rest: unknown[]) {
    keep(chunk);
    return (write as (...args: unknown[]) => boolean).call(this, chunk, ...rest);
  } as ServerResponse['write'];
  response.end = function (this: ServerResponse, chunk?: unknown, ...rest: unknown[]) {
    keep(chunk);
    return (end as (...args: unknown[]) => ServerResponse).call(this, chunk, ...rest);
  } as ServerResponse['end'];
  response.once('close', () => {
    const text = Buffer.concat(chunks.map((chunk) => (typeof chunk === 'string' ? Buffer.from(chunk) : chunk))).toString('utf8');
    contentType ||= String(response.getHeader('content-type') ?? '');
    const kind = contentType.startsWith('text/event-stream') ? 'stream' : contentType.includes('json') ? 'json' : 'text';
    recorder.record({
      requestId: String(request.id),
      principal,
      at,
      request: request.body,
      response: kind === 'stream' ? streamText(text) : text,
      responseKind: kind,
      responseTruncated: truncated,
    });
  });
}

/** The content type among `writeHead`'s headers (an object, or a flat array of names and values). */
function headerIn(headers: unknown): string | undefined {
  if (Array.isArray(headers)) {
    const at = headers.findIndex((item, index) => index % 2 === 0 && String(item).toLowerCase() === 'content-type');
    return at === -1 ? undefined : String(headers[at + 1]);
  }
  if (typeof headers !== 'object' || headers === null) return undefined;
  const entry = Object.entries(headers).find(([name]) => name.toLowerCase() === 'content-type');
  return entry ? String(entry[1]) : undefined;
}

type Json = Record<string, unknown>;
const isRecord = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);
const text = (value: unknown): string => (typeof value === 'string' ? value : '');

/**
 * The text a stream carried, whatever its protocol: OpenAI chat and completion chunks, Anthropic
 * message events and Responses API events (content, reasoning, tool calls and their arguments, errors).
 */
export function streamText(sse: string): string {
  const parser = new SseParser();
  let assembled = '';
  for (const event of [...parser.push(sse), ...parser.flush()]) {
    if (event.data === '[DONE]') continue;
    let data: unknown;
    try {
      data = JSON.parse(event.data);
    } catch {
      assembled += event.data;
      continue;
    }
    if (isRecord(data)) assembled += eventText(data);
  }
  return assembled;
}

function eventText(data: Json): string {
  if (isRecord(data.error)) return `\n[error] ${text(data.error.message)}`;
  if (Array.isArray(data.choices)) {
    let out = '';
    for (const choice of data.choices) {
      if (!isRecord(choice)) continue;
      out += text(choice.text);
      const delta = choice.delta;
      if (!isRecord(delta)) continue;
      out += text(delta.reasoning_content) + text(delta.reasoning) + text(delta.content);
      for (const call of Array.isArray(delta.tool_calls) ? delta.tool_calls : []) {
        const fn = isRecord(call) && isRecord(call.function) ? call.function : undefined;
        if (fn?.name) out += `\n[tool call ${text(fn.name)}] `;
        out += text(fn?.arguments);
      }
    }
    return out;
  }
  switch (data.type) {
    case 'content_block_start': {
      const block = data.content_block;
      return isRecord(block) && block.type === 'tool_use' ? `\n[tool call ${text(block.name)}] ` : '';
    }
    case 'content_block_delta': {
      const delta = isRecord(data.delta) ? data.delta : {};
      return text(delta.text) + text(delta.thinking) + text(delta.partial_json);
    }
    case 'response.output_text.delta':
    case 'response.reasoning_text.delta':
    case 'response.function_call_arguments.delta':
      return text(data.delta);
    case 'response.output_item.added': {
      const item = data.item;
      return isRecord(item) && item.type === 'function_call' ? `\n[tool call ${text(item.name)}] ` : '';
    }
    case 'error':
      return `\n[error] ${text(isRecord(data.error) ? data.error.message : data.message)}`;
    default:
      return '';
  }
}
