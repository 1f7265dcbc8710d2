/**
 * The console's Runs page, in a real browser against a real hub: the tenant's runs listed with status badges
 * and the cost their ledger rows add up to, filtered by agent and status; a run's page follows it live — a run
 * paused for approval is approved there and goes on, the connection is dropped mid-run and picked up again
 * with `Last-Event-ID`, and its timeline and events end with every step and event once, none twice, none
 * missing; a waiting run is cancelled from its page.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { picosToUsd, usdToPicos } from '../../src/core/index.js';
import { call, createAgent, createPerson, type Json, SCRIPTED_CONFIG, waitFor } from '../inbox/inbox-support.js';
import {
  browserTestsUnavailable,
  launchChromium,
  missingMessages,
  newConsoleContext,
  screenshot,
  seriousAxeViolations,
  signIn,
} from '../support/browser.js';
import { createKey, createTenant, ledgerRows } from '../support/economy.js';
import { startTestHub, type TestHub } from '../support/hub.js';

/** How long a poll waits for the page: the hub and the browser share two busy cores. */
const WAIT = { timeout: 15_000 };

const unavailable = browserTestsUnavailable();
if (unavailable) console.warn(`console browser tests skipped: ${unavailable}`);

const PASSWORD = 'runs password 1';
const usd = (value: string): string => `$${value}`;
const sumUsd = (values: string[]): string => picosToUsd(values.reduce((sum, value) => sum + usdToPicos(value), 0n));

async function expectAccessible(page: Page, name: string): Promise<void> {
  expect(await seriousAxeViolations(page), `${name}: axe`).toEqual([]);
  await screenshot(page, name);
}

