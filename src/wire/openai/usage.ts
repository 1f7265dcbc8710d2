import { checkedUsage, type Usage, untrustedUsage } from '../../core/index.js';

export interface OpenAIUsage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  prompt_tokens_details?: { cached_tokens?: number; audio_tokens?: number } | null;
  completion_tokens_details?: { reasoning_tokens?: number } | null;
}

/** Checked canonical usage from an upstream's `usage` object (its counts are untrusted: see `checkedUsage`). */
export function usageFromOpenAI(usage: OpenAIUsage): Usage {
  if (typeof usage !== 'object' || usage === null) return untrustedUsage();
  return checkedUsage({
    input: usage.prompt_tokens,
    output: usage.completion_tokens,
    cachedInput: usage.prompt_tokens_details?.cached_tokens,
    reasoning: usage.completion_tokens_details?.reasoning_tokens,
  });
}

export function usageToOpenAI(usage: Usage): OpenAIUsage {
  return {
    prompt_tokens: usage.inputTokens,
    completion_tokens: usage.outputTokens,
    total_tokens: usage.inputTokens + usage.outputTokens,
    prompt_tokens_details: { cached_tokens: usage.cachedInputTokens, audio_tokens: 0 },
    completion_tokens_details: { reasoning_tokens: usage.reasoningTokens ?? 0 },
  };
}
