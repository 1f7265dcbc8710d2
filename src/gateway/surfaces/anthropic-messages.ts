import type { IncomingHttpHeaders } from 'node:http';
import type { FastifyInstance } from 'fastify';
import { type ChatResult, HubError, type StreamPart } from '../../core/index.js';
import type { ForwardResponse } from '../../providers/index.js';
import {
  AnthropicEventEncoder,
  type AnthropicMessage,
  anthropicErrorSse,
  anthropicMessagesRequestSchema,
  anthropicToCanonical,
  canonicalToAnthropicMessage,
  formatAnthropicSse,
} from '../../wire/anthropic/index.js';
import { sendJson, startSse } from '../http/reply.js';
import type { SseWriter } from '../http/sse-writer.js';
import { type ForwardedJson, type GatewayCall, observeStream, readForwardedJson, settleResult } from '../pipeline/index.js';
import { relayAnthropicJson, relayAnthropicStream } from './anthropic-passthrough.js';
import { servedModelHeaders, withRequestedModel } from './served-model.js';
import type { SurfaceContext } from './surface-context.js';
import { validateBody } from './validate.js';

type Answer =
  | { kind: 'forward-json'; json: ForwardedJson<AnthropicMessage> }
  | { kind: 'forward-stream'; response: ForwardResponse }
  | { kind: 'result'; result: ChatResult }
  | { kind: 'stream'; parts: AsyncIterable<StreamPart> };

/** Client headers of the Anthropic protocol that an Anthropic upstream must see too. */
const FORWARDED_HEADERS = ['anthropic-version', 'anthropic-beta'] as const;

export function anthropicClientHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const forwarded: Record<string, string> = {};
  for (const name of FORWARDED_HEADERS) {
    const value = headers[name];
    if (typeof value === 'string') forwarded[name] = value;
  }
  return forwarded;
}

/** `POST /v1/messages`: pass-through to Anthropic upstreams, canonical translation to the others. */
export function registerAnthropicMessages(app: FastifyInstance, surface: SurfaceContext): void {
  app.post('/v1/messages', { config: { protocol: 'anthropic' } }, async (request, reply) => {
    const raw = request.body as Record<string, unknown>;
    const body = validateBody(anthropicMessagesRequestSchema, raw);
    const call = await surface.begin(request, reply, 'anthropic');
    reply.header('request-id', call.requestId);
    // Lenient for admission (token estimate); the strict form is built only when translating.
    const lenient = anthropicToCanonical(body, { strict: false });
    const stream = lenient.stream;
    const admission = await surface.pipeline.admit(call, { model: body.model, chat: lenient });
    const headers = anthropicClientHeaders(request.headers);

    const routed = await surface.pipeline.route<Answer>(call, admission, body.model, stream, async (attempt, context) => {
      const provider = attempt.provider;
      const upstreamModel = attempt.target.upstreamModel;
      if (provider.passthrough === 'anthropic' && provider.forward) {
        const upstreamBody = JSON.stringify({ ...raw, model: upstreamModel });
        const response = await provider.forward({ path: '/messages', body: upstreamBody, stream, headers }, context);
        if (stream) return { kind: 'forward-stream', response };
        return { kind: 'forward-json', json: await readForwardedJson<AnthropicMessage>(provider.id, response, context.signal) };
      }
      const canonical = { ...anthropicToCanonical(body), model: upstreamModel };
      if (stream) return { kind: 'stream', parts: await provider.streamChat(canonical, context) };
      return { kind: 'result', result: await provider.chat(canonical, context) };
    });

    const answer = routed.value;
    const served = servedModelHeaders(routed.attempt.model.name);
    switch (answer.kind) {
      case 'forward-json': {
        const text = await relayAnthropicJson(call, admission, { ...routed, value: answer.json });
        return sendJson(reply.headers(served), call, withRequestedModel(text, body.model));
      }
      case 'forward-stream':
        await relayAnthropicStream(
          call,
          admission,
          { ...routed, value: answer.response },
          startSse(reply, call, { 'request-id': call.requestId, ...served }),
          body.model,
        );
        return reply;
      case 'result': {
        const result = await settleResult(call, admission, { ...routed, value: answer.result });
        const message = { ...canonicalToAnthropicMessage(result), model: body.model };
        return sendJson(reply.headers(served), call, JSON.stringify(message));
      }
      case 'stream': {
        const parts = observeStream(call, admission, { ...routed, value: answer.parts });
        await writeEvents(
          surface,
          call,
          parts,
          startSse(reply, call, { 'request-id': call.requestId, ...served }),
          new AnthropicEventEncoder({ model: body.model }),
        );
        return reply;
      }
    }
  });
}

async function writeEvents(
  surface: SurfaceContext,
  call: GatewayCall,
  parts: AsyncIterable<StreamPart>,
  writer: SseWriter,
  encoder: AnthropicEventEncoder,
): Promise<void> {
  try {
    for await (const part of parts) {
      let text = '';
      for (const event of encoder.encode(part)) text += formatAnthropicSse(event);
      const backpressure = text ? writer.write(text) : undefined;
      if (backpressure) await backpressure;
      if (writer.isClosed) break;
    }
    for (const event of encoder.finish()) await writer.write(formatAnthropicSse(event));
  } catch (error) {
    const failure = error instanceof HubError ? error : new HubError('UPSTREAM_ERROR', 'upstream stream failed');
    surface.log.warn({ requestId: call.requestId, code: failure.code }, failure.message);
    await writer.write(anthropicErrorSse(failure));
  }
  writer.end();
}
