/**
 * Upstream token counts are untrusted input: a broken or hostile upstream can report fractions,
 * strings, negatives, `1e19` or more cached tokens than the prompt had. Every count is checked here,
 * at the provider boundary, before it can reach a price, a budget or the ledger.
 */
import { emptyUsage, type Usage, type UsageAnomaly } from './chat.js';

/**
 * No single request can honestly use more tokens than this in one count (the largest context windows
 * are a few million tokens; n × max_tokens is bounded far below it). Anything above is not believed.
 */
export const MAX_USAGE_TOKENS = 100_000_000;

/** A count the hub believes: a non-negative safe integer within `MAX_USAGE_TOKENS`; otherwise null. */
export function tokenCount(value: unknown): number | null {
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) return null;
  return value >= 0 && value <= MAX_USAGE_TOKENS ? value : null;
}

/** An optional count: absent (undefined or null) is 0; present but unbelievable is null. */
export function optionalTokenCount(value: unknown): number | null {
  return value === undefined || value === null ? 0 : tokenCount(value);
}

/** The usage of an answer whose reported usage could not be believed: settlement counts it with the tokenizer. */
export function untrustedUsage(anomaly: UsageAnomaly = 'invalid_upstream_usage'): Usage {
  return { ...emptyUsage('tokenizer'), anomaly };
}

/**
 * Builds checked canonical usage from raw upstream numbers. The prompt and output counts must be
 * believable or the whole usage is replaced by a tokenizer count; sub-counts (cache reads and writes,
 * reasoning) that are unbelievable or larger than what contains them are cut to fit, and flagged.
 */
export function checkedUsage(raw: {
  input: unknown;
  output: unknown;
  cachedInput?: unknown;
  cacheWriteInput?: unknown;
  reasoning?: unknown;
}): Usage {
  const inputTokens = tokenCount(raw.input);
  const outputTokens = tokenCount(raw.output);
  if (inputTokens === null || outputTokens === null) return untrustedUsage();
  let anomaly: UsageAnomaly | undefined;
  const within = (value: unknown, room: number): number => {
    const count = optionalTokenCount(value);
    if (count === null) {
      anomaly = 'invalid_upstream_usage';
      return 0;
    }
    if (count > room) {
      anomaly ??= 'sub_count_exceeds_total';
      return room;
    }
    return count;
  };
  const cachedInputTokens = within(raw.cachedInput, inputTokens);
  const cacheWriteInputTokens = within(raw.cacheWriteInput, inputTokens - cachedInputTokens);
  const reasoningTokens = within(raw.reasoning, outputTokens);
  const usage: Usage = { inputTokens, outputTokens, cachedInputTokens, cacheWriteInputTokens, source: 'upstream' };
  if (reasoningTokens > 0) usage.reasoningTokens = reasoningTokens;
  if (anomaly) usage.anomaly = anomaly;
  return usage;
}
