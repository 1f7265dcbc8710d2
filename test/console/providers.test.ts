/**
 * The Providers and models page, as the hub admin uses it, against a real hub (the scripted provider from
 * the config file) and a fake OpenAI-compatible upstream on 127.0.0.1: adding a provider with its key (the
 * key never comes back in any response or page text), testing it before and after saving (ok against the
 * fake upstream, a clear failure for a closed port, a metadata address refused by the address policy),
 * routing a model to it with weights, fallbacks and prices, and the breaker opening after failures.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RoutedModel } from '../../src/admin/contract.js';
import { type FakeOpenAI, startFakeOpenAI } from '../fake-upstreams/openai.js';
import {
  browserTestsUnavailable,
  launchChromium,
  missingMessages,
  newConsoleContext,
  screenshot,
  seriousAxeViolations,
  signInAsAdmin,
} from '../support/browser.js';
import { admin, createKey, createTenant } from '../support/economy.js';
import { startTestHub, type TestHub } from '../support/hub.js';

const unavailable = browserTestsUnavailable();
if (unavailable) console.warn(`console browser tests skipped: ${unavailable}`);

/** How long a poll waits for the page (a loaded 2-core machine can take seconds); a bound, not a timing assertion. */
const WAIT = { timeout: 20_000 };

const SECRET_KEY = 'k1-'.padEnd(44, 'p');
const UPSTREAM_KEY = 'sk-fake-upstream-key-5550123';

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Every admin API response body the page received, to prove the key never comes back. */
function recordResponses(page: Page): string[] {
  const bodies: string[] = [];
  page.on('response', (response) => {
    if (new URL(response.url()).pathname.startsWith('/admin/v1/'))
      void response
        .text()
        .then((text) => bodies.push(text))
        .catch(() => {});
  });
  return bodies;
}

