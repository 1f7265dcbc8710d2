import type { EmbeddingsRequest, EmbeddingsResult } from '../../core/index.js';
import type { OpenAIEmbeddingsResponse } from '../../wire/openai/index.js';
import type { CallContext } from '../spec.js';
import type { UpstreamClient } from '../upstream-request.js';

export async function openaiEmbeddings(
  client: UpstreamClient,
  request: EmbeddingsRequest,
  context: CallContext,
): Promise<EmbeddingsResult> {
  const body: Record<string, unknown> = { model: request.model, input: request.input };
  if (request.encodingFormat) body.encoding_format = request.encodingFormat;
  if (request.dimensions !== undefined) body.dimensions = request.dimensions;
  if (request.user !== undefined) body.user = request.user;
  const answer = await client.postJson<OpenAIEmbeddingsResponse>('/embeddings', JSON.stringify(body), context.signal);
  return {
    model: answer.model,
    data: answer.data.map((item) => ({ index: item.index, embedding: item.embedding })),
    usage: {
      inputTokens: answer.usage?.prompt_tokens ?? 0,
      outputTokens: 0,
      cachedInputTokens: 0,
      cacheWriteInputTokens: 0,
      source: answer.usage ? 'upstream' : 'tokenizer',
    },
  };
}
