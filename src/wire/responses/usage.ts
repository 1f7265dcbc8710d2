import { checkedUsage, type Usage } from '../../core/index.js';

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

/** Reads a usage block from a native upstream's Response object; null when it carries none. Counts are checked (`checkedUsage`). */
export function usageFromResponses(value: unknown): Usage | null {
  if (value === null || typeof value !== 'object') return null;
  const usage = value as Partial<Record<keyof ResponsesUsage, unknown>>;
  if (usage.input_tokens === undefined && usage.output_tokens === undefined) return null;
  return checkedUsage({
    input: usage.input_tokens,
    output: usage.output_tokens,
    cachedInput: (usage.input_tokens_details as { cached_tokens?: unknown } | null | undefined)?.cached_tokens,
    reasoning: (usage.output_tokens_details as { reasoning_tokens?: unknown } | null | undefined)?.reasoning_tokens,
  });
}
