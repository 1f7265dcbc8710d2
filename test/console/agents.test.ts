/**
 * The console's Agents page, in a real browser against a real hub: a developer creates an agent in the form,
 * edits it in YAML (a syntax error and the hub's 400 shown with their place and field; then version 2), reads
 * the line diff of the two versions (added and removed lines marked in words, not by colour alone), rolls back
 * to version 1, and starts a test run whose script calls a tool: the run's timeline (the model calls, the tool
 * call with its arguments and result) is followed live, and the run shows in the Runs list and on its own page
 * with the cost its ledger rows add up to. The hub admin reads a tenant's agents; a viewer only reads.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { picosToUsd, usdToPicos } from '../../src/core/index.js';
import { call, createPerson, type Json, SCRIPTED_CONFIG } from '../inbox/inbox-support.js';
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
import { createTenant, ledgerRows } from '../support/economy.js';
import { startTestHub, type TestHub } from '../support/hub.js';

/** How long a poll waits for the page: the hub and the browser share two busy cores. */
const WAIT = { timeout: 15_000 };

const unavailable = browserTestsUnavailable();
if (unavailable) console.warn(`console browser tests skipped: ${unavailable}`);

const PASSWORD = 'agents password 1';

/** How the console writes a decimal USD amount below $1,000 (`formatUsd`). */
const usd = (value: string): string => `$${value}`;
const sumUsd = (values: string[]): string => picosToUsd(values.reduce((sum, value) => sum + usdToPicos(value), 0n));

async function expectAccessible(page: Page, name: string): Promise<void> {
  expect(await seriousAxeViolations(page), `${name}: axe`).toEqual([]);
  await screenshot(page, name);
}

const yamlBox = (page: Page) => page.getByLabel('Definition (YAML)');

