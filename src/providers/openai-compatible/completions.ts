import { type ChatStream, HubError, type StreamPart, type TextCompletionRequest, type TextCompletionResult } from '../../core/index.js';
import {
  CompletionChunkDecoder,
  canonicalToOpenAICompletion,
  type OpenAICompletionChunk,
  type OpenAITextCompletion,
  textCompletionToCanonical,
} from '../../wire/openai/index.js';
import type { SseEvent } from '../../wire/sse.js';
import type { CallContext } from '../spec.js';
import { parseEventJson, primeStream, sseEventBatches } from '../sse-events.js';
import type { UpstreamClient } from '../upstream-request.js';
import { usageFromVendor } from './usage.js';

/** Legacy `/completions` on an OpenAI-compatible upstream (base models on vLLM, llama.cpp, Ollama…). */
export async function openaiComplete(
  client: UpstreamClient,
  request: TextCompletionRequest,
  context: CallContext,
): Promise<TextCompletionResult> {
  const body = canonicalToOpenAICompletion({ ...request, stream: false });
  const completion = await client.postJson<OpenAITextCompletion>('/completions', JSON.stringify(body), context.signal);
  const result = textCompletionToCanonical(completion);
  if (completion.usage) result.usage = usageFromVendor(completion.usage);
  return result;
}

async function* decodeCompletionChunks(providerId: string, batches: AsyncIterable<SseEvent[]>): AsyncGenerator<StreamPart> {
  const decoder = new CompletionChunkDecoder();
  for await (const events of batches) {
    for (const event of events) {
      if (event.data === '[DONE]') return;
      const chunk = parseEventJson<OpenAICompletionChunk & { error?: { message?: string } }>(providerId, event.data);
      if (chunk.error) {
        throw new HubError('UPSTREAM_ERROR', `upstream ${providerId} failed mid-stream: ${chunk.error.message ?? 'unknown error'}`);
      }
      for (const part of decoder.decode(chunk)) {
        yield part.type === 'usage-final' && chunk.usage ? { type: 'usage-final', usage: usageFromVendor(chunk.usage) } : part;
      }
    }
  }
}

export async function openaiStreamComplete(
  client: UpstreamClient,
  request: TextCompletionRequest,
  context: CallContext,
): Promise<ChatStream> {
  const body = canonicalToOpenAICompletion({ ...request, stream: true });
  const answer = await client.post('/completions', JSON.stringify(body), context.signal);
  return primeStream(decodeCompletionChunks(client.providerId, sseEventBatches(answer.body))[Symbol.asyncIterator](), client.providerId);
}
