/**
 * The Request log page on a real hub in a real browser: three calls made with the `openai` client show
 * with their costs; the page makes exactly one ledger call per page load (counted off the wire), one more
 * per filter applied and per "Load more" (by cursor); filtering by model narrows it and stays in the URL;
 * the CSV export downloads the view's rows (a person's link, the hub admin's fetched file); a row's
 * detail shows every field, and its kept bodies, redacted, once retention is turned on for its key there.
 * Each view: no serious axe violation, screenshots in English and Chinese, no missing message in Chinese.
 */
import { readFile } from 'node:fs/promises';
import OpenAI from 'openai';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Tenant } from '../../src/admin/contract.js';
import { createPerson, waitFor } from '../inbox/inbox-support.js';
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
import { createKey, createTenant } from '../support/economy.js';
import { type ConfigInput, startTestHub, type TestHub } from '../support/hub.js';

const unavailable = browserTestsUnavailable();
if (unavailable) console.warn(`console browser tests skipped: ${unavailable}`);

const OWNER = { email: 'rhea@acme.test', password: 'owner password 123' };
const CONFIG: ConfigInput = {
  providers: [{ id: 'script', type: 'scripted' }],
  models: [
    { name: 'scripted', targets: [{ provider: 'script', model: 'scripted' }], pricing: { input_per_mtok: 1, output_per_mtok: 2 } },
    { name: 'scripted-mini', targets: [{ provider: 'script', model: 'scripted' }], pricing: { input_per_mtok: 0.5, output_per_mtok: 1 } },
  ],
};
/** Calls made before the three the test looks at: enough that the log has a second page (50 a page). */
const FILLER_CALLS = 52;

const eventually = <T>(probe: () => Promise<T> | T) => expect.poll(probe, { timeout: 20_000 });

async function expectCleanPage(page: Page, name: string): Promise<void> {
  expect(await seriousAxeViolations(page)).toEqual([]);
  expect(await missingMessages(page)).toEqual([]);
  await screenshot(page, name);
}

/** Counts the page's calls of the ledger list (not of a row's bodies), and keeps their query strings. */
function ledgerCalls(page: Page, path: '/v1/ledger' | '/admin/v1/ledger'): string[] {
  const seen: string[] = [];
  page.on('request', (request) => {
    const url = new URL(request.url());
    if (url.pathname === path) seen.push(url.search);
  });
  return seen;
}

const shown = (page: Page) => page.getByRole('status').filter({ hasText: /Showing|已显示/ });
const row = (page: Page, text: string) => page.getByRole('row').filter({ hasText: text });

