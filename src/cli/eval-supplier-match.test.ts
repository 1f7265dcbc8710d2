import { Command } from 'commander';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { registerSupplierMatchEval } from './eval-supplier-match.js';

afterEach(() => {
  vi.restoreAllMocks();
});

describe('tokenhub eval supplier-match', () => {
  it('scores the search on labelled requests, with filters and with the sentence alone', async () => {
    const written: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    });
    const program = new Command().exitOverride();
    registerSupplierMatchEval(program.command('eval'));
    await program.parseAsync(['eval', 'supplier-match', '--size', '400', '--requests', '8', '--json'], { from: 'user' });
    const report = JSON.parse(written.join('')) as { mode: string; requests: number; precisionAt5: number; ndcgAt10: number }[];
    expect(report.map((entry) => entry.mode)).toEqual(['criteria', 'text']);
    for (const entry of report) {
      expect(entry.requests).toBe(8);
      expect(entry.precisionAt5).toBeGreaterThanOrEqual(0);
      expect(entry.ndcgAt10).toBeLessThanOrEqual(1);
    }
    // Filters from a perfect reading of the request never rank worse than the sentence alone.
    expect(report[0]?.ndcgAt10).toBeGreaterThanOrEqual(report[1]?.ndcgAt10 ?? 1);
  }, 120_000);
});
