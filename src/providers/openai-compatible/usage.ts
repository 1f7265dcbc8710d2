import type { Usage } from '../../core/index.js';
import { type OpenAIUsage, usageFromOpenAI } from '../../wire/openai/index.js';

/** DeepSeek reports its context cache as `prompt_cache_hit_tokens` rather than `prompt_tokens_details`. */
type VendorUsage = OpenAIUsage & { prompt_cache_hit_tokens?: number };

export function usageFromVendor(usage: VendorUsage): Usage {
  const out = usageFromOpenAI(usage);
  if (!out.cachedInputTokens && usage.prompt_cache_hit_tokens) out.cachedInputTokens = usage.prompt_cache_hit_tokens;
  return out;
}
