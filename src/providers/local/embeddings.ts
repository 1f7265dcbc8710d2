import type { Token } from 'node-llama-cpp';
import { type EmbeddingsRequest, type EmbeddingsResult, HubError } from '../../core/index.js';
import type { CallContext } from '../spec.js';
import type { LocalModel } from './model-pool.js';

function inputsOf(input: EmbeddingsRequest['input']): (string | Token[])[] {
  if (typeof input === 'string') return [input];
  if (input.length === 0) return [];
  if (typeof input[0] === 'number') return [input as Token[]];
  return input as (string | Token[])[];
}

/** The float vector in OpenAI's base64 form: little-endian float32 bytes. */
function toBase64(vector: readonly number[]): string {
  return Buffer.from(new Float32Array(vector).buffer).toString('base64');
}

/** Embeddings from the model's embedding context (created on first use beside the decode context). */
export async function localEmbeddings(model: LocalModel, request: EmbeddingsRequest, context: CallContext): Promise<EmbeddingsResult> {
  if (request.dimensions !== undefined) {
    throw new HubError('UNSUPPORTED_FEATURE', 'Local models return their native embedding size; `dimensions` is not supported.', {
      param: 'dimensions',
    });
  }
  const lease = await model.lease(context.signal, false);
  try {
    const embedder = await lease.embeddingContext();
    const data: EmbeddingsResult['data'] = [];
    let inputTokens = 0;
    for (const [index, input] of inputsOf(request.input).entries()) {
      if (context.signal.aborted) throw context.signal.reason;
      const length = embedder.calculateInputLength(input);
      if (length > lease.contextSize) {
        throw new HubError('INVALID_REQUEST', `Input ${index} has ${length} tokens; this model embeds at most ${lease.contextSize}.`, {
          param: 'input',
          code: 'context_length_exceeded',
        });
      }
      const embedding = await embedder.getEmbeddingFor(input);
      inputTokens += length;
      data.push({ index, embedding: request.encodingFormat === 'base64' ? toBase64(embedding.vector) : [...embedding.vector] });
    }
    return {
      model: request.model,
      data,
      usage: { inputTokens, outputTokens: 0, cachedInputTokens: 0, cacheWriteInputTokens: 0, source: 'upstream' },
    };
  } finally {
    await lease.release();
  }
}
