/**
 * The console's Inbox, in a real browser against a real hub with a scripted agent: a hand-off appears live
 * on an operator's open page, is claimed (by keyboard), read and answered — the customer's thread holds the
 * reply — while a second operator sees it held and is refused the claim (409 shown, never two holders); an
 * approval is approved from its card and the run resumes; hand back with a note, resolve; a viewer reads
 * the inbox with no action; the page in Chinese misses no message.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, createAgent, createPerson, handOff, type Json, SCRIPTED_CONFIG, taskDetail, waitFor } from '../inbox/inbox-support.js';
import {
  browserTestsUnavailable,
  launchChromium,
  missingMessages,
  newConsoleContext,
  screenshot,
  seriousAxeViolations,
  signIn,
} from '../support/browser.js';
import { createKey, createTenant } from '../support/economy.js';
import { startTestHub, type TestHub } from '../support/hub.js';

const unavailable = browserTestsUnavailable();
if (unavailable) console.warn(`console browser tests skipped: ${unavailable}`);

const PASSWORD = 'inbox password 1';

/** The inbox page, signed in as `email`, with its live stream connected. */
async function openInbox(page: Page, hub: TestHub, email: string, query = ''): Promise<void> {
  await signIn(page, hub.url, email, PASSWORD);
  await page.goto(`${hub.url}/console/inbox${query}`);
  await page.locator('.page-header .badge.ok').waitFor();
}

const listItem = (page: Page, taskId: string) => page.locator(`.inbox-list button[data-task-id="${taskId}"]`);
const holder = (page: Page) => page.locator('.conversation .holder');

