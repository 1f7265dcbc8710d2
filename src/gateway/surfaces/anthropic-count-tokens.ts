import type { FastifyInstance } from 'fastify';
import { HubError } from '../../core/index.js';
import { countPromptTokens } from '../../economy/index.js';
import { type AnthropicTokenCount, anthropicCountTokensRequestSchema, anthropicToCanonical } from '../../wire/anthropic/index.js';
import { sendJson } from '../http/reply.js';
import { readForwardedJson, settlementBase } from '../pipeline/index.js';
import { anthropicClientHeaders } from './anthropic-messages.js';
import { servedModelHeaders } from './served-model.js';
import type { SurfaceContext } from './surface-context.js';
import { validateBody } from './validate.js';

interface Counted {
  /** The answer's JSON text: an Anthropic upstream's bytes, or the hub's own count. */
  text: string;
  /** Whether an upstream was asked (so the breaker learns of its health), or the hub counted alone. */
  upstream: boolean;
}

/**
 * `POST /v1/messages/count_tokens` on every model: an Anthropic upstream counts with its own tokenizer
 * (the request is forwarded, re-targeted); for any other upstream the hub counts the canonical prompt
 * (system, messages, tools) with its tokenizer for the upstream model, an estimate for non-OpenAI models.
 * Admitted as `count_tokens`: key, model access, requests per minute and concurrency, but nothing
 * reserved, billed or put on the ledger (see economy `AdmissionRequest.operation`).
 */
export function registerAnthropicCountTokens(app: FastifyInstance, surface: SurfaceContext): void {
  app.post('/v1/messages/count_tokens', { config: { protocol: 'anthropic' } }, async (request, reply) => {
    const raw = request.body as Record<string, unknown>;
    const body = validateBody(anthropicCountTokensRequestSchema, raw);
    const call = await surface.begin(request, reply, 'anthropic');
    reply.header('request-id', call.requestId);
    const admission = await surface.pipeline.admit(call, { model: body.model, operation: 'count_tokens' });
    const headers = anthropicClientHeaders(request.headers);

    const routed = await surface.pipeline.route<Counted>(call, admission, body.model, false, async (attempt, context) => {
      const provider = attempt.provider;
      const upstreamModel = attempt.target.upstreamModel;
      if (provider.passthrough === 'anthropic' && provider.forward) {
        const upstreamBody = JSON.stringify({ ...raw, model: upstreamModel });
        const response = await provider.forward({ path: '/messages/count_tokens', body: upstreamBody, stream: false, headers }, context);
        const { text, body: count } = await readForwardedJson<Partial<AnthropicTokenCount>>(provider.id, response, context.signal);
        if (typeof count?.input_tokens !== 'number') {
          throw new HubError('UPSTREAM_ERROR', `upstream ${provider.id} answered count_tokens without input_tokens`);
        }
        return { text, upstream: true };
      }
      const count: AnthropicTokenCount = { input_tokens: countPromptTokens(anthropicToCanonical(body, { strict: false }), upstreamModel) };
      return { text: JSON.stringify(count), upstream: false };
    });

    routed.finish(routed.value.upstream ? 'success' : 'neutral');
    await admission.settle({ ...settlementBase(call, routed, false), usage: null, outputText: '', status: 200 });
    return sendJson(reply.headers(servedModelHeaders(routed.attempt.model.name)), call, routed.value.text);
  });
}
