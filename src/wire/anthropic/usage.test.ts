import { describe, expect, it } from 'vitest';
import type { Usage } from '../../core/index.js';
import { usageFromAnthropic, usageToAnthropic } from './usage.js';

describe('Anthropic usage', () => {
  it('counts cache reads and writes into the canonical prompt tokens', () => {
    expect(
      usageFromAnthropic({ input_tokens: 10, output_tokens: 7, cache_read_input_tokens: 100, cache_creation_input_tokens: 20 }),
    ).toEqual({ inputTokens: 130, outputTokens: 7, cachedInputTokens: 100, cacheWriteInputTokens: 20, source: 'upstream' });
  });

  it('treats absent or null cache fields as zero and keeps thinking tokens', () => {
    expect(
      usageFromAnthropic({
        input_tokens: 5,
        output_tokens: 9,
        cache_read_input_tokens: null,
        output_tokens_details: { thinking_tokens: 4 },
      }),
    ).toEqual({ inputTokens: 5, outputTokens: 9, cachedInputTokens: 0, cacheWriteInputTokens: 0, reasoningTokens: 4, source: 'upstream' });
  });

  it('maps back exactly', () => {
    const anthropic = { input_tokens: 10, cache_creation_input_tokens: 20, cache_read_input_tokens: 100, output_tokens: 7 };
    expect(usageToAnthropic(usageFromAnthropic(anthropic))).toEqual(anthropic);
    const canonical: Usage = { inputTokens: 42, outputTokens: 3, cachedInputTokens: 30, cacheWriteInputTokens: 2, source: 'upstream' };
    expect(usageFromAnthropic(usageToAnthropic(canonical))).toEqual(canonical);
  });

  it('never reports negative uncached input for inconsistent counts', () => {
    expect(
      usageToAnthropic({ inputTokens: 1, outputTokens: 0, cachedInputTokens: 5, cacheWriteInputTokens: 0, source: 'tokenizer' })
        .input_tokens,
    ).toBe(0);
  });
});
