/**
 * Whatever an upstream puts in its `usage` block, what reaches pricing, budgets and the ledger is a
 * believable count: a non-negative safe integer within MAX_USAGE_TOKENS, sub-counts inside their totals,
 * and unbelievable usage handed to the tokenizer (`source: tokenizer`) instead of billed as reported.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_USAGE_TOKENS, type Usage } from '../../src/core/index.js';
import { type AnthropicUsage, usageFromAnthropic } from '../../src/wire/anthropic/index.js';
import { type OpenAIUsage, usageFromOpenAI } from '../../src/wire/openai/index.js';
import { usageFromResponses } from '../../src/wire/responses/index.js';
import { anyJson, fuzzParameters, hugeNumeric } from './support.js';

/** A count as a hostile upstream might send it. */
const hostileCount: fc.Arbitrary<unknown> = fc.oneof(
  fc.nat({ max: 10_000 }),
  fc.integer(),
  fc.double(),
  hugeNumeric,
  fc.constantFrom(null, undefined, -1, 1.5, 2 ** 31, 1e19, Number.NaN, Number.POSITIVE_INFINITY, '12', 'ten', true),
  anyJson,
);

function expectBelievable(usage: Usage): void {
  for (const count of [
    usage.inputTokens,
    usage.outputTokens,
    usage.cachedInputTokens,
    usage.cacheWriteInputTokens,
    usage.reasoningTokens ?? 0,
  ]) {
    expect(Number.isSafeInteger(count)).toBe(true);
    expect(count).toBeGreaterThanOrEqual(0);
    expect(count).toBeLessThanOrEqual(MAX_USAGE_TOKENS);
  }
  expect(usage.cachedInputTokens + usage.cacheWriteInputTokens).toBeLessThanOrEqual(usage.inputTokens);
  expect(usage.reasoningTokens ?? 0).toBeLessThanOrEqual(usage.outputTokens);
  if (usage.source === 'tokenizer') expect(usage.inputTokens + usage.outputTokens).toBe(0);
}

describe('upstream usage is checked at the provider boundary', () => {
  it('OpenAI usage blocks', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.record({
            prompt_tokens: hostileCount,
            completion_tokens: hostileCount,
            prompt_tokens_details: fc.oneof(fc.constant(null), fc.record({ cached_tokens: hostileCount })),
            completion_tokens_details: fc.oneof(fc.constant(null), fc.record({ reasoning_tokens: hostileCount })),
          }),
          anyJson,
        ),
        (raw) => expectBelievable(usageFromOpenAI(raw as OpenAIUsage)),
      ),
      fuzzParameters(1_000),
    );
  });

  it('Anthropic usage blocks', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.record({
            input_tokens: hostileCount,
            output_tokens: hostileCount,
            cache_read_input_tokens: hostileCount,
            cache_creation_input_tokens: hostileCount,
          }),
          anyJson,
        ),
        (raw) => expectBelievable(usageFromAnthropic(raw as AnthropicUsage)),
      ),
      fuzzParameters(1_000),
    );
  });

  it('Responses usage blocks', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.record({
            input_tokens: hostileCount,
            output_tokens: hostileCount,
            input_tokens_details: fc.record({ cached_tokens: hostileCount }),
            output_tokens_details: fc.record({ reasoning_tokens: hostileCount }),
          }),
          anyJson,
        ),
        (raw) => {
          const usage = usageFromResponses(raw);
          if (usage) expectBelievable(usage);
        },
      ),
      fuzzParameters(1_000),
    );
  });

  it('believes honest counts as they are', () => {
    expect(
      usageFromOpenAI({ prompt_tokens: 12, completion_tokens: 3, total_tokens: 15, prompt_tokens_details: { cached_tokens: 4 } }),
    ).toEqual({
      inputTokens: 12,
      outputTokens: 3,
      cachedInputTokens: 4,
      cacheWriteInputTokens: 0,
      source: 'upstream',
    });
    expect(usageFromAnthropic({ input_tokens: 5, output_tokens: 7, cache_read_input_tokens: 10, cache_creation_input_tokens: 2 })).toEqual({
      inputTokens: 17,
      outputTokens: 7,
      cachedInputTokens: 10,
      cacheWriteInputTokens: 2,
      source: 'upstream',
    });
  });
});
