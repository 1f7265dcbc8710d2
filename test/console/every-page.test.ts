/**
 * Every console page, as an owner (person) and as the hub admin, in English and in Simplified Chinese:
 * it renders its heading, the Chinese locale has no missing message, axe-core finds no serious or critical
 * violation, the app logs no error, and a screenshot of each is kept (test-results/console/).
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
import { createTenant } from '../support/economy.js';
import { startTestHub, type TestHub } from '../support/hub.js';

const unavailable = browserTestsUnavailable();

const PERSON_PAGES = ['overview', 'keys', 'tenants', 'users', 'playground', 'requests', 'agents', 'runs', 'inbox', 'labour', 'audit'];
const ADMIN_PAGES = ['overview', 'keys', 'tenants', 'users', 'providers', 'requests', 'agents', 'labour', 'audit'];

async function visit(page: Page, url: string, name: string, errors: string[]): Promise<void> {
  // Not 'networkidle': the inbox keeps its live event stream open. Wait for the page's loading states to clear.
  await page.goto(url);
  await expect
    .poll(() => page.locator('main [role="status"]').count(), { timeout: 20_000 })
    .toBe(0)
    .catch(() => undefined);
  await expect.poll(() => page.locator('main h1').first().textContent(), { timeout: 15_000 }).toMatch(/\S/);
  expect(await page.locator('main h1').first().textContent(), `${name} is not the not-found page`).not.toMatch(/Page not found|页面不存在/);
  expect(await seriousAxeViolations(page), `${name}: axe`).toEqual([]);
  await screenshot(page, name);
  expect(errors, `${name}: console errors`).toEqual([]);
}

describe.skipIf(unavailable)('every console page', () => {
  let hub: TestHub;
  let browser: Browser;

  beforeAll(async () => {
    [hub, browser] = await Promise.all([startTestHub(SCRIPTED_CONFIG), launchChromium()]);
    const tenant = await createTenant(hub, 'every-page');
    await createPerson(hub, tenant.id, 'owner', 'owner@every.test', 'owner password 1');
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    await hub?.close();
  });

  for (const language of ['en', 'zh'] as const) {
    it(`renders every page an owner sees, in ${language}`, async () => {
      const { context, page, errors } = await newConsoleContext(browser, language);
      await signIn(page, hub.url, 'owner@every.test', 'owner password 1');
      for (const id of PERSON_PAGES) await visit(page, `${hub.url}/console/${id}`, `page-${id}-owner-${language}`, errors);
      expect(await missingMessages(page)).toEqual([]);
      await context.close();
    }, 240_000);

    it(`renders every page the hub admin sees, in ${language}`, async () => {
      const { context, page, errors } = await newConsoleContext(browser, language);
      await signInAsAdmin(page, hub.url, hub.adminKey);
      for (const id of ADMIN_PAGES) await visit(page, `${hub.url}/console/${id}`, `page-${id}-admin-${language}`, errors);
      expect(await missingMessages(page)).toEqual([]);
      await context.close();
    }, 240_000);
  }
});
