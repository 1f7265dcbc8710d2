/**
 * The Playground, as a signed-in owner uses it, against a real hub with the scripted provider: the page
 * gets the person's own playground key, streams a reply, shows its cost exactly as the ledger has it for
 * that request, sends one prompt to two models side by side, and stops a slow reply.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatUsd } from '../../console/src/components/format.js';
import { createPerson } from '../inbox/inbox-support.js';
import {
  browserTestsUnavailable,
  launchChromium,
  missingMessages,
  newConsoleContext,
  screenshot,
  seriousAxeViolations,
  signIn,
} from '../support/browser.js';
import { createTenant, ledgerRow } from '../support/economy.js';
import { startTestHub, type TestHub } from '../support/hub.js';

const unavailable = browserTestsUnavailable();
if (unavailable) console.warn(`console browser tests skipped: ${unavailable}`);

/** How long a poll waits for the page (a loaded 2-core machine can take seconds); a bound, not a timing assertion. */
const WAIT = { timeout: 20_000 };

const PASSWORD = 'playground password 1';

/** The reply cost the page shows for the `index`-th reply of a pane, once the ledger row has come. */
async function shownCost(page: Page, pane: number, index = 0): Promise<{ requestId: string; costUsd: string; text: string }> {
  const cost = page.getByTestId(`pane-${pane}`).getByTestId('reply-cost').nth(index);
  await expect.poll(() => cost.getAttribute('data-state'), WAIT).toBe('ready');
  return {
    requestId: String(await cost.getAttribute('data-request-id')),
    costUsd: String(await cost.getAttribute('data-cost-usd')),
    text: String(await cost.textContent()),
  };
}