describe.skipIf(unavailable)('the Agents page', () => {
  let hub: TestHub;
  let browser: Browser;
  let tenantId: string;
  let developerKey: string;
  let runId: string;

  beforeAll(async () => {
    [hub, browser] = await Promise.all([startTestHub(SCRIPTED_CONFIG), launchChromium()]);
    tenantId = (await createTenant(hub, 'agents-page')).id;
    developerKey = (await createPerson(hub, tenantId, 'developer', 'dev@agents.test', PASSWORD)).key;
    await createPerson(hub, tenantId, 'viewer', 'vic@agents.test', PASSWORD);
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await hub?.close();
  });

  it('creates an agent in the form, edits it in YAML, shows the diff of the versions and rolls back', async () => {
    const { context, page, errors } = await newConsoleContext(browser, 'en');
    await signIn(page, hub.url, 'dev@agents.test', PASSWORD);
    await page.goto(`${hub.url}/console/agents`);
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent(), WAIT).toBe('Agents');
    await page.getByRole('link', { name: 'New agent' }).click();
    await page.waitForURL(/\/console\/agents\/new$/);
    await page.getByLabel('Name', { exact: true }).fill('helper');
    await page.getByLabel('Model', { exact: true }).fill('scripted');
    await page.getByLabel('Instructions').fill('You help with sums.');
    await page.getByLabel('Built-in tool').selectOption('calculator');
    await page.getByRole('button', { name: 'Add tool' }).click();
    await page.getByLabel('Model calls at most').fill('5');
    await expectAccessible(page, 'agents-form-en');
    await page.getByRole('button', { name: 'Create agent' }).click();
    await page.waitForURL(/\/console\/agents\/helper/);
    await expect.poll(() => page.locator('main').textContent(), WAIT).toContain('Serving version 1 of 1.');
    const created = await call(hub, 'GET', '/v1/agents/helper', undefined, developerKey);
    expect(created.body).toMatchObject({
      active_version: 1,
      model: 'scripted',
      instructions: 'You help with sums.',
      tools: [{ type: 'builtin', name: 'calculator' }],
      limits: { max_turns: 5 },
    });

    // YAML: a syntax error says where it is; the hub's 400 names the field; then a good change is version 2.
    await page.getByRole('tab', { name: 'Edit' }).click();
    await page.getByRole('radio', { name: 'YAML' }).check();
    const original = await yamlBox(page).inputValue();
    expect(original).toContain('instructions: You help with sums.');
    await yamlBox(page).fill('name: helper\nmodel: [scripted\n');
    await page.getByRole('button', { name: 'Save as a new version' }).click();
    await expect.poll(() => page.getByRole('alert').first().textContent(), WAIT).toMatch(/YAML error at line \d+/);
    await yamlBox(page).fill(original.replace('max_turns: 5', 'max_turns: 0'));
    await page.getByRole('button', { name: 'Save as a new version' }).click();
    await expect.poll(() => page.locator('.agent-save-error').textContent(), WAIT).toContain('Field: limits.max_turns');
    await expect.poll(() => page.getByRole('alert').first().textContent(), WAIT).toContain('Invalid limits.max_turns');
    await expectAccessible(page, 'agents-yaml-error-en');
    expect((await call(hub, 'GET', '/v1/agents/helper', undefined, developerKey)).body.latest_version).toBe(1);
    await yamlBox(page).fill(original.replace('You help with sums.', 'You help with sums, step by step.'));
    await page.getByRole('button', { name: 'Save as a new version' }).click();
    await expect
      .poll(() => page.getByRole('status').filter({ hasText: 'Saved as version' }).textContent(), WAIT)
      .toBe('Saved as version 2, now active.');

    // The diff of version 1 and version 2, line by line.
    await expect
      .poll(() => page.locator('.diff-summary').textContent(), WAIT)
      .toBe('From version 1 to version 2: lines added 1, lines removed 1.');
    expect(await page.locator('.diff del').allTextContents()).toEqual(['Removed: instructions: You help with sums.']);
    expect(await page.locator('.diff ins').allTextContents()).toEqual(['Added: instructions: You help with sums, step by step.']);
    expect(await page.locator('.diff-removed .diff-sign').textContent()).toBe('−');
    expect(await page.locator('.diff-added .diff-sign').textContent()).toBe('+');
    await expectAccessible(page, 'agents-diff-en');

    // Roll back to version 1: it is served again, version 2 stays.
    await page.getByRole('button', { name: 'Roll back to version 1' }).click();
    await expect.poll(() => page.locator('.agent-active-version').textContent(), WAIT).toBe('Version 1');
    await expect.poll(() => page.locator('main').textContent(), WAIT).toContain('Serving version 1 of 2.');
    const rolledBack = await call(hub, 'GET', '/v1/agents/helper', undefined, developerKey);
    expect(rolledBack.body).toMatchObject({ active_version: 1, latest_version: 2, instructions: 'You help with sums.' });
    expect(errors, 'console errors').toEqual([]);
    await context.close();
  }, 180_000);

  it('starts a test run whose script calls a tool, follows its timeline live, and finds it in the Runs list with its ledger cost', async () => {
    const { context, page, errors } = await newConsoleContext(browser, 'en');
    await signIn(page, hub.url, 'dev@agents.test', PASSWORD);
    hub.hub.scripted('script').setScript([
      { tool_calls: [{ name: 'calculator', arguments: { expression: '6 * 7' } }], usage: { input_tokens: 40, output_tokens: 7 } },
      { text: 'It is 42.', usage: { input_tokens: 60, output_tokens: 5 } },
    ]);
    await page.goto(`${hub.url}/console/agents/helper?tab=test`);
    await page.getByLabel('Message').fill('What is 6 times 7?');
    await page.getByRole('button', { name: 'Start test run' }).click();
    const result = page.locator('.agent-test-result');
    await expect.poll(() => result.locator('.run-status').first().textContent(), { timeout: 30_000 }).toBe('Completed');
    await expect.poll(() => result.locator('.run-output').textContent(), WAIT).toBe('It is 42.');
    await expect
      .poll(() => result.locator('.run-step h3').allTextContents(), WAIT)
      .toEqual(['Step 1 Model call · scripted', 'Step 2 Tool call · calculator', 'Step 3 Model call · scripted']);
    expect(JSON.parse((await result.locator('.run-step-tool pre').first().textContent()) ?? '{}')).toEqual({ expression: '6 * 7' });
    expect(await result.locator('.run-step-tool .run-result').textContent()).toBe('42');
    runId = (await result.locator('h3 a').textContent()) ?? '';
    expect(runId).toMatch(/^run_/);
    await expectAccessible(page, 'agents-test-run-en');

    const rows = (await ledgerRows(hub)).filter((row) => row.run_id === runId);
    expect(rows).toHaveLength(2);
    const total = sumUsd(rows.map((row) => row.cost_usd));
    expect(total).toBe('0.000124');

    // The Runs list: the run, its status and the cost its ledger rows add up to.
    await page.goto(`${hub.url}/console/runs`);
    const row = page.locator('tbody tr', { has: page.getByRole('link', { name: runId }) });
    await expect.poll(() => row.locator('.run-status').textContent(), WAIT).toBe('Completed');
    expect(await row.locator('.run-cost').textContent()).toBe(usd(total));
    expect(await row.textContent()).toContain('helper · v1');
    await expectAccessible(page, 'runs-list-after-test-run-en');

    // Its page: each model call with its own ledger row's tokens and cost, the tool call with its arguments and result.
    await row.getByRole('link', { name: runId }).click();
    await page.waitForURL(new RegExp(`/console/runs/${runId}$`));
    await expect.poll(() => page.locator('.run-total-cost').textContent(), WAIT).toBe(usd(total));
    const steps = page.locator('.run-timeline > li');
    await expect.poll(() => steps.count(), WAIT).toBe(3);
    for (const [index, seq] of [
      [0, 1],
      [2, 3],
    ] as const) {
      const ledger = rows.find((candidate) => candidate.client_request_id === `${runId}:${seq}`);
      expect(ledger, `ledger row of step ${seq}`).toBeDefined();
      const text = (await steps.nth(index).textContent()) ?? '';
      expect(text).toContain(`${ledger?.prompt_tokens} in / ${ledger?.completion_tokens} out`);
      expect(text).toContain(usd(ledger?.cost_usd ?? ''));
    }
    expect(await steps.nth(1).locator('.run-result').textContent()).toBe('42');
    expect(await steps.nth(1).textContent()).toContain('"expression": "6 * 7"');
    await expect.poll(() => page.locator('.run-live').textContent(), WAIT).toBe('The run is over.');
    await expectAccessible(page, 'runs-detail-test-run-en');
    expect(errors, 'console errors').toEqual([]);
    await context.close();
  }, 180_000);

  it('renders the agent views in Simplified Chinese with no missing message', async () => {
    const { context, page, errors } = await newConsoleContext(browser, 'zh');
    await signIn(page, hub.url, 'dev@agents.test', PASSWORD);
    for (const [path, name] of [
      ['agents', 'agents-list-zh'],
      ['agents/new', 'agents-form-zh'],
      ['agents/helper', 'agents-diff-zh'],
      ['agents/helper?tab=edit', 'agents-edit-zh'],
      ['agents/helper?tab=test', 'agents-test-run-zh'],
    ] as const) {
      await page.goto(`${hub.url}/console/${path}`);
      await expect.poll(() => page.locator('main h1').first().textContent(), WAIT).toMatch(/智能体|helper/);
      await page.waitForLoadState('networkidle');
      await expectAccessible(page, name);
    }
    await page.goto(`${hub.url}/console/agents/helper?tab=edit`);
    await page.getByRole('radio', { name: 'YAML' }).check();
    await expect.poll(() => page.getByLabel('定义（YAML）').inputValue(), WAIT).toContain('name: helper');
    await expectAccessible(page, 'agents-yaml-zh');
    expect(await page.locator('.diff-summary').count()).toBe(0);
    await page.goto(`${hub.url}/console/agents/helper`);
    await expect.poll(() => page.locator('.diff-summary').textContent(), WAIT).toBe('从第 1 版到第 2 版：新增 1 行，删除 1 行。');
    expect(await missingMessages(page)).toEqual([]);
    expect(errors, 'console errors').toEqual([]);
    await context.close();
  }, 120_000);

  it("shows the hub admin a tenant's agents and versions, with no test run", async () => {
    const { context, page, errors } = await newConsoleContext(browser, 'en');
    await signInAsAdmin(page, hub.url, hub.adminKey);
    await page.goto(`${hub.url}/console/agents?tenant=${tenantId}`);
    await expect.poll(() => page.locator('select[name="tenant"]').inputValue(), WAIT).toBe(tenantId);
    await page.getByRole('link', { name: 'helper' }).click();
    await page.waitForURL(/\/console\/agents\/helper\?tenant=/);
    await expect.poll(() => page.locator('.agent-versions tbody tr').count(), WAIT).toBe(2);
    expect(await page.getByRole('tab').allTextContents()).toEqual(['Versions', 'Edit']);
    await expectAccessible(page, 'agents-admin-en');
    expect(errors, 'console errors').toEqual([]);
    await context.close();
  }, 120_000);

  it('lets a viewer read an agent but not change or run it', async () => {
    const { context, page, errors } = await newConsoleContext(browser, 'en');
    await signIn(page, hub.url, 'vic@agents.test', PASSWORD);
    await page.goto(`${hub.url}/console/agents`);
    await expect.poll(() => page.getByRole('link', { name: 'helper' }).count(), WAIT).toBe(1);
    expect(await page.getByRole('link', { name: 'New agent' }).count()).toBe(0);
    await page.getByRole('link', { name: 'helper' }).click();
    await expect.poll(() => page.locator('.agent-versions tbody tr').count(), WAIT).toBe(2);
    expect(await page.getByRole('tab').allTextContents()).toEqual(['Versions']);
    expect(await page.getByRole('button', { name: /Roll back|Activate/ }).count()).toBe(0);
    const refused: Json = (
      await call(
        hub,
        'POST',
        '/v1/agents/helper/activate',
        { version: 2 },
        (
          await createPerson(hub, tenantId, 'viewer', 'vi2@agents.test')
        ).key,
      )
    ).body;
    expect((refused.error as Json | undefined)?.code).toBe('permission_denied');
    expect(errors, 'console errors').toEqual([]);
    await context.close();
  }, 120_000);
});