describe.skipIf(unavailable)('the Runs page', () => {
  let hub: TestHub;
  let browser: Browser;
  let serviceKey: string;
  let quickRun: string;
  let waitingRun: string;

  /** Starts a run in the background and waits until the hub says it stands in `status`. */
  async function startRun(agent: string, input: string, status: string): Promise<string> {
    const started = await call(hub, 'POST', `/v1/agents/${agent}/runs`, { input, background: true }, serviceKey);
    expect(started.status, JSON.stringify(started.body)).toBe(202);
    const id = String(started.body.id);
    await waitFor(`run ${id} ${status}`, async () => {
      const run = await call(hub, 'GET', `/v1/runs/${id}`, undefined, serviceKey);
      return run.body.status === status ? run : undefined;
    });
    return id;
  }

  beforeAll(async () => {
    [hub, browser] = await Promise.all([startTestHub(SCRIPTED_CONFIG), launchChromium()]);
    const tenantId = (await createTenant(hub, 'runs-page')).id;
    serviceKey = (await createKey(hub, { tenant_id: tenantId, scopes: ['agents:write', 'agents:run'] })).key;
    await createPerson(hub, tenantId, 'developer', 'dee@runs.test', PASSWORD);
    await createAgent(hub, serviceKey, { name: 'quick', tools: [{ type: 'builtin', name: 'calculator' }] });
    await createAgent(hub, serviceKey, { name: 'careful', tools: [{ type: 'builtin', name: 'calculator', approval: 'always' }] });
    hub.hub.scripted('script').setScript([
      { tool_calls: [{ name: 'calculator', arguments: { expression: '3 * 3' } }], usage: { input_tokens: 30, output_tokens: 6 } },
      { text: 'Nine.', usage: { input_tokens: 50, output_tokens: 2 } },
    ]);
    quickRun = await startRun('quick', 'What is 3 times 3?', 'completed');
    hub.hub.scripted('script').setScript([{ tool_calls: [{ id: 'call_wait', name: 'calculator', arguments: { expression: '1 + 1' } }] }]);
    waitingRun = await startRun('careful', 'Add one and one', 'waiting_approval');
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await hub?.close();
  });

  it('lists the runs with status badges and their ledger cost, filtered by agent and status', async () => {
    const { context, page, errors } = await newConsoleContext(browser, 'en');
    await signIn(page, hub.url, 'dee@runs.test', PASSWORD);
    await page.goto(`${hub.url}/console/runs`);
    const rows = page.locator('tbody tr:not([aria-hidden])');
    await expect.poll(() => rows.count(), WAIT).toBe(2);
    const quick = page.locator('tbody tr', { has: page.getByRole('link', { name: quickRun }) });
    const waiting = page.locator('tbody tr', { has: page.getByRole('link', { name: waitingRun }) });
    expect(await quick.locator('.run-status').textContent()).toBe('Completed');
    expect(await waiting.locator('.run-status').textContent()).toBe('Waiting for approval');
    const ledger = await ledgerRows(hub);
    for (const [row, id] of [
      [quick, quickRun],
      [waiting, waitingRun],
    ] as const) {
      expect(await row.locator('.run-cost').textContent()).toBe(
        usd(sumUsd(ledger.filter((entry) => entry.run_id === id).map((entry) => entry.cost_usd))),
      );
    }
    // 80 input tokens at $1 per million, 8 output tokens at $2 per million.
    expect(await quick.locator('.run-cost').textContent()).toBe('$0.000096');
    await expectAccessible(page, 'runs-list-en');

    await page.locator('select[name="status"]').selectOption('waiting_approval');
    await expect.poll(() => rows.count(), WAIT).toBe(1);
    expect(await rows.first().textContent()).toContain(waitingRun);
    await page.locator('select[name="status"]').selectOption('');
    await page.locator('select[name="agent"]').selectOption('quick');
    await expect.poll(() => page.url(), WAIT).toContain('agent=quick');
    await expect.poll(() => rows.count(), WAIT).toBe(1);
    expect(await rows.first().textContent()).toContain(quickRun);
    expect(errors).toEqual([]);
    await context.close();
  }, 120_000);

  it('follows a run live: approved on its page, dropped and picked up again, every step and event once', async () => {
    const { context, page, errors } = await newConsoleContext(browser, 'en');
    await signIn(page, hub.url, 'dee@runs.test', PASSWORD);
    // After the approval: the tool runs, then the model takes its time, so the run is live while the connection drops.
    hub.hub.scripted('script').setScript([{ text: 'It is two.', delay_ms: 8_000, usage: { input_tokens: 20, output_tokens: 4 } }]);
    await page.goto(`${hub.url}/console/runs/${waitingRun}`);
    await expect.poll(() => page.locator('.cards .run-status').textContent(), WAIT).toBe('Waiting for approval');
    await expect.poll(() => page.locator('.run-activity li').count(), WAIT).toBeGreaterThanOrEqual(5);
    await expectAccessible(page, 'runs-waiting-en');
    await page.getByRole('button', { name: 'Approve' }).click();

    // Live: the tool call appears while the run goes on.
    const activity = page.locator('.run-activity code');
    await expect.poll(() => activity.allTextContents(), { timeout: 20_000 }).toContain('tool.completed');
    await expect.poll(() => page.locator('.run-live').textContent(), WAIT).toMatch(/^Live/);
    expect(await page.locator('.cards .run-status').textContent()).toMatch(/Running|Queued/);
    const resumesBefore = Number(/picked up again (\d+) times/.exec((await page.locator('.run-live').textContent()) ?? '')?.[1] ?? 0);
    await screenshot(page, 'runs-live-en');

    // The connection drops mid-run; the page picks it up again after the last event it saw.
    hub.hub.app.server.closeAllConnections();
    await expect
      .poll(async () => Number(/picked up again (\d+) times/.exec((await page.locator('.run-live').textContent()) ?? '')?.[1] ?? 0), {
        timeout: 20_000,
      })
      .toBeGreaterThan(resumesBefore);
    await expect.poll(() => page.locator('.cards .run-status').textContent(), { timeout: 30_000 }).toBe('Completed');
    await expect.poll(() => page.locator('.run-output').textContent(), WAIT).toBe('It is two.');
    await expect.poll(() => page.locator('.run-live').textContent(), WAIT).toMatch(/^The run is over\./);

    // Every event once, in order, none missing: exactly the events the hub recorded.
    const recorded = await hub.hub.agents.runs.events.since(waitingRun, 0);
    await expect.poll(() => page.locator('.run-activity li').count(), WAIT).toBe(recorded.length);
    const seqs = await page.locator('.run-activity li').evaluateAll((items) => items.map((item) => Number(item.getAttribute('data-seq'))));
    expect(seqs).toEqual(recorded.map((event) => event.seq));
    expect(await activity.allTextContents()).toEqual(recorded.map((event) => event.type));
    expect(recorded.map((event) => event.type)).toEqual(expect.arrayContaining(['approval.decided', 'tool.completed', 'run.completed']));
    // Every step once: model call, tool call (its arguments and result), model call.
    const steps = page.locator('.run-timeline > li');
    expect(await steps.evaluateAll((items) => items.map((item) => Number(item.getAttribute('data-seq'))))).toEqual([1, 2, 3]);
    expect(await steps.nth(1).textContent()).toContain('"expression": "1 + 1"');
    expect(await steps.nth(1).locator('.run-result').textContent()).toBe('2');
    const ledger = (await ledgerRows(hub)).filter((row) => row.run_id === waitingRun);
    expect(await page.locator('.run-total-cost').textContent()).toBe(usd(sumUsd(ledger.map((row) => row.cost_usd))));
    await expectAccessible(page, 'runs-detail-en');
    expect(errors.filter((error) => !/network|Failed to fetch|ERR_/.test(error))).toEqual([]);
    await context.close();
  }, 180_000);

  it('cancels a run waiting for approval from its page', async () => {
    hub.hub.scripted('script').setScript([{ tool_calls: [{ id: 'call_cancel', name: 'calculator', arguments: { expression: '5 - 1' } }] }]);
    const id = await startRun('careful', 'Take one from five', 'waiting_approval');
    const { context, page, errors } = await newConsoleContext(browser, 'en');
    await signIn(page, hub.url, 'dee@runs.test', PASSWORD);
    await page.goto(`${hub.url}/console/runs/${id}`);
    await expect.poll(() => page.locator('.cards .run-status').textContent(), WAIT).toBe('Waiting for approval');
    await page.getByRole('button', { name: 'Cancel run' }).click();
    await expect.poll(() => page.locator('.cards .run-status').textContent(), WAIT).toBe('Cancelled');
    expect(await page.getByRole('button', { name: 'Cancel run' }).count()).toBe(0);
    const run: Json = (await call(hub, 'GET', `/v1/runs/${id}`, undefined, serviceKey)).body;
    expect(run.status).toBe('cancelled');
    expect(errors).toEqual([]);
    await context.close();
  }, 120_000);

  it('renders the list and a run in Simplified Chinese with no missing message', async () => {
    const { context, page, errors } = await newConsoleContext(browser, 'zh');
    await signIn(page, hub.url, 'dee@runs.test', PASSWORD);
    await page.goto(`${hub.url}/console/runs`);
    await expect.poll(() => page.locator('main h1').textContent(), WAIT).toBe('运行记录');
    await expect.poll(() => page.locator('tbody .run-status').allTextContents(), WAIT).toContain('已完成');
    await expectAccessible(page, 'runs-list-zh');
    await page.goto(`${hub.url}/console/runs/${quickRun}`);
    await expect.poll(() => page.locator('.cards .run-status').textContent(), WAIT).toBe('已完成');
    await expect.poll(() => page.locator('.run-timeline > li').count(), WAIT).toBe(3);
    await expect.poll(() => page.locator('.run-live').textContent(), WAIT).toBe('运行已结束。');
    await expectAccessible(page, 'runs-detail-zh');
    expect(await missingMessages(page)).toEqual([]);
    expect(errors).toEqual([]);
    await context.close();
  }, 120_000);
});
