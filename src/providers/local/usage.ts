import type { TokenMeterState } from 'node-llama-cpp';
import type { Usage } from '../../core/index.js';

/**
 * Exact usage from the engine. Prompt tokens are the tokens of the rendered prompt, counted before
 * decoding (the same tokens the sequence evaluates: it starts empty, so nothing is cached). Output
 * tokens come from the sequence's token meter, whose "output" count is the number of positions whose
 * logits were sampled — one per generated token, including a stop sequence or end-of-generation token
 * that is not shown, which llama.cpp computed all the same.
 */
export function localUsage(promptTokens: number, before: TokenMeterState, after: TokenMeterState): Usage {
  return {
    inputTokens: promptTokens,
    outputTokens: Math.max(0, after.usedOutputTokens - before.usedOutputTokens),
    cachedInputTokens: 0,
    cacheWriteInputTokens: 0,
    source: 'upstream',
  };
}
