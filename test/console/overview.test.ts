/**
 * The Overview page on a real hub in a real browser: an owner signs in, makes a key, calls the scripted model
 * with the `openai` client (one call that succeeds, one that the model refuses), and the overview shows that
 * spend equal to the ledger's (`GET /admin/v1/ledger`, summed exactly) and the failed call as an error; the
 * hub admin sees it across tenants and per tenant, with the tenant's budget burn-down. No serious axe
 * violation, screenshots in English and Chinese, no missing message in Chinese.
 */
import OpenAI from 'openai';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatUsd } from '../../console/src/components/format.js';
import type { LedgerRow } from '../../src/admin/contract.js';
import { picosToUsd, usdToPicos } from '../../src/core/index.js';
import { call, createPerson, type Person } from '../inbox/inbox-support.js';
import {
  browserTestsUnavailable,
  launchChromium,
  missingMessages,
  newConsoleContext,
  screenshot,
  seriousAxeViolations,
  signIn,
  signInAsAdmin,
} from '../support/browser.js';
import { admin, createTenant, ledgerRows } from '../support/economy.js';
import { startTestHub, type TestHub } from '../support/hub.js';

const unavailable = browserTestsUnavailable();
if (unavailable) console.warn(`console browser tests skipped: ${unavailable}`);

const CONFIG = {
  providers: [
    {
      id: 'script',
      type: 'scripted' as const,
      script: [
        { when: { last_user_message_contains: 'refuse' }, error: { status: 400, message: 'scripted refusal' }, repeat: true },
        { text: 'Hello from the script.', usage: { input_tokens: 4_321, output_tokens: 876 }, repeat: true },
      ],
    },
  ],
  models: [
    { name: 'scripted', targets: [{ provider: 'script', model: 'scripted' }], pricing: { input_per_mtok: 2.5, output_per_mtok: 10 } },
  ],
  routing: { retries: 0 },
};

const OWNER_PASSWORD = 'owner password 123';

/** Polls for what the page shows (the machine is shared and the first render of a page can be slow). */
const eventually = <T>(probe: () => Promise<T> | T) => expect.poll(probe, { timeout: 30_000 });

const card = (page: Page, measure: string) => page.locator(`[data-measure="${measure}"]`);

async function expectCleanPage(page: Page, name: string): Promise<void> {
  expect(await seriousAxeViolations(page)).toEqual([]);
  expect(await missingMessages(page)).toEqual([]);
  await screenshot(page, name);
}

