/**
 * The Audit log page on a real hub in a real browser: the key created earlier (by the hub admin, and by
 * the tenant's owner) is listed for the tenant's owner, with who did it; filters (action, actor, target)
 * narrow it with one audit call each and stay in the URL; an entry's detail shows what changed (a key's
 * rename as a diff); the hub admin sees every tenant's entries. Each view: no serious axe violation,
 * screenshots in English and Chinese, no missing message in Chinese.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CreatedKey, Tenant } from '../../src/admin/contract.js';
import { call, createPerson, type Person, SCRIPTED_CONFIG } from '../inbox/inbox-support.js';
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
import { admin, createKey, createTenant } from '../support/economy.js';
import { startTestHub, type TestHub } from '../support/hub.js';

const unavailable = browserTestsUnavailable();
if (unavailable) console.warn(`console browser tests skipped: ${unavailable}`);

const OWNER = { email: 'ava@acme.test', password: 'owner password 123' };

const eventually = <T>(probe: () => Promise<T> | T) => expect.poll(probe, { timeout: 20_000 });

async function expectCleanPage(page: Page, name: string): Promise<void> {
  expect(await seriousAxeViolations(page)).toEqual([]);
  expect(await missingMessages(page)).toEqual([]);
  await screenshot(page, name);
}

function auditCalls(page: Page, path: '/v1/audit' | '/admin/v1/audit'): string[] {
  const seen: string[] = [];
  page.on('request', (request) => {
    const url = new URL(request.url());
    if (url.pathname === path) seen.push(url.search);
  });
  return seen;
}

const shown = (page: Page) => page.getByRole('status').filter({ hasText: /Showing|已显示/ });
const row = (page: Page, text: string) => page.getByRole('row').filter({ hasText: text });

describe.skipIf(unavailable)('the Audit log page', () => {
  let hub: TestHub;
  let browser: Browser;
  let acme: Tenant;
  let owner: Person;
  let adminKey: CreatedKey;
  let ownerKeyId: string;

  beforeAll(async () => {
    [hub, browser] = await Promise.all([startTestHub(SCRIPTED_CONFIG), launchChromium()]);
    acme = await createTenant(hub, 'Acme');
    const other = await createTenant(hub, 'Umbrella');
    owner = await createPerson(hub, acme.id, 'owner', OWNER.email, OWNER.password);
    adminKey = await createKey(hub, { tenant_id: acme.id, name: 'made-by-admin' });
    await admin(hub, 'PATCH', `/admin/v1/keys/${adminKey.id}`, { name: 'renamed-by-admin' });
    await createKey(hub, { tenant_id: other.id, name: 'umbrella-key' });
    const created = await call(hub, 'POST', '/v1/keys', { name: 'made-by-owner' }, owner.key);
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    ownerKeyId = String(created.body.id);
  }, 240_000);
  afterAll(async () => {
    await browser?.close();
    await hub?.close();
  });

  it("shows the tenant's key creations, who made them, filters them, and one entry's change", async () => {
    const { context, page, errors } = await newConsoleContext(browser);
    await signIn(page, hub.url, OWNER.email, OWNER.password);
    const calls = auditCalls(page, '/v1/audit');
    await page.goto(`${hub.url}/console/audit`);
    await eventually(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Audit log');
    await eventually(() => row(page, adminKey.id).count()).toBe(2);
    expect(calls).toHaveLength(1);
    const byAdmin = await row(page, adminKey.id).filter({ hasText: 'key.create' }).textContent();
    expect(byAdmin).toMatch(/Hub admin \([0-9a-f]{12}\)/);
    expect(byAdmin).toContain('Done (201)');
    // People's names come from the users list, which may land after the page.
    await eventually(() => row(page, ownerKeyId).filter({ hasText: 'key.create' }).textContent()).toContain('ava');
    expect(await page.getByRole('table').textContent()).not.toContain('umbrella');
    await expectCleanPage(page, 'audit-en');

    // Filter by action and by who: one call each, kept in the URL.
    await page.getByLabel('Action').fill('key.create');
    await page.getByRole('button', { name: 'Apply' }).click();
    await eventually(() => shown(page).textContent()).toBe('Showing all 2 entries');
    expect(new URL(page.url()).searchParams.get('action')).toBe('key.create');
    expect(calls).toHaveLength(2);
    await page.getByLabel('Who').fill(`user:${owner.id}`);
    await page.getByRole('button', { name: 'Apply' }).click();
    await eventually(() => shown(page).textContent()).toBe('Showing all 1 entries');
    expect(await row(page, ownerKeyId).count()).toBe(1);
    expect(calls).toHaveLength(3);

    // By target: the admin's key, its creation and its rename; the rename's detail is a diff.
    await page.goto(`${hub.url}/console/audit?target_type=key&target_id=${adminKey.id}`);
    await eventually(() => shown(page).textContent()).toBe('Showing all 2 entries');
    await row(page, 'key.update').getByRole('button').click();
    const dialog = page.getByRole('dialog');
    await eventually(() => dialog.getByTestId('audit-diff').textContent()).toContain('+   "name": "renamed-by-admin"');
    expect(await dialog.getByTestId('audit-diff').textContent()).toContain('-   "name": "made-by-admin"');
    expect(await dialog.textContent()).toContain(`PATCH /admin/v1/keys/${adminKey.id}`);
    await expectCleanPage(page, 'audit-detail-en');
    expect(errors).toEqual([]);
    await context.close();
  });

  it("serves the hub admin every tenant's entries", async () => {
    const { context, page, errors } = await newConsoleContext(browser);
    await signInAsAdmin(page, hub.url, hub.adminKey);
    const calls = auditCalls(page, '/admin/v1/audit');
    await page.goto(`${hub.url}/console/audit?action=key.create`);
    await eventually(() => shown(page).textContent()).toBe('Showing all 3 entries');
    expect(await page.getByRole('table').textContent()).toContain(acme.id);
    expect(calls).toHaveLength(1);
    await page.getByLabel('Tenant').selectOption({ label: 'Acme' });
    await page.getByRole('button', { name: 'Apply' }).click();
    await eventually(() => shown(page).textContent()).toBe('Showing all 2 entries');
    await expectCleanPage(page, 'audit-admin-en');
    expect(errors).toEqual([]);
    await context.close();
  });

  it('reads in Chinese, every message translated', async () => {
    const { context, page, errors } = await newConsoleContext(browser, 'zh');
    await signIn(page, hub.url, OWNER.email, OWNER.password);
    await page.goto(`${hub.url}/console/audit`);
    await eventually(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('审计日志');
    await eventually(() => row(page, adminKey.id).count()).toBe(2);
    await expectCleanPage(page, 'audit-zh');
    await row(page, 'key.create').filter({ hasText: adminKey.id }).getByRole('button').click();
    await eventually(() => page.getByRole('dialog').getByTestId('audit-after').textContent()).toContain('made-by-admin');
    await expectCleanPage(page, 'audit-detail-zh');
    expect(errors).toEqual([]);
    await context.close();
  });
});
