import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPerson } from '../inbox/inbox-support.js';
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
import { createTenant } from '../support/economy.js';
import { startTestHub, type TestHub } from '../support/hub.js';

const unavailable = browserTestsUnavailable();
if (unavailable) console.warn(`console browser tests skipped: ${unavailable}`);

describe.skipIf(unavailable)('signing in to the console', () => {
  let hub: TestHub;
  let browser: Browser;

  beforeAll(async () => {
    [hub, browser] = await Promise.all([startTestHub({}), launchChromium()]);
  }, 90_000);
  afterAll(async () => {
    await browser?.close();
    await hub?.close();
  });

  it('bootstraps the first owner with the admin key, who is then signed in as that owner', async () => {
    const { context, page, errors } = await newConsoleContext(browser);
    await page.goto(`${hub.url}/console/`);
    await page.waitForURL(/\/console\/login$/);
    expect(await seriousAxeViolations(page)).toEqual([]);
    await screenshot(page, 'login-en');
    await page.getByRole('button', { name: /Create the first owner/ }).click();
    await page.getByLabel('Admin key').fill(hub.adminKey);
    await page.getByLabel('Organisation name').fill('Acme');
    await page.getByLabel('Your name').fill('Ada Owner');
    await page.getByLabel('Email').fill('ada@acme.test');
    await page.getByLabel('Password').fill('correct horse battery');
    await page.getByRole('button', { name: 'Create owner and sign in' }).click();
    await page.waitForURL(/\/console\/overview$/);
    await expect.poll(() => page.locator('.topbar .who').textContent()).toContain('Ada Owner (Owner)');
    await expect.poll(() => page.getByRole('navigation').getByRole('link').count()).toBeGreaterThan(5);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('signs a person in with email and password, shows only what the role allows, and signs out', async () => {
    const tenant = await createTenant(hub, 'viewers');
    await createPerson(hub, tenant.id, 'operator', 'otto@viewers.test', 'operator password 1');
    const { context, page } = await newConsoleContext(browser);
    await signIn(page, hub.url, 'otto@viewers.test', 'operator password 1');
    // The navigation renders once the session is read: wait for it, then read it whole.
    await expect.poll(() => page.getByRole('navigation').getByRole('link').allTextContents()).toContain('Inbox');
    const links = await page.getByRole('navigation').getByRole('link').allTextContents();
    expect(links).not.toContain('Audit log');
    expect(links).not.toContain('Providers and models');
    await page.goto(`${hub.url}/console/audit`);
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Page not found');
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(/\/console\/login$/);
    const me = await page.evaluate(async () => (await fetch('/v1/me')).status);
    expect(me).toBe(401);
    await context.close();
  });

  it('refuses a wrong password and a key that is not the admin key with a message', async () => {
    const { context, page } = await newConsoleContext(browser);
    await page.goto(`${hub.url}/console/login`);
    await page.getByLabel('Email').fill('nobody@acme.test');
    await page.getByLabel('Password').fill('wrong password here');
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toMatch(/.+/);
    expect(page.url()).toMatch(/\/login$/);
    await context.close();
  });

  it('signs the hub admin in with the admin key, kept in that tab only', async () => {
    const { context, page } = await newConsoleContext(browser);
    await signInAsAdmin(page, hub.url, hub.adminKey);
    await expect.poll(() => page.locator('.topbar .who').textContent()).toContain('Hub admin');
    const links = await page.getByRole('navigation').getByRole('link').allTextContents();
    expect(links).toContain('Providers and models');
    expect(links).not.toContain('Inbox');
    const other = await context.newPage();
    await other.goto(`${hub.url}/console/overview`);
    await other.waitForURL(/\/console\/login$/);
    await context.close();
  });

  it('renders the sign-in page in Simplified Chinese with no missing message', async () => {
    const { context, page } = await newConsoleContext(browser, 'zh');
    await page.goto(`${hub.url}/console/login`);
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('登录 TokenHub');
    expect(
      await page.evaluate(
        () => (globalThis as unknown as { document: { documentElement: { lang: string } } }).document.documentElement.lang,
      ),
    ).toBe('zh-CN');
    expect(await missingMessages(page)).toEqual([]);
    expect(await seriousAxeViolations(page)).toEqual([]);
    await screenshot(page, 'login-zh');
    await context.close();
  });
});
