import { describe, expect, it } from 'vitest';
import { emptyUsage, picosToUsd, type Usage } from '../core/index.js';
import { PriceBook } from './pricing.js';

const usage = (overrides: Partial<Usage>): Usage => ({ ...emptyUsage(), ...overrides });

describe('pricing', () => {
  const book = new PriceBook({
    models: [
      { name: 'smart', targets: [{ model: 'gpt-4o-2024-11-20' }, { model: 'claude-opus-4-20250514' }] },
      {
        name: 'custom',
        pricing: { input_per_mtok: '0.123456', output_per_mtok: 1, cached_input_per_mtok: 0.01, cache_write_per_mtok: '0.2' },
        max_output_tokens: 1000,
        targets: [{ model: 'gpt-4o' }],
      },
      { name: 'gpt-4o', pricing: { input_per_mtok: 5, output_per_mtok: 20 } },
    ],
  });

  it('bills uncached, cached, cache-write and output tokens each at its own price, exactly', () => {
    const prices = book.pricesFor('custom');
    const cost = book.cost(
      usage({ inputTokens: 1_000_000, cachedInputTokens: 200_000, cacheWriteInputTokens: 100_000, outputTokens: 3 }),
      prices,
    );
    // 700,000 × 0.123456 + 200,000 × 0.01 + 100,000 × 0.2 (per Mtok) + 3 × 1 / 1e6
    expect(picosToUsd(cost.picos)).toBe('0.1084222');
    expect(cost.priceKnown).toBe(true);
  });

  it('prefers the config over the built-in table, and the table over nothing', () => {
    expect(picosToUsd(book.cost(usage({ inputTokens: 1_000_000 }), book.pricesFor('gpt-4o')).picos)).toBe('5.00');
    const table = book.pricesFor('claude-sonnet-4-20250514');
    expect(picosToUsd(book.cost(usage({ inputTokens: 1_000, cacheWriteInputTokens: 1_000, outputTokens: 1_000 }), table).picos)).toBe(
      '0.01875',
    );
    expect(picosToUsd(book.cost(usage({ inputTokens: 10, outputTokens: 10 }), book.pricesFor('gpt-4o-mini-2024-07-18')).picos)).toBe(
      '0.0000075',
    );
    expect(book.cost(usage({ inputTokens: 10 }), book.pricesFor('mystery-model'))).toEqual({ picos: 0n, priceKnown: false });
  });

  it('bills an alias at the upstream model served', () => {
    expect(picosToUsd(book.cost(usage({ outputTokens: 1_000_000 }), book.pricesFor('smart', 'claude-opus-4-20250514')).picos)).toBe(
      '75.00',
    );
  });

  it('reserves the worst case over the targets and at the dearer of input and cache-write prices', () => {
    // smart → dearest target is claude-opus-4: prompt at cache-write 18.75, output 75.
    expect(picosToUsd(book.worstCase('smart', 1_000_000, 1_000_000).picos)).toBe('93.75');
    expect(picosToUsd(book.worstCase('custom', 1_000_000, 0).picos)).toBe('0.20');
    expect(book.worstCase('mystery-model', 100, 100)).toEqual({ picos: 0n, priceKnown: false });
  });
});
