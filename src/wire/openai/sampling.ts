import type { ChatRequest } from '../../core/index.js';

/** The request fields chat and legacy completions share, in canonical form. */
export type SamplingFields = Pick<
  ChatRequest,
  'stream' | 'maxTokens' | 'temperature' | 'topP' | 'n' | 'stop' | 'seed' | 'presencePenalty' | 'frequencyPenalty' | 'user'
>;

/**
 * Writes the sampling and streaming fields both OpenAI request bodies take. Streams always ask for the
 * usage chunk: TokenHub meters from it.
 */
export function writeSamplingFields(request: SamplingFields, body: Record<string, unknown>): void {
  if (request.stream) {
    body.stream = true;
    body.stream_options = { include_usage: true };
  }
  if (request.maxTokens !== undefined) body.max_tokens = request.maxTokens;
  if (request.temperature !== undefined) body.temperature = request.temperature;
  if (request.topP !== undefined) body.top_p = request.topP;
  if (request.n !== undefined) body.n = request.n;
  if (request.stop?.length) body.stop = request.stop;
  if (request.seed !== undefined) body.seed = request.seed;
  if (request.presencePenalty !== undefined) body.presence_penalty = request.presencePenalty;
  if (request.frequencyPenalty !== undefined) body.frequency_penalty = request.frequencyPenalty;
  if (request.user !== undefined) body.user = request.user;
}
