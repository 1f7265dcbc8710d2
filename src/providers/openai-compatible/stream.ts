import { type ChatRequest, type ChatStream, HubError, type StreamPart } from '../../core/index.js';
import { canonicalToOpenAIChat, type OpenAIChatChunk, OpenAIChunkDecoder } from '../../wire/openai/index.js';
import type { SseEvent } from '../../wire/sse.js';
import type { CallContext } from '../spec.js';
import { parseEventJson, primeStream, sseEventBatches } from '../sse-events.js';
import type { UpstreamClient } from '../upstream-request.js';
import { usageFromVendor } from './usage.js';

async function* decodeChunks(providerId: string, batches: AsyncIterable<SseEvent[]>): AsyncGenerator<StreamPart> {
  const decoder = new OpenAIChunkDecoder();
  for await (const events of batches) {
    for (const event of events) {
      if (event.data === '[DONE]') return;
      const chunk = parseEventJson<OpenAIChatChunk & { error?: { message?: string } }>(providerId, event.data);
      if (chunk.error) {
        throw new HubError('UPSTREAM_ERROR', `upstream ${providerId} failed mid-stream: ${chunk.error.message ?? 'unknown error'}`);
      }
      for (const part of decoder.decode(chunk)) {
        yield part.type === 'usage-final' && chunk.usage ? { type: 'usage-final', usage: usageFromVendor(chunk.usage) } : part;
      }
    }
  }
}

export async function openaiStream(client: UpstreamClient, request: ChatRequest, context: CallContext): Promise<ChatStream> {
  const body = canonicalToOpenAIChat({ ...request, stream: true });
  const answer = await client.post('/chat/completions', JSON.stringify(body), context.signal);
  return primeStream(decodeChunks(client.providerId, sseEventBatches(answer.body))[Symbol.asyncIterator](), client.providerId);
}
