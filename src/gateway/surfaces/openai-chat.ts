import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { type ChatResult, HubError, type StreamPart } from '../../core/index.js';
import type { ForwardResponse } from '../../providers/index.js';
import {
  canonicalToChatCompletion,
  type OpenAIChatCompletion,
  type OpenAIChatRequest,
  OpenAIChunkEncoder,
  openaiChatRequestSchema,
  openaiChatToCanonical,
} from '../../wire/openai/index.js';
import { type AgentModels, agentNameOf } from '../agent-models.js';
import { sendJson, startSse } from '../http/reply.js';
import { type ForwardedJson, observeStream, readForwardedJson, settleResult } from '../pipeline/index.js';
import { RUN_ID_HEADER, resultParts, runAgentModel } from './agent-model.js';
import { relayOpenAIJson, relayOpenAIStream } from './openai-passthrough.js';
import { writeOpenAISse } from './openai-sse.js';
import { servedModelHeaders, withRequestedModel } from './served-model.js';
import type { SurfaceContext } from './surface-context.js';
import { validateBody } from './validate.js';

type Answer =
  | { kind: 'forward-json'; json: ForwardedJson<OpenAIChatCompletion> }
  | { kind: 'forward-stream'; response: ForwardResponse }
  | { kind: 'result'; result: ChatResult }
  | { kind: 'stream'; parts: AsyncIterable<StreamPart> };

/**
 * `POST /v1/chat/completions`: pass-through to OpenAI-protocol upstreams, canonical translation to others;
 * `agent/<name>` runs the tenant's agent (with `agentModels`).
 */
export function registerOpenAIChat(app: FastifyInstance, surface: SurfaceContext, agentModels?: AgentModels): void {
  app.post('/v1/chat/completions', { config: { protocol: 'openai' } }, async (request, reply) => {
    const raw = request.body as Record<string, unknown>;
    const body = validateBody(openaiChatRequestSchema, raw);
    const agent = agentModels ? agentNameOf(body.model) : undefined;
    if (agentModels && agent) return answerAgentChat(surface, agentModels, agent, body, request, reply);
    const call = await surface.begin(request, reply, 'openai');
    const canonical = openaiChatToCanonical(body);
    const stream = canonical.stream;
    const clientWantsUsage = body.stream_options?.include_usage === true;
    const admission = await surface.pipeline.admit(call, { model: canonical.model, chat: canonical });

    const routed = await surface.pipeline.route<Answer>(call, admission, canonical.model, stream, async (attempt, context) => {
      const provider = attempt.provider;
      const upstreamModel = attempt.target.upstreamModel;
      if (provider.passthrough === 'openai' && provider.forward) {
        const upstreamBody: Record<string, unknown> = { ...raw, model: upstreamModel };
        if (stream) upstreamBody.stream_options = { ...(body.stream_options ?? {}), include_usage: true };
        const response = await provider.forward({ path: '/chat/completions', body: JSON.stringify(upstreamBody), stream }, context);
        if (stream) return { kind: 'forward-stream', response };
        return { kind: 'forward-json', json: await readForwardedJson<OpenAIChatCompletion>(provider.id, response, context.signal) };
      }
      if (stream) return { kind: 'stream', parts: await provider.streamChat({ ...canonical, model: upstreamModel }, context) };
      return { kind: 'result', result: await provider.chat({ ...canonical, model: upstreamModel }, context) };
    });

    const answer = routed.value;
    const served = servedModelHeaders(routed.attempt.model.name);
    switch (answer.kind) {
      case 'forward-json': {
        const text = await relayOpenAIJson(call, admission, { ...routed, value: answer.json });
        return sendJson(reply.headers(served), call, withRequestedModel(text, canonical.model));
      }
      case 'forward-stream':
        await relayOpenAIStream(
          call,
          admission,
          { ...routed, value: answer.response },
          startSse(reply, call, served),
          clientWantsUsage,
          canonical.model,
        );
        return reply;
      case 'result': {
        const result = await settleResult(call, admission, { ...routed, value: answer.result });
        return sendJson(reply.headers(served), call, JSON.stringify(canonicalToChatCompletion({ ...result, model: canonical.model })));
      }
      case 'stream': {
        const parts = observeStream(call, admission, { ...routed, value: answer.parts });
        const writer = startSse(reply, call, served);
        const encoder = new OpenAIChunkEncoder(canonical.model, clientWantsUsage);
        await writeOpenAISse(surface, call, parts, writer, (part) => encoder.encode(part));
        return reply;
      }
    }
  });
}

/** An agent as a model: the run's final answer as a chat completion, or as one delta of a chunk stream. */
async function answerAgentChat(
  surface: SurfaceContext,
  agentModels: AgentModels,
  agent: string,
  body: OpenAIChatRequest,
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<FastifyReply> {
  const call = await surface.begin(request, reply, 'openai', 'agents:run');
  const canonical = openaiChatToCanonical(body);
  if (canonical.tools?.length) {
    throw new HubError('UNSUPPORTED_FEATURE', 'An agent model calls its own tools: send no tools with it.', {
      param: 'tools',
      code: 'unsupported_feature',
    });
  }
  const { result, runId } = await runAgentModel(agentModels, call, reply, agent, canonical.messages);
  if (!canonical.stream) return sendJson(reply, call, JSON.stringify(canonicalToChatCompletion({ ...result, model: body.model })));
  const writer = startSse(reply, call, { [RUN_ID_HEADER]: runId });
  const encoder = new OpenAIChunkEncoder(body.model, body.stream_options?.include_usage === true);
  await writeOpenAISse(surface, call, resultParts(result), writer, (part) => encoder.encode(part));
  return reply;
}
