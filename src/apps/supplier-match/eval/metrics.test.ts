import { describe, expect, it } from 'vitest';
import { ndcgAtK, precisionAtK, rankingReport } from './metrics.js';

// Labels: a and b truly satisfy (3), c nearly (2), d is of the category (1); x and y are unlabelled (0).
const labels = { a: 3, b: 3, c: 2, d: 1 };

describe('ranking measures', () => {
  it('precision@5 counts the truly relevant among the first five, over five', () => {
    expect(precisionAtK(['a', 'x', 'b', 'c', 'y', 'd'], labels, 5)).toBe(0.4);
    expect(precisionAtK(['a', 'b'], labels, 5)).toBe(0.4);
    expect(precisionAtK(['a', 'c', 'x'], labels, 5, 2)).toBe(0.4);
    expect(precisionAtK([], labels, 5)).toBe(0);
  });

  it('nDCG@10 is 1 for the ideal order and exact for a worse one', () => {
    expect(ndcgAtK(['a', 'b', 'c', 'd'], labels, 10)).toBe(1);
    // DCG of [c, a, x, b]: 3/log2(2) + 7/log2(3) + 0 + 7/log2(5); ideal [a, b, c, d]: 7 + 7/log2(3) + 3/2 + 1/log2(5).
    const dcg = 3 + 7 / Math.log2(3) + 7 / Math.log2(5);
    const ideal = 7 + 7 / Math.log2(3) + 3 / 2 + 1 / Math.log2(5);
    expect(ndcgAtK(['c', 'a', 'x', 'b'], labels, 10)).toBeCloseTo(dcg / ideal, 12);
    expect(ndcgAtK(['c', 'a', 'x', 'b'], labels, 10)).toBeCloseTo(0.7815, 4);
    expect(ndcgAtK(['x', 'y'], labels, 10)).toBe(0);
    expect(ndcgAtK(['a'], {}, 10)).toBe(0);
  });

  it('averages over requests', () => {
    expect(
      rankingReport([
        { ranking: ['a', 'b', 'c', 'd'], labels },
        { ranking: ['x', 'y'], labels },
      ]),
    ).toEqual({ requests: 2, precisionAt5: 0.2, ndcgAt10: 0.5 });
  });
});