describe.skipIf(unavailable)('the Overview page', () => {
  let hub: TestHub;
  let browser: Browser;
  let tenantId: string;
  let owner: Person;
  let spent: string;

  beforeAll(async () => {
    [hub, browser] = await Promise.all([startTestHub(CONFIG), launchChromium()]);
    tenantId = (await createTenant(hub, 'Acme')).id;
    await createTenant(hub, 'Quiet Co');
    owner = await createPerson(hub, tenantId, 'owner', 'olga@acme.test', OWNER_PASSWORD);
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await hub?.close();
  });

  it("shows an owner their key's spend equal to the ledger's, and the refused call as an error", async () => {
    // The owner makes a service key (the tenant API, as the Keys page does) and calls the model with it.
    const created = await call(hub, 'POST', '/v1/keys', { name: 'overview-test' }, owner.key);
    expect(created.status).toBe(201);
    const client = new OpenAI({ apiKey: String(created.body.key), baseURL: hub.openaiBaseUrl, maxRetries: 0 });
    const answer = await client.chat.completions.create({ model: 'scripted', messages: [{ role: 'user', content: 'Say hello.' }] });
    expect(answer.choices[0]?.message.content).toBe('Hello from the script.');
    await expect(
      client.chat.completions.create({ model: 'scripted', messages: [{ role: 'user', content: 'Please refuse.' }] }),
    ).rejects.toThrow();
    const rows: LedgerRow[] = (await ledgerRows(hub)).filter((row) => row.tenant_id === tenantId);
    // Made once the spend is on the ledger (a budget's counter starts from the rollups when it is first read).
    await admin(hub, 'POST', '/admin/v1/budgets', { scope: 'tenant', tenant_id: tenantId, limit_usd: '0.5', period: 'month' });
    expect(rows).toHaveLength(2);
    spent = picosToUsd(rows.reduce((sum, row) => sum + usdToPicos(row.cost_usd), 0n));
    // 4,321 × $2.50 + 876 × $10 per million tokens.
    expect(spent).toBe('0.0195625');

    const { context, page, errors } = await newConsoleContext(browser, 'en');
    await signIn(page, hub.url, owner.email, OWNER_PASSWORD);
    await page.goto(`${hub.url}/console/overview?range=24h`);
    await eventually(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Overview');
    await eventually(() => card(page, 'spend').getAttribute('data-value')).toBe(spent);
    expect(await card(page, 'spend').locator('.value').textContent()).toBe(formatUsd(spent, 'en'));
    expect(await card(page, 'spend').locator('.value').textContent()).toBe('$0.0195625');
    expect(await card(page, 'requests').getAttribute('data-value')).toBe('2');
    expect(await card(page, 'requests').textContent()).toContain('1 succeeded, 1 failed');
    expect(await card(page, 'error_rate').locator('.value').textContent()).toBe('50%');
    // The split table: the one model, with the exact spend.
    await eventually(() =>
      page
        .getByRole('region', { name: /Usage by Model/ })
        .locator('[data-cost]')
        .first()
        .getAttribute('data-cost'),
    ).toBe(spent);
    // The budget: spent of its limit, from the same rollups.
    await eventually(() => page.locator('[data-spent]').first().getAttribute('data-spent')).toBe(spent);
    expect(await page.getByRole('region', { name: 'Budgets with their burn-down' }).textContent()).toContain('$0.0195625 of $0.50');
    // Top keys: the new key, linking to its page.
    await eventually(() =>
      page.getByRole('region', { name: 'The keys that spent the most over the range' }).getByRole('link').count(),
    ).toBe(1);

    // Switching the split and the interval keeps the totals.
    await page.getByLabel('Split by', { exact: true }).selectOption('key');
    await page.getByLabel('Interval', { exact: true }).selectOption('day');
    await eventually(() => page.url()).toContain('split=key');
    await eventually(() => card(page, 'spend').getAttribute('data-value')).toBe(spent);
    await page.getByLabel('Split by', { exact: true }).selectOption('model');
    await page.getByLabel('Interval', { exact: true }).selectOption('hour');
    await eventually(() => page.getByRole('heading', { name: 'By Model' }).count()).toBe(1);
    await expectCleanPage(page, 'overview-owner-en');
    expect(errors).toEqual([]);
    await context.close();
  }, 240_000);

  it('shows the same numbers in Chinese, with every message translated', async () => {
    const { context, page, errors } = await newConsoleContext(browser, 'zh');
    await signIn(page, hub.url, owner.email, OWNER_PASSWORD);
    await page.goto(`${hub.url}/console/overview?range=7d`);
    await eventually(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('概览');
    await eventually(() => card(page, 'spend').getAttribute('data-value')).toBe(spent);
    expect(await card(page, 'spend').locator('.value').textContent()).toBe(formatUsd(spent, 'zh'));
    expect(await card(page, 'requests').textContent()).toContain('成功 1，失败 1');
    await eventually(() => page.locator('[data-spent]').count()).toBe(1);
    await expectCleanPage(page, 'overview-owner-zh');
    expect(errors).toEqual([]);
    await context.close();
  }, 180_000);

  it('lets the hub admin see every tenant or one, with its budgets', async () => {
    const { context, page, errors } = await newConsoleContext(browser, 'en');
    await signInAsAdmin(page, hub.url, hub.adminKey);
    await page.goto(`${hub.url}/console/overview?range=30d`);
    await eventually(() => card(page, 'spend').getAttribute('data-value')).toBe(spent);
    await eventually(() => page.getByText('Choose a tenant to see its budgets.').count()).toBe(1);
    await page.getByLabel('Tenant', { exact: true }).selectOption({ label: 'Quiet Co' });
    await eventually(() => card(page, 'requests').getAttribute('data-value')).toBe('0');
    await eventually(() => page.getByText('No calls in this range.').count()).toBe(1);
    await eventually(() => page.getByText('No budgets in this tenant.').count()).toBe(1);
    await page.getByLabel('Tenant', { exact: true }).selectOption({ label: 'Acme' });
    await eventually(() => card(page, 'spend').getAttribute('data-value')).toBe(spent);
    await eventually(() => page.locator('[data-spent]').first().getAttribute('data-spent')).toBe(spent);
    // A custom range of whole UTC days, today included.
    await page.getByRole('button', { name: 'Custom' }).click();
    await eventually(() => page.getByLabel('From (UTC day)').count()).toBe(1);
    await eventually(() => card(page, 'spend').getAttribute('data-value')).toBe(spent);
    await expectCleanPage(page, 'overview-admin-en');
    expect(errors).toEqual([]);
    await context.close();
  }, 180_000);
});
