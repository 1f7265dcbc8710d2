import { Command } from 'commander';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { FINAL_USAGE, startFakeSupplierModel } from '../../test/apps/supplier-match-fakes.js';
import { admin } from '../../test/support/economy.js';
import { startTestHub } from '../../test/support/hub.js';
import { registerSupplierMatchEval } from './eval-supplier-match.js';

afterEach(() => {
  vi.restoreAllMocks();
});

describe('tokenhub eval supplier-match', () => {
  it('scores the search with filters and with the sentence alone, and the agent on the scripted model through a hub', async () => {
    const written: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    });
    const program = new Command().exitOverride();
    registerSupplierMatchEval(program.command('eval'));
    await program.parseAsync(['eval', 'supplier-match', '--size', '400', '--requests', '8', '--json'], { from: 'user' });
    const report = JSON.parse(written.join('')) as {
      mode: string;
      requests: number;
      precisionAt5: number;
      ndcgAt10: number;
      failedRuns?: number;
      cost?: { model_calls: number; input_tokens: number; usd: string };
    }[];
    expect(report.map((entry) => entry.mode)).toEqual(['criteria', 'text', 'agent']);
    for (const entry of report) {
      expect(entry.requests).toBe(8);
      expect(entry.precisionAt5).toBeGreaterThanOrEqual(0);
      expect(entry.ndcgAt10).toBeLessThanOrEqual(1);
    }
    // Filters from a perfect reading of the request never rank worse than the sentence alone.
    expect(report[0]?.ndcgAt10).toBeGreaterThanOrEqual(report[1]?.ndcgAt10 ?? 1);
    // The scripted agent passes the sentence as its query: the agent path reaches the search unchanged.
    const [, text, agent] = report;
    expect(agent?.precisionAt5).toBe(text?.precisionAt5);
    expect(agent?.ndcgAt10).toBe(text?.ndcgAt10);
    expect(agent?.failedRuns).toBe(0);
    expect(agent?.cost?.model_calls).toBe(16);
    expect(agent?.cost?.input_tokens).toBeGreaterThan(0);
    expect(Number(agent?.cost?.usd)).toBeGreaterThan(0);
  }, 120_000);

  it('runs the agent lane with --model on a running hub, as eval run does, reporting what the ledger says', async () => {
    // A "model" that never searches: every request is scored 0, and its cost is its one answer per run.
    const fake = await startFakeSupplierModel();
    const hub = await startTestHub({
      providers: [{ id: 'fake', type: 'openai', base_url: fake.url }],
      models: [{ name: 'fake-gpt', targets: [{ provider: 'fake', model: 'gpt-fake' }] }],
      routing: { retries: 0, backoff_ms: 1 },
    });
    try {
      const written: string[] = [];
      vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
      vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
        written.push(String(chunk));
        return true;
      });
      const program = new Command().exitOverride();
      registerSupplierMatchEval(program.command('eval'));
      await program.parseAsync(
        [
          'eval',
          'supplier-match',
          '--size',
          '400',
          '--requests',
          '3',
          '--model',
          'fake-gpt',
          '--url',
          hub.url,
          '--admin-key',
          hub.adminKey,
          '--json',
        ],
        { from: 'user' },
      );
      const report = JSON.parse(written.join('')) as Record<string, unknown>[];
      expect(report.map((entry) => entry.mode)).toEqual(['criteria', 'text', 'agent']);
      expect(report[2]).toMatchObject({
        model: 'fake-gpt',
        requests: 3,
        precisionAt5: 0,
        ndcgAt10: 0,
        failedRuns: 0,
        noSearch: 3,
        cost: { model_calls: 3, input_tokens: 3 * FINAL_USAGE.prompt_tokens, output_tokens: 3 * FINAL_USAGE.completion_tokens },
      });
      expect(fake.chats).toHaveLength(3);
      // The installation went to the tenant named "eval", created for it.
      const tenants = await admin<{ data: { id: string; name: string }[] }>(hub, 'GET', '/admin/v1/tenants');
      const tenant = tenants.data.find((candidate) => candidate.name === 'eval');
      const installations = await admin<{ data: { id: string }[] }>(hub, 'GET', `/admin/v1/apps/supplier-match?tenant_id=${tenant?.id}`);
      expect(installations.data.map((entry) => entry.id)).toEqual([report[2]?.installation]);
    } finally {
      await hub.close();
      await fake.close();
    }
  }, 120_000);
});
