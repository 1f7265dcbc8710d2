import type { ChatRequest, ChatResult, EmbeddingsRequest, EmbeddingsResult, StreamPart, Usage } from '../../core/index.js';
import { HubError, toHubError } from '../../core/index.js';
import type { Admission, AdmissionRequest, EconomyGate } from '../../economy/index.js';
import type { AttemptRunner, Routed, Router } from '../../routing/index.js';
import type { GatewayCall } from './call.js';
import { OutputCollector } from './output-collector.js';

export interface StartedStream {
  /** The canonical parts, first one already received. Settles the call when iteration ends. */
  parts: AsyncIterable<StreamPart>;
  servedModel: string;
}

/**
 * The path every surface shares: admission → routing (retries, fallbacks) → provider → settlement.
 * Surfaces that pass bytes through use `admit` and `route` and settle through the helpers here.
 */
export class ChatPipeline {
  private readonly router: Router;
  private readonly economy: EconomyGate;

  constructor(router: Router, economy: EconomyGate) {
    this.router = router;
    this.economy = economy;
  }

  /** Checks the model exists and the principal may use it, then admits (limits, budget reserve). */
  async admit(call: GatewayCall, request: Omit<AdmissionRequest, 'requestId' | 'surface' | 'fallbackModels'>): Promise<Admission> {
    // Resolving the chain first makes an unknown model a 404 before any admission work.
    const chain = this.router.chain(request.model);
    return this.economy.admit(call.principal, {
      ...request,
      requestId: call.requestId,
      ...(call.clientRequestId ? { clientRequestId: call.clientRequestId } : {}),
      ...(call.attribution ? { attribution: call.attribution } : {}),
      surface: call.surface,
      fallbackModels: chain.slice(1).map((model) => model.name),
    });
  }

  /** Routes an admitted call; a call that gets no upstream answer is settled here (nothing billed). */
  async route<T>(call: GatewayCall, admission: Admission, model: string, stream: boolean, run: AttemptRunner<T>): Promise<Routed<T>> {
    try {
      return await call.timing.waitOn(this.router.route(model, call, run));
    } catch (error) {
      await settleFailure(admission, call, model, error, stream);
      throw error;
    }
  }

  async complete(call: GatewayCall, request: ChatRequest): Promise<ChatResult> {
    const admission = await this.admit(call, { model: request.model, chat: request });
    const routed = await this.route(call, admission, request.model, false, (attempt, context) =>
      attempt.provider.chat({ ...request, model: attempt.target.upstreamModel, stream: false }, context),
    );
    return await settleResult(call, admission, routed);
  }

  async stream(call: GatewayCall, request: ChatRequest): Promise<StartedStream> {
    const admission = await this.admit(call, { model: request.model, chat: request });
    const routed = await this.route(call, admission, request.model, true, (attempt, context) =>
      attempt.provider.streamChat({ ...request, model: attempt.target.upstreamModel, stream: true }, context),
    );
    return { parts: observeStream(call, admission, routed), servedModel: routed.attempt.model.name };
  }

  async embeddings(call: GatewayCall, request: EmbeddingsRequest): Promise<EmbeddingsResult> {
    const admission = await this.admit(call, { model: request.model, embeddingsInput: request.input });
    const routed = await this.route(call, admission, request.model, false, (attempt, context) =>
      attempt.provider.embeddings({ ...request, model: attempt.target.upstreamModel }, context),
    );
    await settleAttempt(call, admission, routed, false, { usage: routed.value.usage, outputText: '' });
    // `model` names the hub model that served (a fallback when one did), not the upstream's id.
    return { ...routed.value, model: routed.attempt.model.name };
  }
}

/** Whether the upstream reported usage the hub believes (otherwise settlement counts the text). */
export const isReportedUsage = (usage: Usage | null): usage is Usage => usage?.source === 'upstream';

