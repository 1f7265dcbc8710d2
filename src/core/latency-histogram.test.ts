import { describe, expect, it } from 'vitest';
import {
  emptyHistogram,
  LATENCY_BUCKETS,
  LATENCY_RELATIVE_ERROR,
  LATENCY_THRESHOLDS_MS,
  latencyBucket,
  latencyPercentile,
  packHistogram,
  unpackHistogram,
} from './latency-histogram.js';

describe('latency histogram', () => {
  it('packs into one decimal and back, exactly, up to 10^15 − 1 calls a bucket', () => {
    const counts = Array.from({ length: LATENCY_BUCKETS }, (_, bucket) => (bucket * 7919) % 1000);
    counts[0] = 999_999_999_999_999;
    counts[40] = 123_456_789_012_345;
    expect(unpackHistogram(packHistogram(counts))).toEqual(counts);
    expect(unpackHistogram(packHistogram(emptyHistogram()))).toEqual(emptyHistogram());
    expect(unpackHistogram(null)).toEqual(emptyHistogram());
    // Adding packed histograms is adding their counts.
    const a = [1, 2, 3];
    const b = [4, 0, 6, 9];
    expect(unpackHistogram((BigInt(packHistogram(a)) + BigInt(packHistogram(b))).toString()).slice(0, 4)).toEqual([5, 2, 9, 9]);
  });

  it('buckets by powers of √2 and estimates within the stated bound at every whole millisecond up to 100 s', () => {
    expect(LATENCY_THRESHOLDS_MS.slice(0, 8)).toEqual([1, 2, 2, 3, 4, 6, 8, 12]);
    for (let latency = 1; latency <= 100_000; latency += latency < 1_000 ? 1 : 97) {
      const histogram = emptyHistogram();
      histogram[latencyBucket(latency)] = 1;
      const estimate = latencyPercentile(histogram, 0.5) as number;
      expect(Math.abs(estimate - latency) / latency, `${latency} ms → ${estimate}`).toBeLessThanOrEqual(LATENCY_RELATIVE_ERROR);
    }
  });
});
