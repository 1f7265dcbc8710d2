import type { Usage } from '../../core/index.js';
import { type AnthropicUsage, usageFromAnthropic } from '../../wire/anthropic/index.js';

/** Usage of a whole answer; an answer without one is marked for the tokenizer to count. */
export function answerUsage(usage: AnthropicUsage | null | undefined): Usage {
  if (!usage) return { inputTokens: 0, outputTokens: 0, cachedInputTokens: 0, cacheWriteInputTokens: 0, source: 'tokenizer' };
  return usageFromAnthropic(usage);
}