describe.skipIf(unavailable)('the Providers and models page', () => {
  let hub: TestHub;
  let upstream: FakeOpenAI;
  let browser: Browser;
  let tenantKey: string;
  let deadPort: number;

  beforeAll(async () => {
    [upstream, browser, deadPort] = await Promise.all([
      startFakeOpenAI({ apiKey: UPSTREAM_KEY, reply: 'pong' }),
      launchChromium(),
      closedPort(),
    ]);
    hub = await startTestHub(
      {
        // The scripted provider of SCRIPTED_CONFIG, from the config file (read-only on the page).
        providers: [{ id: 'script', type: 'scripted' }],
        models: [
          { name: 'scripted', targets: [{ provider: 'script', model: 'scripted' }], pricing: { input_per_mtok: 1, output_per_mtok: 2 } },
        ],
        routing: { retries: 0, backoff_ms: 1, breaker: { failure_threshold: 2, cooldown_ms: 600_000 } },
        security: { upstream_urls: { allow_private: false, allow_loopback: true } },
      },
      { secretKey: SECRET_KEY },
    );
    const tenant = await createTenant(hub, 'providers-page');
    tenantKey = (await createKey(hub, { tenant_id: tenant.id })).key;
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await hub?.close();
    await upstream?.close();
  });

  it('adds a provider whose key is never shown again, tests it, and routes a priced model to it', async () => {
    const { context, page, errors } = await newConsoleContext(browser, 'en');
    const bodies = recordResponses(page);
    await signInAsAdmin(page, hub.url, hub.adminKey);
    await page.goto(`${hub.url}/console/providers`);
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent(), WAIT).toBe('Providers and models');
    const providers = page.getByRole('region', { name: 'All providers' });
    await expect
      .poll(() => providers.getByRole('row').filter({ hasText: 'script' }).textContent(), WAIT)
      .toContain('Read-only (config file)');

    await page.getByRole('button', { name: 'Add provider' }).first().click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Id', { exact: true }).fill('fake');
    await dialog.getByLabel('Base URL', { exact: true }).fill('http://169.254.169.254/latest');
    await dialog.getByLabel('API key', { exact: true }).fill(UPSTREAM_KEY);
    await dialog.getByLabel('Upstream model to ask', { exact: true }).fill('fake-model');
    await dialog.getByRole('button', { name: 'Test', exact: true }).click();
    // The metadata address is refused by the hub's address policy: nothing is connected to.
    await expect
      .poll(() => dialog.getByRole('alert').textContent(), WAIT)
      .toMatch(/Invalid base_url: 169\.254\.169\.254 is a cloud metadata address, which the upstream URL policy refuses/);

    await dialog.getByLabel('Base URL', { exact: true }).fill(upstream.url);
    const sent = upstream.requests.length;
    await dialog.getByRole('button', { name: 'Test', exact: true }).click();
    await expect
      .poll(() => dialog.getByTestId('test-result').textContent(), WAIT)
      .toMatch(/^OK fake-model answered in \d+ ms \(HTTP 200\)\./);
    expect(upstream.requests.length).toBe(sent + 1);
    expect(upstream.requests.at(-1)?.headers.authorization).toBe(`Bearer ${UPSTREAM_KEY}`);
    expect(await seriousAxeViolations(page)).toEqual([]);
    await screenshot(page, 'providers-add-en');
    await dialog.getByRole('button', { name: 'Add provider' }).click();
    await expect.poll(() => page.getByRole('dialog').count(), WAIT).toBe(0);

    const row = providers.getByRole('row').filter({ hasText: 'fake' });
    await expect.poll(() => row.textContent(), WAIT).toContain('Key set');
    expect(await row.textContent()).toContain('added here');

    // A model routed to it, with two weighted targets, a fallback and prices.
    await page.getByRole('button', { name: 'Add model' }).click();
    const modelDialog = page.getByRole('dialog');
    await modelDialog.getByLabel('Name', { exact: true }).fill('team/fast');
    await modelDialog.getByLabel('Provider of target 1').selectOption('fake');
    await modelDialog.getByLabel('Upstream model of target 1').fill('fake-model');
    await modelDialog.getByLabel('Weight of target 1').fill('3');
    await modelDialog.getByRole('button', { name: 'Add target' }).click();
    await modelDialog.getByLabel('Provider of target 2').selectOption('script');
    await modelDialog.getByLabel('Upstream model of target 2').fill('scripted');
    await modelDialog.getByLabel('Weight of target 2').fill('1');
    await modelDialog.getByLabel('Fallback model').selectOption('scripted');
    await modelDialog.getByRole('button', { name: 'Add fallback' }).click();
    await modelDialog.getByLabel('Input', { exact: true }).fill('0.15');
    await modelDialog.getByLabel('Output', { exact: true }).fill('0.6');
    await modelDialog.getByLabel('Cached input').fill('0.075');
    await modelDialog.getByRole('button', { name: 'Add model' }).click();
    await expect.poll(() => page.getByRole('dialog').count(), WAIT).toBe(0);
    const models = page.getByRole('region', { name: 'All routed models' });
    const modelRow = models.getByRole('row').filter({ hasText: 'team/fast' });
    await expect.poll(() => modelRow.textContent(), WAIT).toContain('fake/fake-model ×3 (75%)');
    const text = (await modelRow.textContent()) ?? '';
    expect(text).toContain('script/scripted ×1 (25%)');
    expect(text).toContain('1. scripted');
    expect(text).toContain('$0.15');
    expect(text).toContain('$0.60');
    expect(text).toContain('$0.075');
    const stored = await admin<RoutedModel>(hub, 'GET', `/admin/v1/models/${encodeURIComponent('team/fast')}`);
    expect(stored).toMatchObject({
      targets: [
        { provider: 'fake', model: 'fake-model', weight: 3 },
        { provider: 'script', model: 'scripted', weight: 1 },
      ],
      fallbacks: ['scripted'],
      pricing: { input_per_mtok: '0.15', output_per_mtok: '0.6', cached_input_per_mtok: '0.075' },
    });

    // Tested from the table once saved: the hub opens the sealed key and calls the upstream.
    await providers.getByRole('button', { name: 'Test the connection to fake' }).click();
    const log = page.getByRole('list', { name: 'Connection tests' });
    await expect
      .poll(() => log.locator('li[data-provider="fake"]').textContent(), WAIT)
      .toMatch(/^fake OK fake-model answered in \d+ ms \(HTTP 200\)\./);

    await page.reload();
    await expect
      .poll(() => page.getByRole('region', { name: 'All providers' }).getByRole('row').filter({ hasText: 'fake' }).textContent(), WAIT)
      .toContain('Key set');
    expect(await page.locator('body').textContent()).not.toContain(UPSTREAM_KEY);
    await expect.poll(() => bodies.length, WAIT).toBeGreaterThan(5);
    for (const body of bodies) expect(body).not.toContain(UPSTREAM_KEY);
    expect(await seriousAxeViolations(page)).toEqual([]);
    await screenshot(page, 'providers-en');

    // Editing shows that a key is set, never the key: the password field starts empty.
    await page.getByRole('region', { name: 'All providers' }).getByRole('button', { name: 'Edit fake' }).click();
    const edit = page.getByRole('dialog');
    expect(await edit.getByLabel('API key', { exact: true }).inputValue()).toBe('');
    expect(await edit.textContent()).toContain('A key is set. Leave empty to keep it');
    await edit.getByLabel('Connections per upstream').fill('32');
    await edit.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => page.getByRole('dialog').count(), WAIT).toBe(0);
    expect(await admin<{ max_connections: number; has_api_key: boolean }>(hub, 'GET', '/admin/v1/providers/fake')).toMatchObject({
      max_connections: 32,
      has_api_key: true,
    });
    for (const body of bodies) expect(body).not.toContain(UPSTREAM_KEY);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('shows a clear failure for an unreachable upstream, and the breaker open after failures', async () => {
    await admin(hub, 'POST', '/admin/v1/providers', { id: 'dead', type: 'openai', base_url: `http://127.0.0.1:${deadPort}` });
    await admin(hub, 'POST', '/admin/v1/models', { name: 'dead-chat', targets: [{ provider: 'dead', model: 'gone' }] });
    for (let attempt = 0; attempt < 2; attempt++) {
      const answer = await fetch(`${hub.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${tenantKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'dead-chat', messages: [{ role: 'user', content: 'hello' }] }),
      });
      expect(answer.status).toBe(502);
    }

    const { context, page, errors } = await newConsoleContext(browser, 'en');
    await signInAsAdmin(page, hub.url, hub.adminKey);
    await page.goto(`${hub.url}/console/providers`);
    const providers = page.getByRole('region', { name: 'All providers' });
    const row = providers.getByRole('row').filter({ hasText: 'dead' });
    await expect.poll(() => row.textContent(), WAIT).toContain('Ready Open 2 of 2 recent failed');
    await expect.poll(() => providers.getByRole('row').filter({ hasText: 'script' }).textContent(), WAIT).toContain('no traffic yet');
    const target = page.getByRole('region', { name: 'Routing targets and breakers' }).getByRole('row').filter({ hasText: 'dead/gone' });
    const targetText = (await target.textContent()) ?? '';
    expect(targetText).toContain('Open');
    expect(targetText).toContain('ECONNREFUSED');
    const healthy = page
      .getByRole('region', { name: 'Routing targets and breakers' })
      .getByRole('row')
      .filter({ hasText: 'script/scripted' });
    expect(await healthy.first().textContent()).toContain('Closed');

    await providers.getByRole('button', { name: 'Test the connection to dead' }).click();
    const log = page.getByRole('list', { name: 'Connection tests' });
    await expect
      .poll(() => log.locator('li[data-provider="dead"]').textContent(), WAIT)
      .toMatch(/^dead Failed No answer from the upstream for gone\. cannot reach upstream dead: ECONNREFUSED/);
    expect(await seriousAxeViolations(page)).toEqual([]);
    await screenshot(page, 'providers-breaker-en');

    // A provider in use cannot be deleted: the hub says why; once its model is gone, it can.
    await providers.getByRole('button', { name: 'Delete dead' }).click();
    const confirm = page.getByRole('dialog');
    expect(await confirm.textContent()).toContain('These models route to it: dead-chat.');
    await confirm.getByRole('button', { name: 'Delete' }).click();
    await expect.poll(() => confirm.getByRole('alert').textContent(), WAIT).toContain('Provider dead is a target of dead-chat');
    await confirm.getByRole('button', { name: 'Cancel' }).click();
    await page.getByRole('region', { name: 'All routed models' }).getByRole('button', { name: 'Delete dead-chat' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Delete' }).click();
    await expect
      .poll(() => page.getByRole('region', { name: 'All routed models' }).getByRole('row').filter({ hasText: 'dead-chat' }).count(), WAIT)
      .toBe(0);
    await providers.getByRole('button', { name: 'Delete dead' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Delete' }).click();
    await expect.poll(() => providers.getByRole('row').filter({ hasText: 'dead' }).count(), WAIT).toBe(0);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('renders in Chinese with no missing message and no serious accessibility violation', async () => {
    const { context, page, errors } = await newConsoleContext(browser, 'zh');
    await signInAsAdmin(page, hub.url, hub.adminKey);
    await page.goto(`${hub.url}/console/providers`);
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent(), WAIT).toBe('供应商与模型');
    const fakeRow = page.getByRole('region', { name: '全部供应商' }).getByRole('row').filter({ hasText: 'fake' });
    await expect.poll(() => fakeRow.textContent(), WAIT).toContain('已设置密钥');
    await expect.poll(() => fakeRow.textContent(), WAIT).toContain('闭合');
    await page.getByRole('button', { name: '添加模型' }).click();
    await expect.poll(() => page.getByRole('dialog').count(), WAIT).toBe(1);
    expect(await seriousAxeViolations(page)).toEqual([]);
    await screenshot(page, 'providers-model-dialog-zh');
    await page.keyboard.press('Escape');
    await expect.poll(() => page.getByRole('dialog').count(), WAIT).toBe(0);
    expect(await seriousAxeViolations(page)).toEqual([]);
    await screenshot(page, 'providers-zh');
    expect(await missingMessages(page)).toEqual([]);
    expect(errors).toEqual([]);
    await context.close();
  });
});
