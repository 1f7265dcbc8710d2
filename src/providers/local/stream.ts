import { type ChatRequest, type ChatStream, HubError, newId, type StreamPart, type TextCompletionRequest } from '../../core/index.js';
import type { CallContext } from '../spec.js';
import { primeStream } from '../sse-events.js';
import { generateChat } from './chat.js';
import { generateCompletion } from './completions.js';
import type { Lease, LocalModel } from './model-pool.js';

type Produce = (emit: (part: StreamPart) => void, signal: AbortSignal) => Promise<void>;

/**
 * Runs a generation on a leased slot and exposes its parts as a pull stream. llama.cpp decodes at its
 * own pace and parts are buffered (bounded by max_tokens); the consumer stopping — the client went
 * away — aborts the decode and `return()` resolves only once the slot is free again.
 */
async function startStream(providerId: string, lease: Lease, outer: AbortSignal, produce: Produce): Promise<ChatStream> {
  const controller = new AbortController();
  const onOuterAbort = (): void => controller.abort(outer.reason);
  if (outer.aborted) onOuterAbort();
  else outer.addEventListener('abort', onOuterAbort, { once: true });

  const buffer: StreamPart[] = [];
  let finished = false;
  let failure: { error: unknown } | null = null;
  let wake: (() => void) | null = null;
  const notify = (): void => {
    const resume = wake;
    wake = null;
    resume?.();
  };
  const emit = (part: StreamPart): void => {
    buffer.push(part);
    notify();
  };
  const settled = produce(emit, controller.signal)
    .catch((error: unknown) => {
      failure = { error };
    })
    .then(() => lease.release())
    .finally(() => {
      finished = true;
      outer.removeEventListener('abort', onOuterAbort);
      notify();
    });

  const iterator: AsyncIterator<StreamPart> = {
    async next(): Promise<IteratorResult<StreamPart>> {
      for (;;) {
        const part = buffer.shift();
        if (part) return { done: false, value: part };
        if (finished) {
          if (failure) {
            const { error } = failure;
            failure = null;
            throw error;
          }
          return { done: true, value: undefined };
        }
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
      }
    },
    async return(): Promise<IteratorResult<StreamPart>> {
      if (!finished) controller.abort(new HubError('CLIENT_CLOSED', 'the stream was abandoned'));
      await settled;
      return { done: true, value: undefined };
    },
  };
  try {
    return await primeStream(iterator, providerId);
  } catch (error) {
    await settled;
    throw error;
  }
}

/** Emits `response-start` just before the first generated part, so that `streamChat` resolves at the first token. */
function starter(emit: (part: StreamPart) => void, id: string, model: string): () => void {
  let started = false;
  return () => {
    if (started) return;
    started = true;
    emit({ type: 'response-start', id, model, created: Math.floor(Date.now() / 1000) });
  };
}

export async function localStreamChat(model: LocalModel, request: ChatRequest, context: CallContext): Promise<ChatStream> {
  const lease = await model.lease(context.signal);
  return startStream(model.providerId, lease, context.signal, async (emit, signal) => {
    const start = starter(emit, newId('chatcmpl'), request.model);
    const outcome = await generateChat(lease, model.config.id, request, signal, {
      onText: (text) => {
        start();
        emit({ type: 'text-delta', index: 0, text });
      },
      onReasoning: (text) => {
        start();
        emit({ type: 'reasoning-delta', index: 0, text });
      },
    });
    start();
    outcome.toolCalls.forEach((call, toolIndex) => {
      emit({ type: 'tool-call-start', index: 0, toolIndex, id: call.id, name: call.name });
      emit({ type: 'tool-call-delta', index: 0, toolIndex, argumentsDelta: call.arguments });
    });
    emit({ type: 'choice-finish', index: 0, reason: outcome.finishReason });
    emit({ type: 'usage-final', usage: outcome.usage });
  });
}

export async function localStreamComplete(model: LocalModel, request: TextCompletionRequest, context: CallContext): Promise<ChatStream> {
  const lease = await model.lease(context.signal);
  return startStream(model.providerId, lease, context.signal, async (emit, signal) => {
    const start = starter(emit, newId('cmpl'), request.model);
    const outcome = await generateCompletion(lease, request, signal, {
      onText: (text) => {
        start();
        emit({ type: 'text-delta', index: 0, text });
      },
    });
    start();
    emit({ type: 'choice-finish', index: 0, reason: outcome.finishReason });
    emit({ type: 'usage-final', usage: outcome.usage });
  });
}
