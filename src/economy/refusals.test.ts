import { describe, expect, it } from 'vitest';
import { slidingRetryAfterMs } from './refusals.js';

const MINUTE = 60_000;
const END = 10 * MINUTE;

describe('retry-after of a sliding-minute refusal', () => {
  it('waits for the previous minute to shrink while the current one has room', () => {
    // limit 10, current 4, previous 10: one more fits once 10 × weight ≤ 5, i.e. weight ≤ 0.5 — 30 s before the end.
    expect(slidingRetryAfterMs(10, 1, { current: 4, previous: 10, end: END, windowMs: MINUTE }, END - 50_000)).toBe(20_000);
    expect(slidingRetryAfterMs(10, 1, { current: 4, previous: 10, end: END, windowMs: MINUTE }, END - 10_000)).toBe(0);
  });

  it('waits past the end of a full current minute until enough of it has slid out', () => {
    // current 10 = limit: at the end it becomes the previous minute; 1 fits once 10 × weight ≤ 9: 6 s later.
    expect(slidingRetryAfterMs(10, 1, { current: 10, previous: 0, end: END, windowMs: MINUTE }, END - 1_000)).toBe(7_000);
    // A request larger than the limit never fits: at least a whole minute past the end.
    expect(slidingRetryAfterMs(100, 500, { current: 0, previous: 0, end: END, windowMs: MINUTE }, END - 1_000)).toBe(61_000);
  });
});
