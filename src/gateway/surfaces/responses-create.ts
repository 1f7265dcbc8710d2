import type { FastifyReply, FastifyRequest } from 'fastify';
import { type ChatRequest, type ChatResult, HubError, type StreamPart, toHubError } from '../../core/index.js';
import type { ForwardResponse, Provider } from '../../providers/index.js';
import {
  normaliseInput,
  type ResponsesEvent,
  type ResponsesRequest,
  ResponsesStreamEncoder,
  responseEnvelope,
  responseId,
  responsesRequestSchema,
  responsesToCanonical,
  resultToResponse,
  type UnsupportedFeature,
  unsupportedFeatureError,
} from '../../wire/responses/index.js';
import { sseEvent } from '../../wire/sse.js';
import { type AgentModels, agentNameOf } from '../agent-models.js';
import { requestIdHeaders } from '../http/request-ids.js';
import { SseWriter } from '../http/sse-writer.js';
import { type GatewayCall, observeStream, settleResult } from '../pipeline/index.js';
import { RUN_ID_HEADER, resultParts, runAgentModel } from './agent-model.js';
import { type NativeResponseJson, readNativeResponseJson, relayResponsesStream, settleResponsesJson } from './responses-passthrough.js';
import {
  conversationItems,
  expiryFor,
  itemResolver,
  type ResponseStore,
  responseNotFound,
  type StoredResponse,
  type TenantResponseStore,
} from './responses-store.js';
import { servedModelHeaders, withRequestedModel } from './served-model.js';
import type { SurfaceContext } from './surface-context.js';
import { validateBody } from './validate.js';

export interface CreateResponseDeps {
  surface: SurfaceContext;
  store: ResponseStore;
  /** Provider ids whose upstream serves `/responses` natively (config `responses_api`). */
  nativeProviders: ReadonlySet<string>;
  retentionDays: number;
  now: () => Date;
  /** Runs `agent/<name>` models (omitted: those are unknown model names). */
  agentModels?: AgentModels;
}

type Answer =
  | { kind: 'forward'; response: ForwardResponse }
  | { kind: 'forward-json'; json: NativeResponseJson }
  | { kind: 'result'; result: ChatResult }
  | { kind: 'stream'; parts: AsyncIterable<StreamPart> };

/**
 * `POST /v1/responses`: parse, rebuild the conversation from `previous_response_id`, translate to the
 * canonical request and run it through the pipeline (admission, routing, settlement — once, whatever
 * the provider), then render a Response object or event stream and store it for the tenant.
 */
