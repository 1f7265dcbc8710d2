/**
 * The Keys page on a real hub in a real browser: a key created in the UI (by the hub admin, and by an
 * owner) works with the `openai` client with the secret read off the page, and stops working (401) once
 * revoked in the UI; its edit, detail (usage chart and budgets) and the viewer's read-only list; the create
 * dialog by keyboard. Each view: no serious axe violation, screenshots in English and Chinese, no missing
 * message.
 */
import OpenAI from 'openai';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiKey, Budget, ListResponse, Project, Tenant } from '../../src/admin/contract.js';
import { createPerson, SCRIPTED_CONFIG } from '../inbox/inbox-support.js';
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
import { admin, createTenant } from '../support/economy.js';
import { startTestHub, type TestHub } from '../support/hub.js';

const unavailable = browserTestsUnavailable();
if (unavailable) console.warn(`console browser tests skipped: ${unavailable}`);

const OWNER = { email: 'olive@acme.test', password: 'owner password 123' };
const VIEWER = { email: 'vic@acme.test', password: 'viewer password 1' };

const eventually = <T>(probe: () => Promise<T> | T) => expect.poll(probe, { timeout: 20_000 });
const dialog = (page: Page) => page.getByRole('dialog');

async function expectCleanPage(page: Page, name: string): Promise<void> {
  expect(await seriousAxeViolations(page)).toEqual([]);
  expect(await missingMessages(page)).toEqual([]);
  await screenshot(page, name);
}

/** The HTTP status of one chat completion with `key` (200 when it works). */
async function chatStatus(hub: TestHub, key: string): Promise<number> {
  const client = new OpenAI({ apiKey: key, baseURL: hub.openaiBaseUrl, maxRetries: 0 });
  try {
    const completion = await client.chat.completions.create({ model: 'scripted', messages: [{ role: 'user', content: 'ping' }] });
    expect(completion.choices[0]?.message.content).toBe('pong');
    return 200;
  } catch (error) {
    if (error instanceof OpenAI.APIError && error.status !== undefined) return error.status;
    throw error;
  }
}

/** Fills and submits the create dialog; returns the secret the page shows once. */
async function createKeyInUi(
  page: Page,
  fields: { name: string; project?: string; models?: string[]; rpm?: string; budgetUsd?: string },
): Promise<string> {
  await page.getByRole('button', { name: 'Create key' }).click();
  const form = dialog(page);
  await form.getByLabel('Name', { exact: true }).fill(fields.name);
  if (fields.project) await form.getByLabel('Project').selectOption({ label: fields.project });
  for (const model of fields.models ?? []) {
    await form.getByLabel('Model name').fill(model);
    await form.getByLabel('Model name').press('Enter');
  }
  if (fields.rpm) await form.getByLabel('Requests per minute').fill(fields.rpm);
  if (fields.budgetUsd) {
    await form.getByLabel('Limit (USD)').fill(fields.budgetUsd);
    await form.getByLabel('Period').selectOption('month');
  }
  await form.getByRole('button', { name: 'Create key' }).click();
  await eventually(() => form.getByTestId('secret').count()).toBe(1);
  return String(await form.getByTestId('secret').textContent());
}

async function revokeInUi(page: Page, keyName: string): Promise<void> {
  await page.getByRole('row').filter({ hasText: keyName }).getByRole('button', { name: 'Revoke' }).click();
  await eventually(() => dialog(page).textContent()).toContain('cannot be undone');
  await dialog(page).getByRole('button', { name: 'Revoke key' }).click();
  await eventually(() => dialog(page).count()).toBe(0);
}

