/**
 * Agents' markdown in the console's Inbox, in Chromium against a real hub with a scripted agent: the agent's
 * hand-off summary and its reply in the conversation render as GitHub-flavoured markdown (a table, emphasis, a
 * safe link that opens in a new tab without the opener), while a `javascript:` link, a relative link, an image
 * and raw HTML (`<img onerror>`) do nothing; a wide table scrolls inside its panel; the customer's own markdown
 * stays plain text.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, createAgent, createPerson, type Json, SCRIPTED_CONFIG, waitFor } from '../inbox/inbox-support.js';
import {
  browserTestsUnavailable,
  launchChromium,
  newConsoleContext,
  screenshot,
  seriousAxeViolations,
  signIn,
} from '../support/browser.js';
import { createKey, createTenant } from '../support/economy.js';
import { startTestHub, type TestHub } from '../support/hub.js';

const unavailable = browserTestsUnavailable();
if (unavailable) console.warn(`console browser tests skipped: ${unavailable}`);

const PASSWORD = 'markdown password 1';

const SUMMARY = [
  'Maria wants a **refund** for order [#42](https://shop.example/orders/42).',
  '',
  '| item | qty | price |',
  '|---|---:|---:|',
  '| Blue mug | 2 | $12.00 |',
  '| Saucer | 1 | $4.50 |',
  '',
  'Do not [run this](javascript:globalThis.__markdownPwned=1) or [go here](/console/keys).',
  '',
  '<img src="x" onerror="globalThis.__markdownPwned=2">',
  '',
  '![tracking pixel](https://tracker.example/pixel.png)',
  '',
  'Write to [support](mailto:help@shop.example).',
].join('\n');

const WIDE_COLUMNS = Array.from({ length: 14 }, (_, index) => `column_number_${index + 1}`);
const AGENT_REPLY = [
  'I checked your orders:',
  '',
  '- order `42`: *broken*',
  '',
  `| ${WIDE_COLUMNS.join(' | ')} |`,
  `|${WIDE_COLUMNS.map(() => '---').join('|')}|`,
  `| ${WIDE_COLUMNS.map((_, index) => `value_without_any_break_${index + 1}`).join(' | ')} |`,
].join('\n');

const CUSTOMER_TEXT = 'This is **urgent** [click](https://evil.example)\n| a | b |\n|---|---|\n| 1 | 2 |';

// The root tsconfig has no DOM types: what the page's callbacks touch is typed here.
interface PageWindow {
  __markdownPwned?: number;
  getComputedStyle(element: unknown): { textAlign: string };
  document: { documentElement: { scrollWidth: number; clientWidth: number } };
}

const pwned = (page: Page) => page.evaluate(() => (globalThis as unknown as PageWindow).__markdownPwned ?? null);

describe.skipIf(unavailable)('agents’ markdown in the Inbox', () => {
  let hub: TestHub;
  let browser: Browser;
  let serviceKey: string;
  let operatorKey: string;

  beforeAll(async () => {
    [hub, browser] = await Promise.all([startTestHub(SCRIPTED_CONFIG), launchChromium()]);
    const tenant = await createTenant(hub, 'markdown-desk');
    serviceKey = (await createKey(hub, { tenant_id: tenant.id, scopes: ['agents:write', 'agents:run'] })).key;
    operatorKey = (await createPerson(hub, tenant.id, 'operator', 'mark@desk.test', PASSWORD)).key;
    await createAgent(hub, serviceKey, { name: 'support', tools: [{ type: 'builtin', name: 'transfer_to_human' }] });
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await hub?.close();
  });

  it('renders the agent’s summary and reply as markdown, drops unsafe links and HTML, keeps the customer’s text plain', {
    timeout: 120_000,
  }, async () => {
    // The agent answers the first message in markdown, then hands the second one to a person.
    hub.hub
      .scripted('script')
      .setScript([
        { text: AGENT_REPLY },
        { tool_calls: [{ name: 'transfer_to_human', arguments: { summary: SUMMARY, reason: 'policy exception' } }] },
      ]);
    const thread = await call(hub, 'POST', '/v1/threads', {}, serviceKey);
    expect(thread.status, JSON.stringify(thread.body)).toBe(201);
    const threadId = String(thread.body.id);
    for (const content of ['Where is my order?', CUSTOMER_TEXT]) {
      const posted = await call(hub, 'POST', `/v1/threads/${threadId}/messages`, { agent: 'support', content }, serviceKey);
      expect(posted.status, JSON.stringify(posted.body)).toBe(200);
    }
    const task = await waitFor('the hand-off task', async () => {
      const open = await call(hub, 'GET', '/v1/inbox/tasks?kind=handoff&limit=100', undefined, operatorKey);
      return (open.body.data as Json[] | undefined)?.find((candidate) => candidate.thread_id === threadId);
    });
    // The hub keeps the agent's words as written; rendering is the console's business.
    expect(task.summary).toBe(SUMMARY);

    const { page, context, errors } = await newConsoleContext(browser);
    try {
      await signIn(page, hub.url, 'mark@desk.test', PASSWORD);
      await page.goto(`${hub.url}/console/inbox?task=${String(task.id)}`);
      const summary = page.locator('.summary-card .summary-text');
      await summary.locator('table').waitFor();

      // The table is a table, with its header, its rows and its right-aligned columns.
      expect(await summary.locator('th').allTextContents()).toEqual(['item', 'qty', 'price']);
      expect(await summary.locator('tbody tr').count()).toBe(2);
      expect(await summary.locator('tbody tr').first().locator('td').allTextContents()).toEqual(['Blue mug', '2', '$12.00']);
      expect(
        await summary
          .locator('tbody td')
          .nth(2)
          .evaluate((cell) => (globalThis as unknown as PageWindow).getComputedStyle(cell).textAlign),
      ).toBe('right');
      expect(await summary.locator('strong').textContent()).toBe('refund');
      expect(await summary.textContent()).not.toContain('|---');

      // The safe links work and open apart from the console.
      const orderLink = summary.getByRole('link', { name: '#42' });
      expect(await orderLink.getAttribute('href')).toBe('https://shop.example/orders/42');
      expect(await orderLink.getAttribute('target')).toBe('_blank');
      expect(await orderLink.getAttribute('rel')).toBe('noopener noreferrer');
      expect(await summary.getByRole('link', { name: 'support' }).getAttribute('href')).toBe('mailto:help@shop.example');

      // javascript: and relative links keep their words and lose their URL; clicking does nothing.
      expect(await summary.getByRole('link', { name: 'run this' }).count()).toBe(0);
      expect(await summary.getByRole('link', { name: 'go here' }).count()).toBe(0);
      const dropped = summary.locator('.markdown-dropped-link');
      expect(await dropped.allTextContents()).toEqual(['run this', 'go here']);
      await dropped.first().click();
      expect(await summary.locator('a[href^="javascript"], a[href^="/"]').count()).toBe(0);

      // Raw HTML is shown as text, never parsed: no <img>, no handler ran; the markdown image is not fetched.
      expect(await summary.locator('img').count()).toBe(0);
      expect(await summary.textContent()).toContain('<img src="x" onerror="globalThis.__markdownPwned=2">');
      const pixel = summary.getByRole('link', { name: 'tracking pixel' });
      expect(await pixel.getAttribute('href')).toBe('https://tracker.example/pixel.png');
      expect(await pwned(page)).toBeNull();

      // The agent's reply in the conversation is markdown too; its wide table scrolls inside its own box.
      const agentMessage = page.locator('.transcript .message.role-assistant .message-body');
      await agentMessage.locator('table').waitFor();
      expect(await agentMessage.locator('li code').textContent()).toBe('42');
      expect(await agentMessage.locator('li em').textContent()).toBe('broken');
      expect(await agentMessage.locator('th').count()).toBe(WIDE_COLUMNS.length);
      const scroller = agentMessage.locator('.markdown-table');
      const box = await scroller.evaluate((element) => {
        const measured = element as unknown as { scrollWidth: number; clientWidth: number };
        return { scroll: measured.scrollWidth, client: measured.clientWidth };
      });
      expect(box.scroll).toBeGreaterThan(box.client);
      const pageWidth = await page.evaluate(() => {
        const root = (globalThis as unknown as PageWindow).document.documentElement;
        return { scroll: root.scrollWidth, client: root.clientWidth };
      });
      expect(pageWidth.scroll).toBeLessThanOrEqual(pageWidth.client);

      // The customer's markdown is their plain words: no emphasis, link or table of theirs.
      const customer = page.locator('.transcript .message.role-user .message-body').filter({ hasText: 'urgent' });
      expect(await customer.textContent()).toBe(CUSTOMER_TEXT);
      expect(await customer.locator('strong, a, table').count()).toBe(0);

      expect(await seriousAxeViolations(page)).toEqual([]);
      await screenshot(page, 'inbox-markdown-en');
      expect(await pwned(page)).toBeNull();
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