export async function createResponse(request: FastifyRequest, reply: FastifyReply, deps: CreateResponseDeps): Promise<FastifyReply> {
  const { surface } = deps;
  const raw = request.body as Record<string, unknown>;
  const body = validateBody(responsesRequestSchema, raw);
  if (body.input === undefined) {
    throw new HubError('INVALID_REQUEST', "Missing required parameter: 'input'.", { param: 'input', code: 'missing_required_parameter' });
  }
  const agent = deps.agentModels ? agentNameOf(body.model) : undefined;
  const call = await surface.begin(request, reply, 'responses', agent ? 'agents:run' : 'inference');
  const tenantStore = deps.store.forTenant(call.principal.tenantId);

  let history: Record<string, unknown>[] = [];
  if (body.previous_response_id) {
    const chain = await tenantStore.conversation(body.previous_response_id);
    if (chain.length === 0) throw responseNotFound(body.previous_response_id, 'previous_response_id');
    history = conversationItems(chain);
  }
  const resolve = itemResolver(history);
  const { request: canonical, unsupported } = responsesToCanonical(body, history, resolve);
  if (deps.agentModels && agent) {
    const inputItems = normaliseInput(body.input, resolve);
    const persist = async (response: Record<string, unknown>): Promise<Record<string, unknown>> => {
      if (body.store === false) return response;
      const stored = await save(deps, tenantStore, call, { response, inputItems, previousResponseId: body.previous_response_id ?? null });
      return stored ? response : { ...response, store: false };
    };
    return answerAgentResponse(deps, deps.agentModels, { agent, body, canonical, unsupported, call, reply, persist });
  }
  const native = (provider: Provider, providerId: string): boolean =>
    deps.nativeProviders.has(providerId) && provider.passthrough === 'openai' && provider.forward !== undefined;
  const firstUnsupported = unsupported[0];
  if (firstUnsupported && !modelHasNativeTarget(surface, body.model, deps.nativeProviders)) {
    throw unsupportedFeatureError(firstUnsupported, body.model);
  }

  const stream = canonical.stream;
  const admission = await surface.pipeline.admit(call, { model: canonical.model, chat: canonical });
  const routed = await surface.pipeline.route<Answer>(call, admission, canonical.model, stream, async (attempt, context) => {
    const provider = attempt.provider;
    const upstreamModel = attempt.target.upstreamModel;
    if (native(provider, attempt.target.providerId) && provider.forward) {
      const upstreamBody = nativeBody(raw, body, history, upstreamModel);
      const response = await provider.forward({ path: '/responses', body: JSON.stringify(upstreamBody), stream }, context);
      // A non-streaming body is read inside the attempt, so a broken or non-JSON one is retried like any upstream failure.
      if (!stream) return { kind: 'forward-json', json: await readNativeResponseJson(provider.id, response, context.signal) };
      return { kind: 'forward', response };
    }
    if (firstUnsupported) throw unsupportedFeatureError(firstUnsupported, attempt.model.name);
    if (stream) return { kind: 'stream', parts: await provider.streamChat({ ...canonical, model: upstreamModel }, context) };
    return { kind: 'result', result: await provider.chat({ ...canonical, model: upstreamModel }, context) };
  });

  const storing = body.store !== false;
  const inputItems = normaliseInput(body.input, resolve);
  // Stores the response and returns it as the client is to see it: `store` says what happened.
  const persist = async (response: Record<string, unknown>): Promise<Record<string, unknown>> => {
    if (!storing) return response;
    const stored = await save(deps, tenantStore, call, { response, inputItems, previousResponseId: body.previous_response_id ?? null });
    return stored ? response : { ...response, store: false };
  };

  const answer = routed.value;
  const served = servedModelHeaders(routed.attempt.model.name);
  switch (answer.kind) {
    case 'forward-json': {
      await settleResponsesJson(call, admission, { ...routed, value: answer.json });
      const text = withRequestedModel(answer.json.text, body.model);
      const response: Record<string, unknown> = { ...answer.json.response, model: body.model };
      const shown = response.status === 'failed' ? response : await persist(response);
      return sendJson(reply.headers(served), call, shown === response ? text : JSON.stringify(shown));
    }
    case 'forward': {
      const forwarded = { ...routed, value: answer.response };
      const writer = startStream(reply, call, served);
      await relayResponsesStream(call, admission, forwarded, writer, persist, body.model);
      return reply;
    }
    case 'result': {
      const result = await settleResult(call, admission, { ...routed, value: answer.result });
      const envelope = responseEnvelope(body, responseId(), createdAt(call, deps));
      const response = resultToResponse(envelope, result, seconds(deps.now()));
      return sendJson(reply.headers(served), call, JSON.stringify(await persist(response as unknown as Record<string, unknown>)));
    }
    case 'stream': {
      const parts = observeStream(call, admission, { ...routed, value: answer.parts });
      const writer = startStream(reply, call, served);
      const encoder = new ResponsesStreamEncoder(responseEnvelope(body, responseId(), createdAt(call, deps)));
      await writeCanonicalStream(deps, call, parts, writer, encoder, persist);
      return reply;
    }
  }
}

/**
 * An agent as a model: the run's final answer as a Response (stored like any other, so
 * `previous_response_id` continues the conversation), or as one text delta of an event stream.
 */
async function answerAgentResponse(
  deps: CreateResponseDeps,
  agentModels: AgentModels,
  request: {
    agent: string;
    body: ResponsesRequest;
    canonical: ChatRequest;
    unsupported: readonly UnsupportedFeature[];
    call: GatewayCall;
    reply: FastifyReply;
    persist: (response: Record<string, unknown>) => Promise<Record<string, unknown>>;
  },
): Promise<FastifyReply> {
  const { body, canonical, call, reply } = request;
  const firstUnsupported = request.unsupported[0];
  if (firstUnsupported) throw unsupportedFeatureError(firstUnsupported, body.model);
  if (canonical.tools?.length) {
    throw new HubError('UNSUPPORTED_FEATURE', 'An agent model calls its own tools: send no tools with it.', {
      param: 'tools',
      code: 'unsupported_feature',
    });
  }
  const { result, runId } = await runAgentModel(agentModels, call, reply, request.agent, canonical.messages);
  const envelope = responseEnvelope(body, responseId(), createdAt(call, deps));
  if (!canonical.stream) {
    const response = resultToResponse(envelope, result, seconds(deps.now())) as unknown as Record<string, unknown>;
    return sendJson(reply, call, JSON.stringify(await request.persist(response)));
  }
  const writer = startStream(reply, call, { [RUN_ID_HEADER]: runId });
  await writeCanonicalStream(deps, call, resultParts(result), writer, new ResponsesStreamEncoder(envelope), request.persist);
  return reply;
}

