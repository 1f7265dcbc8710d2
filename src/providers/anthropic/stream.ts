import { type ChatRequest, type ChatStream, HubError, type StreamPart } from '../../core/index.js';
import { AnthropicEventDecoder, type AnthropicStreamEvent, canonicalToAnthropic } from '../../wire/anthropic/index.js';
import type { SseEvent } from '../../wire/sse.js';
import type { CallContext } from '../spec.js';
import { parseEventJson, primeStream, sseEventBatches } from '../sse-events.js';
import type { UpstreamClient } from '../upstream-request.js';
import { ANTHROPIC_DEFAULT_MAX_TOKENS } from './api.js';

async function* decodeEvents(providerId: string, batches: AsyncIterable<SseEvent[]>, signal: AbortSignal): AsyncGenerator<StreamPart> {
  const decoder = new AnthropicEventDecoder({ source: providerId });
  try {
    for await (const events of batches) {
      for (const event of events) yield* decoder.decode(parseEventJson<AnthropicStreamEvent>(providerId, event.data));
    }
  } catch (error) {
    throw streamError(providerId, error, signal);
  }
  if (!decoder.done) throw new HubError('UPSTREAM_ERROR', `upstream ${providerId} ended its stream before message_stop`);
}

function streamError(providerId: string, error: unknown, signal: AbortSignal): HubError {
  if (signal.aborted && signal.reason instanceof HubError) return signal.reason;
  if (error instanceof HubError) return error;
  const code = (error as { code?: string }).code ?? (error as Error).name;
  return new HubError('UPSTREAM_ERROR', `upstream ${providerId} broke off its stream: ${code}`, { cause: error });
}

/** Resolves once `message_start` arrived (or throws what came instead: an `error` event, a closed stream). */
export async function anthropicStream(client: UpstreamClient, request: ChatRequest, context: CallContext): Promise<ChatStream> {
  const body = canonicalToAnthropic({ ...request, stream: true }, ANTHROPIC_DEFAULT_MAX_TOKENS);
  const answer = await client.post('/messages', JSON.stringify(body), context.signal);
  const parts = decodeEvents(client.providerId, sseEventBatches(answer.body), context.signal);
  return primeStream(parts[Symbol.asyncIterator](), client.providerId);
}
