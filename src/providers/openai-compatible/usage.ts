import { optionalTokenCount, type Usage } from '../../core/index.js';
import { type OpenAIUsage, usageFromOpenAI } from '../../wire/openai/index.js';

/** DeepSeek reports its context cache as `prompt_cache_hit_tokens` rather than `prompt_tokens_details`. */
type VendorUsage = OpenAIUsage & { prompt_cache_hit_tokens?: number };

export function usageFromVendor(usage: VendorUsage): Usage {
  const out = usageFromOpenAI(usage);
  const cacheHits = optionalTokenCount(usage.prompt_cache_hit_tokens);
  if (out.source === 'upstream' && !out.cachedInputTokens && cacheHits) out.cachedInputTokens = Math.min(cacheHits, out.inputTokens);
  return out;
}
