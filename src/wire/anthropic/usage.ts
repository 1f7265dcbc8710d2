import { checkedUsage, tokenCount, type Usage, untrustedUsage } from '../../core/index.js';

/**
 * Anthropic `usage`. Its `input_tokens` counts only the uncached prompt tokens: the whole prompt is
 * `input_tokens + cache_creation_input_tokens + cache_read_input_tokens`.
 */
export interface AnthropicUsage {
  input_tokens: number;
  output_tokens: number;
  cache_creation_input_tokens?: number | null;
  cache_read_input_tokens?: number | null;
  output_tokens_details?: { thinking_tokens?: number | null } | null;
}

/** `message_delta.usage`: cumulative counts; the input fields are null or absent when unchanged. */
export interface AnthropicDeltaUsage {
  output_tokens: number;
  input_tokens?: number | null;
  cache_creation_input_tokens?: number | null;
  cache_read_input_tokens?: number | null;
  output_tokens_details?: { thinking_tokens?: number | null } | null;
}

/** Usage as TokenHub renders it to Anthropic clients: every count present. */
export interface AnthropicRenderedUsage {
  input_tokens: number;
  cache_creation_input_tokens: number;
  cache_read_input_tokens: number;
  output_tokens: number;
}

/** Checked canonical usage (its counts are untrusted: see `checkedUsage`); the prompt total includes the cache counts. */
export function usageFromAnthropic(usage: AnthropicUsage): Usage {
  if (typeof usage !== 'object' || usage === null) return untrustedUsage();
  const cacheRead = usage.cache_read_input_tokens ?? 0;
  const cacheWrite = usage.cache_creation_input_tokens ?? 0;
  const uncached = usage.input_tokens ?? 0;
  const parts = [tokenCount(uncached), tokenCount(cacheRead), tokenCount(cacheWrite)];
  if (parts.some((part) => part === null)) return untrustedUsage();
  return checkedUsage({
    input: (parts as number[]).reduce((sum, part) => sum + part, 0),
    output: usage.output_tokens,
    cachedInput: cacheRead,
    cacheWriteInput: cacheWrite,
    reasoning: usage.output_tokens_details?.thinking_tokens,
  });
}

/** The exact inverse of `usageFromAnthropic` for consistent canonical usage (cache counts within the input). */
export function usageToAnthropic(usage: Usage): AnthropicRenderedUsage {
  return {
    input_tokens: Math.max(0, usage.inputTokens - usage.cachedInputTokens - usage.cacheWriteInputTokens),
    cache_creation_input_tokens: usage.cacheWriteInputTokens,
    cache_read_input_tokens: usage.cachedInputTokens,
    output_tokens: usage.outputTokens,
  };
}
