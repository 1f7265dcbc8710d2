import type { FastifyInstance } from 'fastify';
import { type ChatStream, HubError, type TextCompletionResult } from '../../core/index.js';
import type { Admission } from '../../economy/index.js';
import type { Routed } from '../../routing/index.js';
import {
  CompletionChunkEncoder,
  canonicalToTextCompletion,
  openaiCompletionRequestSchema,
  openaiCompletionToCanonical,
} from '../../wire/openai/index.js';
import { requestIdHeaders } from '../http/request-ids.js';
import { SseWriter } from '../http/sse-writer.js';
import { type GatewayCall, observeStream, settlementBase } from '../pipeline/index.js';
import { writeOpenAISse } from './openai-sse.js';
import { servedModelHeaders } from './served-model.js';
import type { SurfaceContext } from './surface-context.js';
import { validateBody } from './validate.js';

type Answer = { kind: 'result'; result: TextCompletionResult } | { kind: 'stream'; parts: ChatStream };

/**
 * `POST /v1/completions`: the legacy text completions API, for base models without a chat template
 * (local GGUF models, vLLM, llama.cpp servers…). Admitted, routed and metered exactly like chat: the
 * prompt is counted as one user message for the budget reservation.
 */
export function registerOpenAICompletions(app: FastifyInstance, surface: SurfaceContext): void {
  app.post('/v1/completions', { config: { protocol: 'openai' } }, async (request, reply) => {
    const body = validateBody(openaiCompletionRequestSchema, request.body);
    const call = await surface.begin(request, reply, 'openai');
    const canonical = openaiCompletionToCanonical(body);
    const stream = canonical.stream;
    const clientWantsUsage = body.stream_options?.include_usage === true;
    const admission = await surface.pipeline.admit(call, {
      model: canonical.model,
      operation: 'text_completion',
      chat: {
        model: canonical.model,
        messages: [{ role: 'user', content: canonical.prompt }],
        stream,
        ...(canonical.maxTokens !== undefined ? { maxTokens: canonical.maxTokens } : {}),
        ...(canonical.n !== undefined ? { n: canonical.n } : {}),
      },
      // best_of candidates are generated (and billed) server-side even though only n come back.
      ...(canonical.bestOf !== undefined ? { generatedChoices: canonical.bestOf } : {}),
    });

    const routed = await surface.pipeline.route<Answer>(call, admission, canonical.model, stream, async (attempt, context) => {
      const provider = attempt.provider;
      const upstream = { ...canonical, model: attempt.target.upstreamModel };
      if (!provider.complete || !provider.streamComplete) {
        throw new HubError(
          'UNSUPPORTED_FEATURE',
          `Model \`${canonical.model}\` is served by a provider without the legacy completions API; use /v1/chat/completions.`,
          {
            param: 'model',
          },
        );
      }
      if (stream) return { kind: 'stream', parts: await provider.streamComplete(upstream, context) };
      return { kind: 'result', result: await provider.complete(upstream, context) };
    });

    const answer = routed.value;
    const served = servedModelHeaders(routed.attempt.model.name);
    if (answer.kind === 'result') {
      const result = await settleCompletion(call, admission, { ...routed, value: answer.result });
      return reply
        .headers(served)
        .header('server-timing', call.timing.header())
        .type('application/json')
        .send(JSON.stringify(canonicalToTextCompletion({ ...result, model: canonical.model })));
    }
    const parts = observeStream(call, admission, { ...routed, value: answer.parts });
    reply.hijack();
    const writer = new SseWriter(reply.raw);
    writer.start({ ...requestIdHeaders(call), 'server-timing': call.timing.header(), ...served });
    const encoder = new CompletionChunkEncoder(canonical.model, clientWantsUsage);
    await writeOpenAISse(surface, call, parts, writer, (part) => encoder.encode(part));
    return reply;
  });
}

/** Settles a non-streaming completion like `settleResult` does a chat answer. */
async function settleCompletion(
  call: GatewayCall,
  admission: Admission,
  routed: Routed<TextCompletionResult>,
): Promise<TextCompletionResult> {
  routed.finish('success');
  const result = routed.value;
  await admission.settle({
    ...settlementBase(call, routed, false),
    usage: result.usage,
    outputText: result.choices.map((choice) => choice.text).join(''),
    status: 200,
  });
  return result;
}