/** How an attempt ended, for `settleAttempt`. */
export interface AttemptEnd {
  /** The upstream's checked usage; null, or a `tokenizer`-source placeholder, when it has none the hub believes. */
  usage: Usage | null;
  outputText: string;
  outputTokensCounted?: number;
  failure?: HubError | undefined;
  /** The client went away (default: the call's signal says so). */
  clientLeft?: boolean;
  ttfbMs?: number;
}

/**
 * Ends a routed attempt: tells the breaker how it went and settles the call, resolving once its usage is
 * durable. Callers send the response's last byte only after this resolves, so a response the client saw
 * complete is never lost.
 */
export async function settleAttempt(
  call: GatewayCall,
  admission: Admission,
  routed: Routed<unknown>,
  stream: boolean,
  end: AttemptEnd,
): Promise<void> {
  const clientLeft = end.clientLeft ?? call.signal.aborted;
  const failure = end.failure;
  routed.finish(failure && !clientLeft ? 'failure' : clientLeft ? 'neutral' : 'success', failure?.message);
  await admission.settle({
    ...settlementBase(call, routed, stream),
    usage: end.usage,
    outputText: end.outputText,
    ...(end.outputTokensCounted ? { outputTokensCounted: end.outputTokensCounted } : {}),
    status: clientLeft ? 499 : failure ? failure.status : 200,
    ...(failure ? { error: failure } : {}),
    ...(end.ttfbMs !== undefined ? { ttfbMs: end.ttfbMs } : {}),
  });
}

/** Settles a canonical non-streaming answer. */
export async function settleResult(call: GatewayCall, admission: Admission, routed: Routed<ChatResult>): Promise<ChatResult> {
  const result = routed.value;
  await settleAttempt(call, admission, routed, false, {
    usage: result.usage,
    outputText: resultText(result),
  });
  return result;
}

/** Wraps a canonical stream so that its end — completed, failed or abandoned — settles the call once. */
export async function* observeStream(
  call: GatewayCall,
  admission: Admission,
  routed: Routed<AsyncIterable<StreamPart>>,
): AsyncGenerator<StreamPart> {
  const ttfbMs = call.timing.elapsedMs();
  const collector = new OutputCollector(routed.attempt.model.name);
  let failure: HubError | undefined;
  try {
    for await (const part of call.timing.waitOnIterable(routed.value)) {
      collector.observe(part);
      yield part;
    }
  } catch (error) {
    failure = routed.signal.aborted && routed.signal.reason instanceof HubError ? routed.signal.reason : toHubError(error);
    throw failure;
  } finally {
    // Runs before the consumer sees the end of the stream, so its closing event follows durable usage.
    await settleAttempt(call, admission, routed, true, { usage: collector.usage, ...collector.output(), failure, ttfbMs });
  }
}

export function settlementBase(call: GatewayCall, routed: Routed<unknown>, stream: boolean) {
  return {
    servedModel: routed.attempt.model.name,
    providerId: routed.attempt.provider.id,
    upstreamModel: routed.attempt.target.upstreamModel,
    latencyMs: Math.round(call.timing.elapsedMs()),
    stream,
    attempts: routed.attempts,
  };
}

/** A call that never got an upstream answer: nothing was generated, so the whole reservation is released. */
export async function settleFailure(
  admission: Admission,
  call: GatewayCall,
  model: string,
  thrown: unknown,
  stream: boolean,
): Promise<void> {
  const error = toHubError(thrown);
  await admission.settle({
    servedModel: model,
    providerId: null,
    upstreamModel: null,
    usage: null,
    outputText: '',
    status: call.signal.aborted ? 499 : error.status,
    error,
    latencyMs: Math.round(call.timing.elapsedMs()),
    stream,
    attempts: 0,
  });
}

function resultText(result: ChatResult): string {
  let text = '';
  for (const choice of result.choices) {
    text += choice.message.reasoning ?? '';
    text += choice.message.content ?? '';
    for (const toolCall of choice.message.toolCalls ?? []) text += toolCall.name + toolCall.arguments;
  }
  return text;
}