describe.skipIf(unavailable)('the Keys page', () => {
  let hub: TestHub;
  let browser: Browser;
  let acme: Tenant;

  beforeAll(async () => {
    [hub, browser] = await Promise.all([startTestHub(SCRIPTED_CONFIG), launchChromium()]);
    hub.hub.scripted('script').setScript([{ text: 'pong', repeat: true }]);
    await createTenant(hub, 'Umbrella');
    acme = await createTenant(hub, 'Acme');
    await admin<Project>(hub, 'POST', '/admin/v1/projects', { tenant_id: acme.id, name: 'web' });
    await createPerson(hub, acme.id, 'owner', OWNER.email, OWNER.password);
    await createPerson(hub, acme.id, 'viewer', VIEWER.email, VIEWER.password);
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    await hub?.close();
  });

  it('lets the hub admin create a key for a tenant, which works until it is revoked in the UI', async () => {
    const { context, page, errors } = await newConsoleContext(browser);
    await signInAsAdmin(page, hub.url, hub.adminKey);
    await page.goto(`${hub.url}/console/keys`);
    await eventually(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Keys');
    await page.locator('select[name="tenant"]').selectOption({ label: 'Acme' });
    await eventually(() => page.getByRole('status').filter({ hasText: 'Showing' }).textContent()).toMatch(/^Showing \d+ of \d+ keys$/);

    const secret = await createKeyInUi(page, {
      name: 'ci-admin',
      project: 'web',
      models: ['scripted', 'gpt-4o*'],
      rpm: '60',
      budgetUsd: '5.25',
    });
    expect(secret).toMatch(/^thk_/);
    expect(await dialog(page).textContent()).toContain("you won't see it again");
    expect(await dialog(page).textContent()).toContain('$5.25 per month');
    await expectCleanPage(page, 'keys-admin-created-en');
    await dialog(page).getByRole('button', { name: 'Done, I have copied it' }).click();

    // What the hub stored is what the form said; the budget's limit is the exact decimal typed.
    const keys = await admin<ListResponse<ApiKey>>(hub, 'GET', `/admin/v1/keys?tenant_id=${acme.id}`);
    const stored = keys.data.find((key) => key.name === 'ci-admin') as ApiKey;
    expect(stored).toMatchObject({ models: ['scripted', 'gpt-4o*'], rate_limits: { rpm: 60 }, scopes: ['inference'] });
    const budgets = await admin<ListResponse<Budget>>(hub, 'GET', `/admin/v1/budgets?key_id=${stored.id}`);
    expect(budgets.data.map((budget) => [budget.limit_usd, budget.period])).toEqual([['5.25', 'month']]);
    expect(secret.startsWith(stored.key_prefix)).toBe(true);

    const row = page.getByRole('row').filter({ hasText: 'ci-admin' });
    await eventually(() => row.count()).toBe(1);
    expect(await row.textContent()).toContain('web');
    expect(await row.textContent()).toContain('60 req/min');
    expect(await row.textContent()).toContain('Service key');
    await expectCleanPage(page, 'keys-admin-en');

    expect(await chatStatus(hub, secret)).toBe(200);
    await hub.hub.economy.flush();

    // The key's page: its usage by day and its budget.
    await row.getByRole('link', { name: 'ci-admin' }).click();
    await eventually(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Key ci-admin');
    const usage = page.getByRole('region', { name: 'Usage by day' });
    await eventually(() => usage.getByRole('img', { name: 'Prompt and completion tokens per day of this key' }).count()).toBe(1);
    const today = new Date().toISOString().slice(0, 10);
    await eventually(() => usage.getByRole('row').filter({ hasText: today }).count()).toBe(1);
    expect(await usage.getByRole('row').filter({ hasText: today }).getByRole('cell').nth(1).textContent()).toBe('1');
    const budgetSection = page.getByRole('region', { name: 'Budgets' });
    await eventually(() => budgetSection.getByRole('cell', { name: '$5.25' }).count()).toBe(1);
    await expectCleanPage(page, 'keys-admin-detail-en');

    await page.getByRole('link', { name: '← All keys' }).click();
    await eventually(() => page.locator('select[name="tenant"]').inputValue()).toBe(acme.id);
    await revokeInUi(page, 'ci-admin');
    expect(await chatStatus(hub, secret)).toBe(401);
    // Revoked keys leave the default (active) list and show under Revoked.
    await eventually(() => page.getByRole('row').filter({ hasText: 'ci-admin' }).count()).toBe(0);
    await page.getByLabel('Status').selectOption('revoked');
    await eventually(() => page.getByRole('row').filter({ hasText: 'ci-admin' }).getByText('Revoked', { exact: true }).count()).toBe(1);
    expect(errors).toEqual([]);
    await context.close();
  }, 180_000);

  it('lets an owner create a key, edit it, and revoke it, after which the same call is a 401', async () => {
    const { context, page, errors } = await newConsoleContext(browser);
    await signIn(page, hub.url, OWNER.email, OWNER.password);
    await page.goto(`${hub.url}/console/keys`);
    // A person works in their own tenant: no picker.
    await eventually(() => page.getByRole('status').filter({ hasText: 'Showing' }).count()).toBe(1);
    expect(await page.locator('select[name="tenant"]').count()).toBe(0);
    const secret = await createKeyInUi(page, { name: 'owner-app', models: ['scripted'] });
    await dialog(page).getByRole('button', { name: 'Done, I have copied it' }).click();
    expect(await chatStatus(hub, secret)).toBe(200);
    await hub.hub.economy.flush();

    // The key's page through the tenant routes: today's request in its usage.
    const row = page.getByRole('row').filter({ hasText: 'owner-app' });
    await row.getByRole('link', { name: 'owner-app' }).click();
    const usage = page.getByRole('region', { name: 'Usage by day' });
    const today = new Date().toISOString().slice(0, 10);
    await eventually(() => usage.getByRole('row').filter({ hasText: today }).count()).toBe(1);
    expect(await usage.getByRole('row').filter({ hasText: today }).getByRole('cell').nth(1).textContent()).toBe('1');
    await expectCleanPage(page, 'keys-owner-detail-en');
    await page.getByRole('link', { name: '← All keys' }).click();

    // Editing: another model list and a concurrency limit.
    await row.getByRole('button', { name: 'Edit' }).click();
    await dialog(page).getByRole('button', { name: 'Remove scripted' }).click();
    await dialog(page).getByLabel('Model name').fill('other-model');
    await dialog(page).getByLabel('Requests at once').fill('3');
    await dialog(page).getByRole('button', { name: 'Save' }).click();
    await eventually(() => row.textContent()).toContain('3 at once');
    const keys = await admin<ListResponse<ApiKey>>(hub, 'GET', `/admin/v1/keys?tenant_id=${acme.id}`);
    expect(keys.data.find((key) => key.name === 'owner-app')).toMatchObject({
      models: ['other-model'],
      rate_limits: { max_concurrency: 3 },
    });
    // The model list now refuses the scripted model.
    expect(await chatStatus(hub, secret)).not.toBe(200);

    // A budget that is not an amount: the hub's 400 names the field in the dialog, and no key is made.
    const before = (await admin<ListResponse<ApiKey>>(hub, 'GET', `/admin/v1/keys?tenant_id=${acme.id}`)).data.length;
    await page.getByRole('button', { name: 'Create key' }).click();
    await dialog(page).getByLabel('Name', { exact: true }).fill('bad-budget');
    await dialog(page).getByLabel('Limit (USD)').fill('12.3.4');
    await dialog(page).getByRole('button', { name: 'Create key' }).click();
    await eventually(() => dialog(page).getByRole('alert').textContent()).toContain('budget.limit_usd');
    await page.keyboard.press('Escape');
    expect((await admin<ListResponse<ApiKey>>(hub, 'GET', `/admin/v1/keys?tenant_id=${acme.id}`)).data).toHaveLength(before);

    await revokeInUi(page, 'owner-app');
    expect(await chatStatus(hub, secret)).toBe(401);
    await expectCleanPage(page, 'keys-owner-en');
    expect(errors).toEqual([]);
    await context.close();
  }, 180_000);

  it('shows a viewer the keys with no Create, Edit or Revoke, and the hub refuses their POST /v1/keys', async () => {
    await admin(hub, 'POST', '/admin/v1/keys', { tenant_id: acme.id, name: 'shown-to-viewer' });
    const { context, page, errors } = await newConsoleContext(browser);
    await signIn(page, hub.url, VIEWER.email, VIEWER.password);
    await page.goto(`${hub.url}/console/keys`);
    await eventually(() => page.getByRole('row').filter({ hasText: 'shown-to-viewer' }).count()).toBe(1);
    for (const name of ['Create key', 'Edit', 'Revoke']) expect(await page.getByRole('button', { name }).count()).toBe(0);
    const refused = await page.evaluate(async () => {
      const storage = (globalThis as unknown as { localStorage: { getItem: (key: string) => string | null } }).localStorage;
      const response = await fetch('/v1/keys', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-csrf-token': storage.getItem('tokenhub.csrf') ?? '' },
        body: JSON.stringify({ name: 'sneaky' }),
      });
      return { status: response.status, body: (await response.json()) as { error?: { code?: string } } };
    });
    expect(refused.status).toBe(403);
    expect(refused.body.error?.code).toBe('permission_denied');
    const keys = await admin<ListResponse<ApiKey>>(hub, 'GET', `/admin/v1/keys?tenant_id=${acme.id}`);
    expect(keys.data.some((key) => key.name === 'sneaky')).toBe(false);
    await expectCleanPage(page, 'keys-viewer-en');
    expect(errors).toEqual([]);
    await context.close();
  }, 180_000);

  it('opens the create dialog by keyboard, keeps Tab inside it, and closes it with Escape', async () => {
    const { context, page } = await newConsoleContext(browser);
    await signIn(page, hub.url, OWNER.email, OWNER.password);
    await page.goto(`${hub.url}/console/keys`);
    const create = page.getByRole('button', { name: 'Create key' });
    await create.focus();
    await page.keyboard.press('Enter');
    await eventually(() => dialog(page).count()).toBe(1);
    const focusInDialog = () =>
      page.evaluate(() => {
        const document = (globalThis as unknown as { document: { activeElement: { closest: (selector: string) => unknown } | null } })
          .document;
        return document.activeElement?.closest('[role="dialog"]') != null;
      });
    await eventually(focusInDialog).toBe(true);
    const seen = new Set<string>();
    for (let step = 0; step < 25; step++) {
      await page.keyboard.press('Tab');
      expect(await focusInDialog()).toBe(true);
      seen.add(
        await page.evaluate(() => {
          const active = (
            globalThis as unknown as {
              document: {
                activeElement: { tagName: string; textContent: string | null; getAttribute: (name: string) => string | null } | null;
              };
            }
          ).document.activeElement;
          return `${active?.tagName}:${active?.getAttribute('name') ?? active?.textContent ?? ''}`;
        }),
      );
    }
    // Tab reached the fields and the buttons of the form.
    expect([...seen].some((entry) => entry === 'INPUT:name')).toBe(true);
    expect([...seen].some((entry) => entry.startsWith('BUTTON:') && entry.includes('Cancel'))).toBe(true);
    await page.keyboard.press('Escape');
    await eventually(() => dialog(page).count()).toBe(0);
    await eventually(() =>
      create.evaluate((element) => element === (globalThis as unknown as { document: { activeElement: unknown } }).document.activeElement),
    ).toBe(true);
    await context.close();
  }, 180_000);

  it('renders the list, the create dialog, a new secret and a key page in Simplified Chinese with no missing message', async () => {
    const { context, page, errors } = await newConsoleContext(browser, 'zh');
    await signIn(page, hub.url, OWNER.email, OWNER.password);
    await page.goto(`${hub.url}/console/keys`);
    await eventually(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('密钥');
    await eventually(() => page.getByRole('row').filter({ hasText: 'shown-to-viewer' }).count()).toBe(1);
    await expectCleanPage(page, 'keys-owner-zh');
    await page.getByRole('button', { name: '创建密钥' }).click();
    await dialog(page).getByLabel('名称', { exact: true }).fill('中文密钥');
    await expectCleanPage(page, 'keys-create-dialog-zh');
    await dialog(page).getByRole('button', { name: '创建密钥' }).click();
    await eventually(() => dialog(page).getByTestId('secret').count()).toBe(1);
    expect(await dialog(page).textContent()).toContain('之后将无法再次查看');
    await expectCleanPage(page, 'keys-created-zh');
    await dialog(page).getByRole('button', { name: '完成，我已复制' }).click();
    await page.getByRole('link', { name: '中文密钥' }).click();
    await eventually(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('密钥 中文密钥');
    await eventually(() => page.getByRole('region', { name: '预算' }).getByText('此密钥没有预算。').count()).toBe(1);
    await expectCleanPage(page, 'keys-detail-zh');
    expect(errors).toEqual([]);
    await context.close();

    const adminView = await newConsoleContext(browser, 'zh');
    await signInAsAdmin(adminView.page, hub.url, hub.adminKey);
    await adminView.page.goto(`${hub.url}/console/keys?tenant=${acme.id}`);
    await eventually(() => adminView.page.getByRole('row').filter({ hasText: '中文密钥' }).count()).toBe(1);
    await expectCleanPage(adminView.page, 'keys-admin-zh');
    await adminView.context.close();
  }, 180_000);
});
