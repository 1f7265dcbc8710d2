import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { defaultConsoleDir } from '../../src/gateway/console/console-routes.js';

/** Debian's chromium (`apt-get install -y chromium`); never a downloaded browser. */
export const CHROMIUM = process.env.TOKENHUB_CHROMIUM ?? '/usr/bin/chromium';
const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/** Why the console's browser tests cannot run here (no chromium, no console build), or null when they can. */
export function browserTestsUnavailable(): string | null {
  if (!existsSync(CHROMIUM)) return `no chromium at ${CHROMIUM} (apt-get install -y chromium)`;
  if (!defaultConsoleDir()) return 'the console is not built (npm run build:console)';
  return null;
}

export const launchChromium = (): Promise<Browser> => chromium.launch({ executablePath: CHROMIUM, args: FLAGS });

/** Where browser tests put their screenshots (kept as CI artifacts). */
export const SCREENSHOT_DIR = join(process.cwd(), 'test-results', 'console');

export async function screenshot(page: Page, name: string): Promise<string> {
  await mkdir(SCREENSHOT_DIR, { recursive: true });
  const path = join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/** A fresh browser context (its own cookies and storage) in `language`, with console errors collected. */
export async function newConsoleContext(
  browser: Browser,
  language: 'en' | 'zh' = 'en',
): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
  const context = await browser.newContext({ locale: language === 'zh' ? 'zh-CN' : 'en-US', viewport: { width: 1360, height: 900 } });
  await context.addInitScript(`localStorage.setItem('tokenhub.language', ${JSON.stringify(language)})`);
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('console', (message) => {
    // A refused API call (401 before sign-in, a 404 the page handles) is the page's business, not an error of the app.
    if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(String(error)));
  return { context, page, errors };
}

/** Signs in through the login form as a person with a password. */
export async function signIn(page: Page, hubUrl: string, email: string, password: string): Promise<void> {
  await page.goto(`${hubUrl}/console/login`);
  await page.locator('input[name="email"]').fill(email);
  await page.locator('input[name="password"]').fill(password);
  await page.locator('button[type="submit"]').click();
  await page.waitForURL((url) => !url.pathname.endsWith('/login'));
}

/** Signs in with the admin key (the hub admin's view). */
export async function signInAsAdmin(page: Page, hubUrl: string, adminKey: string): Promise<void> {
  await page.goto(`${hubUrl}/console/login`);
  await page
    .locator('.login-links button', { hasText: /admin key|管理密钥/ })
    .first()
    .click();
  await page.locator('input[name="adminKey"]').fill(adminKey);
  await page.locator('button[type="submit"]').click();
  await page.waitForURL((url) => !url.pathname.endsWith('/login'));
}

let axeSource: string | null = null;

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[] }[];
}

/** axe-core's serious and critical violations on the page as it is now. */
export async function seriousAxeViolations(page: Page): Promise<AxeViolation[]> {
  axeSource ??= await readFile(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
  // Injected through CDP-level evaluation, so the page's own CSP does not stop it.
  await page.evaluate(axeSource);
  // The callback runs in the page (the root tsconfig has no DOM types, hence the casts).
  const result = await page.evaluate(async () => {
    const page = globalThis as unknown as {
      axe: { run: (context: unknown, options: object) => Promise<{ violations: AxeViolation[] }> };
      document: unknown;
    };
    return page.axe.run(page.document, { resultTypes: ['violations'] });
  });
  return result.violations
    .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
    .map((violation) => ({
      id: violation.id,
      impact: violation.impact,
      help: violation.help,
      nodes: violation.nodes.map((node) => ({ target: node.target })),
    }));
}

/** Messages the console asked i18next for and the current language lacks (the app records them). */
export const missingMessages = (page: Page): Promise<string[]> =>
  page.evaluate(() => [...((globalThis as unknown as { __tokenhubMissingMessages?: string[] }).__tokenhubMissingMessages ?? [])]);
