/**
 * The supplier match as the seller sees it, in Chromium against a real hub (scripted model): the workflow's
 * approval waits in the console's Inbox with the shortlist's comparison table and the RFQ drafts; once approved,
 * the run's page shows the replies compared. Screenshots go to test-results/supplier-match/, and, with
 * TOKENHUB_DOCS_SCREENSHOTS=1, to docs/img/supplier-match-*.png for docs/supplier-match.md.
 */
import { copyFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPerson } from '../inbox/inbox-support.js';
import { browserTestsUnavailable, launchChromium, newConsoleContext, signIn } from '../support/browser.js';
import { createKey, createTenant } from '../support/economy.js';
import { startTestHub, type TestHub } from '../support/hub.js';
import { call, type Json } from '../support/workflows.js';

const unavailable = browserTestsUnavailable();
if (unavailable) console.warn(`supplier-match screenshots skipped: ${unavailable}`);

const PASSWORD = 'seller password 1';
const OUT = join(process.cwd(), 'test-results', 'supplier-match');
const DOCS = join(process.cwd(), 'docs', 'img');

async function shoot(page: Page, name: string): Promise<void> {
  await mkdir(OUT, { recursive: true });
  const path = join(OUT, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  if (process.env.TOKENHUB_DOCS_SCREENSHOTS === '1') await copyFile(path, join(DOCS, `supplier-match-${name}.png`));
}

describe.skipIf(unavailable)('the supplier match in the console', () => {
  let hub: TestHub;
  let browser: Browser;
  let tenantId: string;
  let key: string;
  let seller: { key: string };

  const until = async (runId: string, statuses: string[]): Promise<Json> => {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const read = await call(hub, 'GET', `/v1/workflow-runs/${runId}`, key);
      if (statuses.includes(String(read.body.status))) return read.body;
      if (Date.now() > deadline) throw new Error(`run ${runId} stayed ${String(read.body.status)}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };

  beforeAll(async () => {
    [hub, browser] = await Promise.all([
      startTestHub({
        providers: [{ id: 'script', type: 'scripted' }],
        models: [{ name: 'scripted', targets: [{ provider: 'script', model: 'scripted' }] }],
      }),
      launchChromium(),
    ]);
    tenantId = (await createTenant(hub, 'speaker-seller')).id;
    key = (await createKey(hub, { tenant_id: tenantId, scopes: ['agents:write', 'agents:run'] })).key;
    seller = await createPerson(hub, tenantId, 'operator', 'mei@speaker-seller.test', PASSWORD);
    const installed = await call(hub, 'POST', '/admin/v1/apps/supplier-match/install', hub.adminKey, {
      tenant_id: tenantId,
      model: 'scripted',
    });
    expect(installed.status, JSON.stringify(installed.body)).toBe(201);
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await hub?.close();
  });

  it('shows the comparison and the drafts to approve in the Inbox, then the replies compared', { timeout: 120_000 }, async () => {
    hub.hub
      .scripted('script')
      .setScript([
        { text: 'I will look for CE-certified bluetooth speaker factories that export to the EU, at $9 or less for 2,000.', repeat: true },
      ]);
    const input = { product: 'bluetooth speaker', quantity: 2000, target_price_usd: 9, market: 'EU', certifications: ['CE'] };
    const started = await call(hub, 'POST', '/v1/workflows/supplier-match/runs', key, { input });
    const runId = String(started.body.id);
    const paused = await until(runId, ['waiting_approval', 'failed']);
    expect(paused.status).toBe('waiting_approval');
    const steps = paused.steps as { id: string; output: Json }[];
    const shortlistStep = steps.find((step) => step.id === 'shortlist');
    const shortlist = (shortlistStep?.output.json as { supplier_ids?: string[] } | undefined)?.supplier_ids ?? [];
    expect(shortlist.length).toBeGreaterThan(0);
    const tasks = await call(hub, 'GET', '/v1/inbox/tasks?limit=10', seller.key);
    const task = (tasks.body.data as Json[]).find((candidate) => candidate.run_id === runId || candidate.queue === 'supplier-match');
    expect(task, JSON.stringify(tasks.body)).toBeDefined();

    const { context, page } = await newConsoleContext(browser);
    try {
      await signIn(page, hub.url, 'mei@speaker-seller.test', PASSWORD);
      await page.goto(`${hub.url}/console/inbox?task=${String(task?.id)}`);
      const summary = page.locator('.summary-text');
      await summary.waitFor();
      // The seller reads the comparison table (rendered as a table, not pipes) and the drafts before choosing whom to send RFQs.
      const text = (await summary.textContent()) ?? '';
      await summary.locator('table').waitFor();
      expect((await summary.locator('table th').allTextContents()).slice(0, 5)).toEqual([
        'supplier',
        'location',
        'MOQ',
        'tier',
        'unit price',
      ]);
      expect(text).not.toContain('| supplier |');
      const rows = await summary.locator('table tbody tr').allTextContents();
      for (const id of shortlist) expect(rows.some((row) => row.includes(id))).toBe(true);
      expect(text).toMatch(/\d RFQ drafts/);
      await shoot(page, 'approval');

      const chosen = shortlist.slice(0, 2);
      const decided = await call(hub, 'POST', `/v1/workflow-runs/${runId}/decisions`, key, {
        call_id: 'approve',
        decision: 'approve',
        values: { send_to: chosen.join(', ') },
      });
      expect(decided.status, JSON.stringify(decided.body)).toBeLessThan(300);
      const done = await until(runId, ['completed', 'failed']);
      expect(done.status).toBe('completed');
      await page.goto(`${hub.url}/console/workflows/supplier-match/runs/${runId}`);
      await page.getByText('replies', { exact: true }).first().click();
      const table = page.getByText('| supplier | unit price | total | lead days | MOQ | within target |');
      await table.first().waitFor();
      for (const id of chosen) expect(await page.getByText(id).count()).toBeGreaterThan(0);
      await shoot(page, 'replies');
    } finally {
      await context.close();
    }
  });
});
