import type { FastifyReply } from 'fastify';
import type { GatewayCall } from '../pipeline/index.js';
import { requestIdHeaders } from './request-ids.js';
import { SseWriter } from './sse-writer.js';

/** A JSON answer with the call's server-timing. */
export function sendJson(reply: FastifyReply, call: GatewayCall, text: string): FastifyReply {
  return reply.header('server-timing', call.timing.header()).type('application/json').send(text);
}

/** Takes the response over from Fastify and opens an SSE stream on it. */
export function startSse(reply: FastifyReply, call: GatewayCall, headers: Record<string, string> = {}): SseWriter {
  reply.hijack();
  const writer = new SseWriter(reply.raw);
  writer.start({ ...requestIdHeaders(call), 'server-timing': call.timing.header(), ...headers });
  return writer;
}