describe.skipIf(unavailable)('the Inbox page', () => {
  let hub: TestHub;
  let browser: Browser;
  let serviceKey: string;
  let olga: { id: string; key: string };
  let oscar: { id: string; key: string };

  beforeAll(async () => {
    [hub, browser] = await Promise.all([startTestHub(SCRIPTED_CONFIG), launchChromium()]);
    const tenant = await createTenant(hub, 'help-desk');
    serviceKey = (await createKey(hub, { tenant_id: tenant.id, scopes: ['agents:write', 'agents:run'] })).key;
    olga = await createPerson(hub, tenant.id, 'operator', 'olga@desk.test', PASSWORD);
    oscar = await createPerson(hub, tenant.id, 'operator', 'oscar@desk.test', PASSWORD);
    await createPerson(hub, tenant.id, 'viewer', 'vera@desk.test', PASSWORD);
    await createAgent(hub, serviceKey, {
      name: 'support',
      tools: [
        { type: 'builtin', name: 'transfer_to_human' },
        { type: 'builtin', name: 'calculator' },
      ],
      escalation: { queue: 'returns', priority: 'high' },
    });
    await createAgent(hub, serviceKey, { name: 'careful', tools: [{ type: 'builtin', name: 'calculator', approval: 'always' }] });
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await hub?.close();
  });

  it('shows a hand-off live, gives it to one operator, and delivers her reply to the customer', { timeout: 120_000 }, async () => {
    const first = await newConsoleContext(browser);
    const second = await newConsoleContext(browser);
    try {
      await openInbox(first.page, hub, 'olga@desk.test');
      // Created after the page loaded: it arrives through the live stream, with the counts.
      const { threadId, taskId } = await handOff(hub, {
        serviceKey,
        reader: olga.key,
        agent: 'support',
        summary: 'Maria wants a refund for a broken mug.',
      });
      await listItem(first.page, taskId).waitFor();
      await expect.poll(() => listItem(first.page, taskId).textContent()).toContain('Maria wants a refund for a broken mug.');
      await expect.poll(() => listItem(first.page, taskId).textContent()).toMatch(/SLA (\d+:)?\d\d:\d\d left/);
      await expect.poll(() => first.page.getByRole('button', { name: /^Unassigned/ }).textContent()).toMatch(/1$/);

      // j moves to the task, Enter opens it, c claims it.
      await first.page.locator('body').press('j');
      await expect
        .poll(() =>
          first.page.evaluate(() =>
            (
              globalThis as unknown as { document: { activeElement: { getAttribute(name: string): string | null } } }
            ).document.activeElement.getAttribute('data-task-id'),
          ),
        )
        .toBe(taskId);
      await first.page.keyboard.press('Enter');
      await expect.poll(() => first.page.locator('.summary-card').textContent()).toContain('Maria wants a refund for a broken mug.');
      await expect.poll(() => first.page.locator('.transcript').textContent()).toContain('My order arrived broken');
      await first.page.locator('body').press('c');
      await expect.poll(() => holder(first.page).textContent()).toContain('You hold this task');
      await expect.poll(() => first.page.getByRole('button', { name: /^Mine/ }).textContent()).toMatch(/1$/);

      // The second operator sees it held; their claim is refused and says so.
      await openInbox(second.page, hub, 'oscar@desk.test', `?task=${taskId}`);
      await expect.poll(() => holder(second.page).textContent()).toContain('Held by olga');
      expect(await second.page.getByLabel('Reply to the customer').isDisabled()).toBe(true);
      await second.page.getByRole('button', { name: 'Claim', exact: true }).click();
      await expect.poll(() => second.page.locator('.conversation .inbox-error').textContent()).toContain('Someone else holds this task');
      await expect.poll(() => second.page.locator('.conversation .inbox-error').textContent()).toContain('409');
      const held = await taskDetail(hub, taskId, olga.key);
      expect(held).toMatchObject({ status: 'claimed', assignee: olga.id });
      expect((held.events as Json[]).filter((event) => event.type === 'task.claimed')).toHaveLength(1);

      // r focuses the reply; the reply reaches the customer's thread, and the other screen, live.
      await first.page.locator('body').press('r');
      await first.page.keyboard.type('Hi Maria, I can refund the mug as an exception.');
      await first.page.getByRole('button', { name: 'Send reply' }).click();
      await expect.poll(() => first.page.locator('.reply-box [role="status"]').textContent()).toBe('Sent.');
      const thread = await waitFor('the reply in the thread', async () => {
        const messages = await call(hub, 'GET', `/v1/threads/${threadId}/messages`, undefined, serviceKey);
        const found = (messages.body.data as Json[] | undefined)?.find((message) => message.role === 'human');
        return found;
      });
      expect(thread).toMatchObject({ role: 'human', author: 'olga', content: 'Hi Maria, I can refund the mug as an exception.' });
      await expect.poll(() => first.page.locator('.transcript').textContent()).toContain('Hi Maria, I can refund the mug as an exception.');
      await expect
        .poll(() => second.page.locator('.transcript').textContent())
        .toContain('Hi Maria, I can refund the mug as an exception.');
      // A customer message joins the open conversation live.
      const customer = await call(
        hub,
        'POST',
        `/v1/threads/${threadId}/messages`,
        { agent: 'support', content: 'Thank you, that works for me.' },
        serviceKey,
      );
      expect(customer.status, JSON.stringify(customer.body)).toBe(200);
      await expect.poll(() => first.page.locator('.transcript').textContent()).toContain('Thank you, that works for me.');

      // The run's steps are on the right: the model call that handed off, its tool call.
      await expect.poll(() => first.page.locator('.steps').textContent()).toContain('transfer_to_human');
      // The shortcuts are documented.
      await first.page.locator('body').press('?');
      await expect.poll(() => first.page.getByRole('dialog').textContent()).toContain('Claim the open task');
      expect(await seriousAxeViolations(first.page)).toEqual([]);
      await first.page.getByRole('dialog').getByRole('button', { name: 'Close' }).click();
      expect(await seriousAxeViolations(first.page)).toEqual([]);
      expect(await seriousAxeViolations(second.page)).toEqual([]);
      await screenshot(first.page, 'inbox-en');
      await screenshot(second.page, 'inbox-held-en');

      // Hand back with a note: the task is returned, the note is in the thread for the agent.
      await first.page.getByRole('button', { name: 'Hand back…' }).click();
      await first.page.getByLabel('Note to the agent (optional)').fill('Refund approved as an exception; confirm the address.');
      await first.page.getByRole('dialog').getByRole('button', { name: 'Hand back', exact: true }).click();
      await expect.poll(() => holder(first.page).textContent()).toContain('Closed (Handed back)');
      await expect.poll(() => listItem(first.page, taskId).count()).toBe(0);
      expect(await taskDetail(hub, taskId, olga.key)).toMatchObject({
        status: 'returned',
        resolution: 'Refund approved as an exception; confirm the address.',
      });
      const notes = await call(hub, 'GET', `/v1/threads/${threadId}/messages`, undefined, serviceKey);
      expect((notes.body.data as Json[]).find((message) => message.role === 'note')).toMatchObject({
        content: 'Refund approved as an exception; confirm the address.',
      });
      expect(first.errors).toEqual([]);
      expect(second.errors).toEqual([]);
    } finally {
      await first.context.close();
      await second.context.close();
    }
  });

  it('claims with the button and resolves a hand-off; a bad transfer queue and bad tool arguments are refused in place', {
    timeout: 90_000,
  }, async () => {
    const { page, context, errors } = await newConsoleContext(browser);
    try {
      await openInbox(page, hub, 'oscar@desk.test');
      const { taskId } = await handOff(hub, { serviceKey, reader: oscar.key, agent: 'support', summary: 'Wrong size delivered.' });
      await listItem(page, taskId).click();
      await page.getByRole('button', { name: 'Claim', exact: true }).click();
      await expect.poll(() => holder(page).textContent()).toContain('You hold this task');

      // A tool on the customer's behalf: JSON checked here, the schema by the hub, the answer shown.
      await page.locator('.tool-panel > summary').click();
      await page.getByLabel('Tool', { exact: true }).fill('calculator');
      await page.getByLabel('Arguments (JSON object)').fill('{"expression": ');
      await page.getByRole('button', { name: 'Call tool' }).click();
      await expect.poll(() => page.locator('#inbox-arguments-problem').textContent()).toContain('Not valid JSON');
      await page.getByLabel('Arguments (JSON object)').fill('{"expression": 42}');
      await page.getByRole('button', { name: 'Call tool' }).click();
      await expect.poll(() => page.locator('#inbox-arguments-problem').textContent()).toContain('Invalid arguments');
      await page.getByLabel('Arguments (JSON object)').fill('{"expression": "6*7"}');
      await page.getByRole('button', { name: 'Call tool' }).click();
      await expect.poll(() => page.locator('.tool-result').textContent()).toContain('42');

      await page.getByRole('button', { name: 'Transfer…' }).click();
      await page.getByRole('dialog').getByLabel('Queue').fill('no spaces allowed');
      await page.getByRole('dialog').getByRole('button', { name: 'Transfer', exact: true }).click();
      await expect.poll(() => page.locator('#inbox-action-problem').textContent()).toContain('1–64');
      await page.getByRole('dialog').getByRole('button', { name: 'Cancel' }).click();

      await page.getByRole('button', { name: 'Resolve…' }).click();
      await page.getByRole('dialog').getByRole('button', { name: 'Resolve', exact: true }).click();
      await expect.poll(() => page.locator('#inbox-action-problem').textContent()).toBe('This field is required.');
      await page.getByLabel('Resolution').fill('Sent the right size with a return label.');
      await page.getByRole('dialog').getByRole('button', { name: 'Resolve', exact: true }).click();
      await expect.poll(() => holder(page).textContent()).toContain('Closed (Resolved): Sent the right size with a return label.');
      expect(await taskDetail(hub, taskId, oscar.key)).toMatchObject({
        status: 'resolved',
        resolution: 'Sent the right size with a return label.',
      });
      expect(await seriousAxeViolations(page)).toEqual([]);
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('approves a proposed call from its card, and the run resumes', { timeout: 90_000 }, async () => {
    const { page, context, errors } = await newConsoleContext(browser);
    try {
      await openInbox(page, hub, 'olga@desk.test', '?view=approvals');
      hub.hub.scripted('script').setScript([
        { when: { last_tool_result_contains: '5' }, text: 'It is 5.', repeat: true },
        { tool_calls: [{ id: 'call_sum', name: 'calculator', arguments: { expression: '2+3' } }], repeat: true },
      ]);
      const run = await call(hub, 'POST', '/v1/agents/careful/runs', { input: 'What is 2+3?' }, serviceKey);
      expect(run.status, JSON.stringify(run.body)).toBe(200);
      expect(run.body.status).toBe('waiting_approval');
      const runId = String(run.body.id);
      const approval = await waitFor('the approval task', async () => {
        const open = await call(hub, 'GET', '/v1/inbox/tasks?kind=approval&status=open', undefined, olga.key);
        return (open.body.data as Json[] | undefined)?.find((task) => task.run_id === runId);
      });
      const taskId = String(approval.id);
      await listItem(page, taskId).click();
      await expect.poll(() => page.locator('.approval-card').textContent()).toContain('calculator');
      await expect.poll(() => page.locator('.approval-card pre').textContent()).toContain('"expression": "2+3"');
      await expect.poll(() => page.locator('[data-run-status]').getAttribute('data-run-status')).toBe('waiting_approval');
      expect(await seriousAxeViolations(page)).toEqual([]);
      await screenshot(page, 'inbox-approval-en');
      await page.getByRole('button', { name: 'Approve', exact: true }).click();
      await expect.poll(() => page.locator('.approval-card').textContent()).toContain('Decided: approved');
      // The run resumed: its status on the page moves on to completed, as the runs API says.
      await expect.poll(() => page.locator('[data-run-status]').getAttribute('data-run-status'), { timeout: 20_000 }).toBe('completed');
      const finished = await call(hub, 'GET', `/v1/runs/${runId}`, undefined, serviceKey);
      expect(finished.body.status).toBe('completed');
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('shows a viewer the inbox read-only, without any action', { timeout: 60_000 }, async () => {
    const { taskId } = await handOff(hub, { serviceKey, reader: olga.key, agent: 'support', summary: 'A viewer may only look.' });
    const { page, context, errors } = await newConsoleContext(browser);
    try {
      await openInbox(page, hub, 'vera@desk.test', `?task=${taskId}`);
      await expect.poll(() => page.locator('.summary-card').textContent()).toContain('A viewer may only look.');
      await expect.poll(() => page.locator('.readonly-note').textContent()).toContain('Read-only');
      expect(await page.locator('.conversation-actions').count()).toBe(0);
      expect(await page.getByRole('button', { name: 'Claim', exact: true }).count()).toBe(0);
      expect(await page.getByLabel('Reply to the customer').count()).toBe(0);
      expect(await page.locator('.tool-panel').count()).toBe(0);
      expect(await listItem(page, taskId).count()).toBe(1);
      // Past its due time the sweeper marks it breached: the open page shows it, in words, and counts it.
      await hub.hub.db.query("update inbox_tasks set due_at = now() - interval '2 minutes' where id = $1", [taskId]);
      await hub.hub.inbox.sweeper.sweep();
      await expect.poll(() => listItem(page, taskId).textContent()).toMatch(/SLA breached · \d\d:\d\d over/);
      await expect.poll(() => page.getByRole('button', { name: /^SLA breached/ }).textContent()).toMatch(/1$/);
      await page.getByRole('button', { name: /^SLA breached/ }).click();
      expect(await page.locator('.inbox-list button[data-task-id]').count()).toBe(1);
      await screenshot(page, 'inbox-viewer-en');
      expect(await seriousAxeViolations(page)).toEqual([]);
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('renders in Simplified Chinese with no missing message', { timeout: 60_000 }, async () => {
    const { taskId } = await handOff(hub, { serviceKey, reader: olga.key, agent: 'support', summary: '客户想退货。' });
    const { page, context, errors } = await newConsoleContext(browser, 'zh');
    try {
      await openInbox(page, hub, 'olga@desk.test', `?task=${taskId}`);
      await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('收件箱');
      await expect.poll(() => page.locator('.summary-card').textContent()).toContain('客户想退货。');
      await page.getByRole('button', { name: '认领', exact: true }).click();
      await expect.poll(() => holder(page).textContent()).toContain('你正在处理该任务');
      await page.locator('.tool-panel > summary').click();
      await page.locator('.step summary').first().click();
      expect(await missingMessages(page)).toEqual([]);
      expect(await seriousAxeViolations(page)).toEqual([]);
      await screenshot(page, 'inbox-zh');
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