describe.skipIf(unavailable)('the Request log page', () => {
  let hub: TestHub;
  let browser: Browser;
  let acme: Tenant;
  let appKey: { id: string; key: string };
  /** The three calls the test looks at, newest last. */
  const known: { id: string; model: string; cost: string }[] = [];

  beforeAll(async () => {
    [hub, browser] = await Promise.all([startTestHub(CONFIG), launchChromium()]);
    acme = await createTenant(hub, 'Acme');
    await createPerson(hub, acme.id, 'owner', OWNER.email, OWNER.password);
    const bulk = await createKey(hub, { tenant_id: acme.id, name: 'bulk' });
    const created = await createKey(hub, { tenant_id: acme.id, name: 'app' });
    appKey = { id: created.id, key: created.key };
    hub.hub.scripted('script').setScript([{ text: 'filler', repeat: true, usage: { input_tokens: 10, output_tokens: 1 } }]);
    for (let batch = 0; batch < FILLER_CALLS; batch += 13) {
      await Promise.all(
        Array.from({ length: Math.min(13, FILLER_CALLS - batch) }, () =>
          fetch(`${hub.openaiBaseUrl}/chat/completions`, {
            method: 'POST',
            headers: { authorization: `Bearer ${bulk.key}`, 'content-type': 'application/json' },
            body: JSON.stringify({ model: 'scripted', messages: [{ role: 'user', content: 'fill' }] }),
          }).then((response) => response.text()),
        ),
      );
    }
    const client = new OpenAI({ apiKey: appKey.key, baseURL: hub.openaiBaseUrl, maxRetries: 0 });
    for (const [model, input, output, cost] of [
      ['scripted', 1000, 500, '$0.002'],
      ['scripted', 2000, 1000, '$0.004'],
      ['scripted-mini', 1000, 500, '$0.001'],
    ] as const) {
      hub.hub.scripted('script').setScript([{ text: `answer from ${model}`, usage: { input_tokens: input, output_tokens: output } }]);
      const { response } = await client.chat.completions
        .create({ model, messages: [{ role: 'user', content: 'What is new?' }] })
        .withResponse();
      known.push({ id: String(response.headers.get('x-request-id')), model, cost });
    }
    await hub.hub.economy.flush();
  }, 240_000);
  afterAll(async () => {
    await browser?.close();
    await hub?.close();
  });

  it('shows the calls with their costs, one ledger call per page load, filters and pages by cursor', async () => {
    const { context, page, errors } = await newConsoleContext(browser);
    await signIn(page, hub.url, OWNER.email, OWNER.password);
    const calls = ledgerCalls(page, '/v1/ledger');
    await page.goto(`${hub.url}/console/requests`);
    await eventually(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Request log');
    await eventually(() => shown(page).textContent()).toBe('Showing 50 requests; more are older');
    for (const call of known) {
      const cells = row(page, call.id);
      await eventually(() => cells.count()).toBe(1);
      // Key names come from the keys list, which may land after the ledger page.
      await eventually(() => cells.textContent()).toContain('app (');
      const text = await cells.textContent();
      expect(text).toContain(call.model);
      expect(text).toContain(call.cost);
    }
    // Newest first: the last call is the first row.
    expect(await page.getByRole('row').nth(1).textContent()).toContain(known[2]?.id);
    expect(calls).toHaveLength(1);
    await expectCleanPage(page, 'requests-en');

    // The next page comes by cursor: one more call, and the rest of the rows.
    await page.getByRole('button', { name: 'Load more' }).click();
    await eventually(() => shown(page).textContent()).toBe(`Showing all ${FILLER_CALLS + 3} requests`);
    expect(calls).toHaveLength(2);
    expect(new URLSearchParams(calls[1]).get('cursor')).toBeTruthy();

    // A model filter narrows the view, in the URL too, with one call.
    await page.getByLabel('Model').fill('scripted-mini');
    await page.getByRole('button', { name: 'Apply' }).click();
    await eventually(() => shown(page).textContent()).toBe('Showing all 1 requests');
    expect(await row(page, known[2]?.id ?? '').count()).toBe(1);
    expect(new URL(page.url()).searchParams.get('model')).toBe('scripted-mini');
    expect(calls).toHaveLength(3);
    expect(new URLSearchParams(calls[2]).get('model')).toBe('scripted-mini');

    // Reloading the filtered view (a shared link) is again exactly one call.
    calls.length = 0;
    await page.reload();
    await eventually(() => shown(page).textContent()).toBe('Showing all 1 requests');
    expect(await page.getByLabel('Model').inputValue()).toBe('scripted-mini');
    expect(calls).toHaveLength(1);

    // The CSV export downloads the view's rows.
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Export CSV' }).click()]);
    const csv = (await readFile(await download.path(), 'utf8')).trim().split('\r\n');
    expect(csv[0]?.startsWith('created_at,request_id,')).toBe(true);
    expect(csv.slice(1).map((line) => line.split(',')[1])).toEqual([known[2]?.id]);
    expect(csv[1]).toContain('scripted-mini');
    expect(errors).toEqual([]);
    await context.close();
  });

  it('shows a row in full, and its bodies, redacted, once the key keeps them', async () => {
    const { context, page, errors } = await newConsoleContext(browser);
    await signIn(page, hub.url, OWNER.email, OWNER.password);
    await page.goto(`${hub.url}/console/requests?request=${known[0]?.id}`);
    await eventually(() => shown(page).textContent()).toBe('Showing all 1 requests');
    await row(page, known[0]?.id ?? '')
      .getByRole('button')
      .click();
    const dialog = page.getByRole('dialog');
    await eventually(() => dialog.textContent()).toContain('The bodies of this request were not kept');
    // The key's retention setting is read when the bodies turn out not to be kept.
    await eventually(() => dialog.getByRole('status').textContent()).toBe('This key keeps no bodies.');
    const text = await dialog.textContent();
    for (const expected of ['Model served', 'scripted', '$0.002', '1,000', 'Reported by the upstream', 'This key keeps no bodies.'])
      expect(text).toContain(expected);
    await expectCleanPage(page, 'requests-detail-en');
    await dialog.getByRole('button', { name: /Keep this key's bodies/ }).click();
    await eventually(() => dialog.getByRole('status').textContent()).toBe('This key keeps its bodies for 30 days.');
    await dialog.getByRole('button', { name: 'Close' }).click();

    // A call whose prompt holds a key: kept, with the key masked.
    const secret = 'sk-live-Abcdefghijklmnopqrstuv';
    hub.hub.scripted('script').setScript([{ text: 'Noted, thanks.', usage: { input_tokens: 20, output_tokens: 4 } }]);
    const client = new OpenAI({ apiKey: appKey.key, baseURL: hub.openaiBaseUrl, maxRetries: 0 });
    const { response } = await client.chat.completions
      .create({ model: 'scripted', messages: [{ role: 'user', content: `Store my key ${secret} please` }] })
      .withResponse();
    const requestId = String(response.headers.get('x-request-id'));
    await hub.hub.economy.flush();
    await waitFor('the kept bodies', async () => {
      await hub.hub.economy.bodies.flush();
      return hub.hub.economy.bodies.read(null, requestId);
    });
    await page.goto(`${hub.url}/console/requests?request=${requestId}`);
    await row(page, requestId).getByRole('button').click();
    await eventually(() => dialog.getByTestId('request-body').textContent()).toContain('Store my key [redacted:api-key] please');
    expect(await dialog.getByTestId('request-body').textContent()).not.toContain(secret);
    expect(await dialog.getByTestId('response-body').textContent()).toContain('Noted, thanks.');
    await expectCleanPage(page, 'requests-bodies-en');
    expect(errors).toEqual([]);
    await context.close();
  });

  it('serves the hub admin every tenant, and exports with the admin key', async () => {
    const { context, page, errors } = await newConsoleContext(browser);
    await signInAsAdmin(page, hub.url, hub.adminKey);
    const calls = ledgerCalls(page, '/admin/v1/ledger');
    await page.goto(`${hub.url}/console/requests?status=success&model=scripted-mini`);
    await eventually(() => shown(page).textContent()).toBe('Showing all 1 requests');
    expect(calls).toHaveLength(1);
    expect(await page.getByLabel('Tenant').locator('option').allTextContents()).toEqual(['All tenants', 'Acme']);
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export CSV' }).click()]);
    expect(download.suggestedFilename()).toBe('tokenhub-ledger.csv');
    const csv = (await readFile(await download.path(), 'utf8')).trim().split('\r\n');
    expect(csv.slice(1).map((line) => line.split(',')[1])).toEqual([known[2]?.id]);
    await expectCleanPage(page, 'requests-admin-en');
    expect(errors).toEqual([]);
    await context.close();
  });

  it('reads in Chinese, every message translated', async () => {
    const { context, page, errors } = await newConsoleContext(browser, 'zh');
    await signIn(page, hub.url, OWNER.email, OWNER.password);
    await page.goto(`${hub.url}/console/requests`);
    await eventually(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('请求日志');
    await eventually(() => shown(page).textContent()).toMatch(/^已显示 50 条请求/);
    await expectCleanPage(page, 'requests-zh');
    await row(page, known[2]?.id ?? '')
      .getByRole('button')
      .click();
    await eventually(() => page.getByRole('dialog').textContent()).toContain('实际服务的模型');
    await expectCleanPage(page, 'requests-detail-zh');
    expect(errors).toEqual([]);
    await context.close();
  });
});