describe.skipIf(unavailable)('the Playground page', () => {
  let hub: TestHub;
  let browser: Browser;

  beforeAll(async () => {
    [hub, browser] = await Promise.all([
      startTestHub({
        providers: [{ id: 'script', type: 'scripted' }],
        models: [
          { name: 'scripted', targets: [{ provider: 'script', model: 'alpha' }], pricing: { input_per_mtok: 1, output_per_mtok: 2 } },
          {
            name: 'scripted-beta',
            targets: [{ provider: 'script', model: 'beta' }],
            pricing: { input_per_mtok: '3.5', output_per_mtok: '7.25' },
          },
        ],
      }),
      launchChromium(),
    ]);
    hub.hub.scripted('script').setScript([
      { when: { last_user_message_contains: 'slow' }, text: 'Too late.', delay_ms: 60_000, repeat: true },
      {
        when: { model: 'alpha' },
        text: 'Alpha says hello, one token at a time.',
        usage: { input_tokens: 1234, output_tokens: 567 },
        repeat: true,
      },
      { when: { model: 'beta' }, text: 'Beta answers as well.', usage: { input_tokens: 2001, output_tokens: 333 }, repeat: true },
    ]);
    const tenant = await createTenant(hub, 'playground-page');
    await createPerson(hub, tenant.id, 'owner', 'olga@play.test', PASSWORD);
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await hub?.close();
  });

  it('streams a reply and shows its cost as the ledger has it, then two models side by side', async () => {
    const { context, page, errors } = await newConsoleContext(browser, 'en');
    await signIn(page, hub.url, 'olga@play.test', PASSWORD);
    await page.goto(`${hub.url}/console/playground`);
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent(), WAIT).toBe('Playground');
    await expect.poll(() => page.getByLabel('Model 1').locator('option').allTextContents(), WAIT).toEqual(['scripted', 'scripted-beta']);
    const secret = await page.evaluate(() => {
      const storage = (
        globalThis as unknown as {
          sessionStorage: { length: number; key(index: number): string | null; getItem(name: string): string | null };
        }
      ).sessionStorage;
      for (let index = 0; index < storage.length; index++) {
        const name = storage.key(index);
        if (name?.startsWith('tokenhub.playground-key:')) return (JSON.parse(storage.getItem(name) ?? '{}') as { key: string }).key;
      }
      return '';
    });
    expect(secret.length).toBeGreaterThan(20);
    expect(await page.locator('body').textContent()).toContain('console playground');
    expect(await page.locator('body').textContent()).not.toContain(secret);

    await page.getByRole('textbox', { name: 'Prompt', exact: true }).fill('Say hello');
    await page.getByRole('textbox', { name: 'Prompt', exact: true }).press('Enter');
    const reply = page.getByTestId('pane-0').getByTestId('reply-text').first();
    await expect.poll(() => reply.textContent(), WAIT).toBe('Alpha says hello, one token at a time.');
    const first = await shownCost(page, 0);
    const row = await ledgerRow(hub, first.requestId);
    expect(row).toMatchObject({ model_served: 'scripted', prompt_tokens: 1234, completion_tokens: 567, stream: true });
    // 1234 × $1 + 567 × $2 per million tokens.
    expect(row.cost_usd).toMatch(/^0\.002368/);
    expect(first.costUsd).toBe(row.cost_usd);
    expect(first.text).toContain(`Cost ${formatUsd(row.cost_usd, 'en')}`);
    expect(first.text).toContain('1,234 prompt + 567 completion tokens');
    expect(await seriousAxeViolations(page)).toEqual([]);
    await screenshot(page, 'playground-en');

    await page.getByLabel('Compare two models side by side').check();
    await expect.poll(() => page.getByLabel('Model 2').inputValue(), WAIT).toBe('scripted-beta');
    await page.getByLabel('Prompt (sent to both models)').fill('Who are you?');
    await page.getByRole('button', { name: 'Send to both' }).click();
    await expect
      .poll(() => page.getByTestId('pane-0').getByTestId('reply-text').nth(1).textContent(), WAIT)
      .toBe('Alpha says hello, one token at a time.');
    await expect.poll(() => page.getByTestId('pane-1').getByTestId('reply-text').first().textContent(), WAIT).toBe('Beta answers as well.');
    const left = await shownCost(page, 0, 1);
    const right = await shownCost(page, 1);
    expect(left.requestId).not.toBe(right.requestId);
    const rightRow = await ledgerRow(hub, right.requestId);
    expect(rightRow).toMatchObject({ model_served: 'scripted-beta', prompt_tokens: 2001, completion_tokens: 333 });
    // 2001 × $3.5 + 333 × $7.25 per million tokens, exactly.
    expect(rightRow.cost_usd).toMatch(/^0\.00941775/);
    expect(right.costUsd).toBe(rightRow.cost_usd);
    expect(right.text).toContain(formatUsd(rightRow.cost_usd, 'en'));
    expect(left.costUsd).toBe((await ledgerRow(hub, left.requestId)).cost_usd);
    // The second turn carried the first exchange: the model saw the conversation.
    const calls = hub.hub.scripted('script').calls;
    const alphaCall = calls.filter((call) => call.request.model === 'alpha').at(-1);
    expect(alphaCall?.request.messages.map((message) => message.role)).toEqual(['user', 'assistant', 'user']);
    expect(await seriousAxeViolations(page)).toEqual([]);
    await screenshot(page, 'playground-compare-en');
    expect(errors).toEqual([]);
    await context.close();
  });

  it('stops a reply that is taking too long', async () => {
    const { context, page, errors } = await newConsoleContext(browser, 'en');
    await signIn(page, hub.url, 'olga@play.test', PASSWORD);
    await page.goto(`${hub.url}/console/playground`);
    await expect.poll(() => page.getByLabel('Model 1').locator('option').count(), WAIT).toBe(2);
    await page.getByRole('textbox', { name: 'Prompt', exact: true }).fill('a slow one please');
    await page.getByRole('button', { name: 'Send', exact: true }).click();
    await page.getByRole('button', { name: 'Stop' }).click();
    const pane = page.getByTestId('pane-0');
    await expect.poll(() => pane.getByTestId('reply').first().textContent(), WAIT).toContain('Stopped');
    await expect
      .poll(() => pane.getByTestId('reply-cost').first().textContent(), WAIT)
      .toBe('No cost shown: the reply was stopped before it started.');
    await expect.poll(() => page.getByRole('button', { name: 'Send', exact: true }).isVisible(), WAIT).toBe(true);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('renders in Chinese with no missing message and no serious accessibility violation', async () => {
    const { context, page, errors } = await newConsoleContext(browser, 'zh');
    await signIn(page, hub.url, 'olga@play.test', PASSWORD);
    await page.goto(`${hub.url}/console/playground`);
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent(), WAIT).toBe('调试台');
    await expect.poll(() => page.getByLabel('模型 1').locator('option').count(), WAIT).toBe(2);
    await page.getByLabel('并排比较两个模型').check();
    await page.getByLabel('提示词(同时发送给两个模型)').fill('你好');
    await page.getByRole('button', { name: '同时发送' }).click();
    await expect.poll(() => page.getByTestId('pane-1').getByTestId('reply-text').first().textContent(), WAIT).toBe('Beta answers as well.');
    const cost = await shownCost(page, 1);
    expect(cost.text).toContain(`费用 ${formatUsd(cost.costUsd, 'zh')}`);
    await shownCost(page, 0);
    expect(await seriousAxeViolations(page)).toEqual([]);
    await screenshot(page, 'playground-zh');
    expect(await missingMessages(page)).toEqual([]);
    expect(errors).toEqual([]);
    await context.close();
  });
});