/** True when the model or one of its fallbacks has a target on a native Responses upstream. */
function modelHasNativeTarget(surface: SurfaceContext, modelName: string, nativeProviders: ReadonlySet<string>): boolean {
  if (nativeProviders.size === 0) return false;
  const first = surface.catalog.get(modelName);
  const chain = [first, ...first.fallbacks.map((name) => surface.catalog.find(name)).filter((model) => model !== undefined)];
  return chain.some((model) => model.targets.some((target) => nativeProviders.has(target.providerId)));
}

/**
 * The client's body for a native upstream. A `previous_response_id` is resolved here, not upstream:
 * the earlier turns may have been served by another provider, and TokenHub is the store of record.
 * Replayed message and call items lose their ids, which the upstream never issued.
 */
function nativeBody(
  raw: Record<string, unknown>,
  body: ResponsesRequest,
  history: readonly Record<string, unknown>[],
  upstreamModel: string,
): Record<string, unknown> {
  const upstream: Record<string, unknown> = { ...raw, model: upstreamModel };
  if (body.previous_response_id) {
    delete upstream.previous_response_id;
    const current = typeof body.input === 'string' ? [{ role: 'user', content: body.input }] : (body.input ?? []);
    upstream.input = [...history.map(replayable), ...current];
  }
  return upstream;
}

function replayable(item: Record<string, unknown>): Record<string, unknown> {
  if (item.type !== 'message' && item.type !== 'function_call' && item.type !== 'function_call_output') return item;
  const { id: _id, ...rest } = item;
  return rest;
}

async function writeCanonicalStream(
  deps: CreateResponseDeps,
  call: GatewayCall,
  parts: AsyncIterable<StreamPart>,
  writer: SseWriter,
  encoder: ResponsesStreamEncoder,
  persist: (response: Record<string, unknown>) => Promise<Record<string, unknown>>,
): Promise<void> {
  // The events of one part in one write; awaited only when the socket is full.
  const write = async (events: ResponsesEvent[]): Promise<void> => {
    let text = '';
    for (const event of events) text += sseEvent(event.type, JSON.stringify(event));
    const backpressure = text ? writer.write(text) : undefined;
    if (backpressure) await backpressure;
  };
  try {
    await write(encoder.start());
    for await (const part of parts) {
      await write(encoder.encode(part));
      if (writer.isClosed) break;
    }
    if (!writer.isClosed) {
      const finished = encoder.finish(seconds(deps.now()));
      await write(finished.events);
      const response = finished.response as unknown as Record<string, unknown>;
      const shown = await persist(response);
      await write([shown === response ? finished.terminal : { ...finished.terminal, response: shown }]);
    }
  } catch (error) {
    const failure = toHubError(error);
    deps.surface.log.warn({ requestId: call.requestId, code: failure.code }, failure.message);
    await write(encoder.fail(failure));
  }
  writer.end();
}

/**
 * Storing happens after billing: a failed write loses the stored copy, never the answer or its usage.
 * Returns whether the response was stored, so the answer never claims a copy that does not exist.
 */
async function save(
  deps: CreateResponseDeps,
  tenantStore: TenantResponseStore,
  call: GatewayCall,
  entry: { response: Record<string, unknown>; inputItems: Record<string, unknown>[]; previousResponseId: string | null },
): Promise<boolean> {
  const { response } = entry;
  if (typeof response.id !== 'string') return false;
  const record: StoredResponse = {
    id: response.id,
    previousResponseId: entry.previousResponseId,
    model: typeof response.model === 'string' ? response.model : '',
    status: typeof response.status === 'string' ? response.status : 'completed',
    // A native upstream never saw the previous_response_id (resolved here); the stored copy shows it.
    response: { ...response, previous_response_id: entry.previousResponseId },
    inputItems: entry.inputItems,
    expiresAt: expiryFor(deps.now(), deps.retentionDays),
  };
  try {
    if (await tenantStore.save(record)) return true;
    deps.surface.log.warn(
      { requestId: call.requestId, responseId: record.id },
      'response id belongs to another tenant; answered with store: false',
    );
    return false;
  } catch (error) {
    deps.surface.log.warn({ requestId: call.requestId, err: error }, 'storing the response failed; answered with store: false');
    return false;
  }
}

function createdAt(call: GatewayCall, deps: CreateResponseDeps): number {
  // The response was created when the request arrived, not when the upstream answered.
  return seconds(new Date(deps.now().getTime() - call.timing.elapsedMs()));
}

const seconds = (date: Date): number => Math.floor(date.getTime() / 1000);

function sendJson(reply: FastifyReply, call: GatewayCall, text: string): FastifyReply {
  return reply.header('server-timing', call.timing.header()).type('application/json').send(text);
}

function startStream(reply: FastifyReply, call: GatewayCall, headers: Record<string, string>): SseWriter {
  reply.hijack();
  const writer = new SseWriter(reply.raw);
  writer.start({ ...requestIdHeaders(call), 'server-timing': call.timing.header(), ...headers });
  return writer;
}
