import type { Usage } from '../../core/index.js';

/** Responses usage: input includes cached tokens, output includes reasoning tokens — as canonical. */
export interface ResponsesUsage {
  input_tokens: number;
  input_tokens_details: { cached_tokens: number };
  output_tokens: number;
  output_tokens_details: { reasoning_tokens: number };
  total_tokens: number;
}

export function usageToResponses(usage: Usage): ResponsesUsage {
  return {
    input_tokens: usage.inputTokens,
    input_tokens_details: { cached_tokens: usage.cachedInputTokens },
    output_tokens: usage.outputTokens,
    output_tokens_details: { reasoning_tokens: usage.reasoningTokens ?? 0 },
    total_tokens: usage.inputTokens + usage.outputTokens,
  };
}

/** Reads a usage block from a native upstream's Response object; null when it carries none. */
export function usageFromResponses(value: unknown): Usage | null {
  if (value === null || typeof value !== 'object') return null;
  const usage = value as Partial<Record<keyof ResponsesUsage, unknown>>;
  if (typeof usage.input_tokens !== 'number' || typeof usage.output_tokens !== 'number') return null;
  const cached = (usage.input_tokens_details as { cached_tokens?: unknown } | null | undefined)?.cached_tokens;
  const reasoning = (usage.output_tokens_details as { reasoning_tokens?: unknown } | null | undefined)?.reasoning_tokens;
  const out: Usage = {
    inputTokens: usage.input_tokens,
    outputTokens: usage.output_tokens,
    cachedInputTokens: typeof cached === 'number' ? cached : 0,
    cacheWriteInputTokens: 0,
    source: 'upstream',
  };
  if (typeof reasoning === 'number' && reasoning > 0) out.reasoningTokens = reasoning;
  return out;
}
