import { describe, expect, it } from 'vitest';
import { runSiteBuilderDemo, runSupplierMatchDemo } from './demo-apps.js';

describe('the app demos', () => {
  it('site-builder: plans, waits for approval, fails a check, rebuilds, publishes, and tells the cost', async () => {
    const lines: string[] = [];
    const result = await runSiteBuilderDemo({ print: (line) => lines.push(line) });
    expect(result.runStatus).toBe('completed');
    expect(result.siteUrl).toMatch(/\/sites\/ten_[A-Za-z0-9]+\/lotus-tea-house\/$/);
    expect(lines.join('\n')).toMatch(/build#1\.check: failed — .*wcag\/h37[\s\S]*build#2\.check: passed/);
    expect(result.cost).toMatchObject({ model_calls: 5 });
    expect(Number(result.cost.tokens_usd)).toBeGreaterThan(0);
  }, 120_000);

  it('supplier-match: shortlists, waits for the seller, sends two RFQs and compares the replies', async () => {
    const lines: string[] = [];
    const result = await runSupplierMatchDemo({ print: (line) => lines.push(line) });
    expect(result.runStatus).toBe('completed');
    const replies = (result.output.replies as { json: { sent_to: string[] } }).json;
    expect(replies.sent_to).toHaveLength(2);
    expect(lines.join('\n')).toContain('| supplier | unit price | total | lead days | MOQ | within target |');
    expect(result.cost).toMatchObject({ model_calls: 1 });
  }, 120_000);
});
