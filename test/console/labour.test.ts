/**
 * The console's Division of labour page, in a real browser against a real hub: conversations two scripted
 * agents finished alone or handed to a person (who replied and resolved) are counted, and every number the
 * page shows — per agent, all agents together, hand-offs by reason, the per-agent table — equals what
 * `GET /v1/inbox/stats` answers for the same window; the hub admin reads the same through the admin API.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, createAgent, createPerson, handOff, SCRIPTED_CONFIG } from '../inbox/inbox-support.js';
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

const PASSWORD = 'labour password 1';
const DAY_MS = 86_400_000;
/** The page's default window: the last 7 UTC days, today included. */
const WINDOW = { from: new Date(Date.now() - 6 * DAY_MS).toISOString().slice(0, 10), to: new Date().toISOString().slice(0, 10) };

interface StatsRow {
  agent: string | null;
  conversations: number;
  closed_by_agent: number;
  containment: number | null;
  handoffs: { total: number; by_reason: Record<string, number> };
  time_to_first_human_response_s: { median: number | null };
  human_handling_s: { median: number | null };
  resolved_conversations: number;
  cost_usd: { total: string; per_resolved_conversation: string | null };
  sla_breaches: number;
}

const card = (page: Page, measure: string) => page.locator(`.labour-cards [data-measure="${measure}"]`);
const cardValue = (page: Page, measure: string) => card(page, measure).getAttribute('data-value');

/** The cards show exactly the API's row (`data-value` holds the API's own value, the text its rendering). */
async function expectCards(page: Page, row: StatsRow): Promise<void> {
  await expect.poll(() => cardValue(page, 'conversations')).toBe(String(row.conversations));
  expect(await cardValue(page, 'containment')).toBe(row.containment === null ? '' : String(row.containment));
  expect(await cardValue(page, 'handoffs')).toBe(String(row.handoffs.total));
  expect(await cardValue(page, 'resolved_conversations')).toBe(String(row.resolved_conversations));
  expect(await cardValue(page, 'cost_per_resolved')).toBe(row.cost_usd.per_resolved_conversation ?? '');
  expect(await cardValue(page, 'sla_breaches')).toBe(String(row.sla_breaches));
  expect(await card(page, 'conversations').locator('.value').textContent()).toBe(String(row.conversations));
  expect(await card(page, 'handoffs').locator('.value').textContent()).toBe(String(row.handoffs.total));
}

describe.skipIf(unavailable)('the Division of labour page', () => {
  let hub: TestHub;
  let browser: Browser;
  let tenantId: string;
  let operatorKey: string;
  let stats: { totals: StatsRow[]; data: StatsRow[] };

  beforeAll(async () => {
    [hub, browser] = await Promise.all([startTestHub(SCRIPTED_CONFIG), launchChromium()]);
    const tenant = await createTenant(hub, 'labour');
    tenantId = tenant.id;
    const serviceKey = (await createKey(hub, { tenant_id: tenant.id, scopes: ['agents:write', 'agents:run'] })).key;
    operatorKey = (await createPerson(hub, tenant.id, 'operator', 'olga@labour.test', PASSWORD)).key;
    for (const name of ['support', 'billing'])
      await createAgent(hub, serviceKey, { name, tools: [{ type: 'builtin', name: 'transfer_to_human' }] });

    // Two conversations support finishes alone, one it hands off (a person replies and resolves it).
    for (let index = 0; index < 2; index += 1) {
      hub.hub.scripted('script').setScript([{ text: 'Glad to help!' }]);
      const thread = await call(hub, 'POST', '/v1/threads', {}, serviceKey);
      const answered = await call(
        hub,
        'POST',
        `/v1/threads/${String(thread.body.id)}/messages`,
        { agent: 'support', content: 'Where is my parcel?' },
        serviceKey,
      );
      expect(answered.status, JSON.stringify(answered.body)).toBe(200);
    }
    const worked = await handOff(hub, { serviceKey, reader: operatorKey, agent: 'support' });
    for (const [action, body] of [
      ['claim', {}],
      ['messages', { content: 'I am on it.' }],
      ['resolve', { resolution: 'refunded' }],
    ] as const) {
      const done = await call(hub, 'POST', `/v1/inbox/tasks/${worked.taskId}/${action}`, body, operatorKey);
      expect(done.status, JSON.stringify(done.body)).toBeLessThan(300);
    }
    // Billing hands its one conversation off, still open.
    await handOff(hub, { serviceKey, reader: operatorKey, agent: 'billing' });
    // The ledger rows reach the database through the journal.
    await hub.hub.economy.flush();

    const answer = await call(hub, 'GET', `/v1/inbox/stats?from=${WINDOW.from}&to=${WINDOW.to}`, undefined, operatorKey);
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    stats = answer.body as unknown as { totals: StatsRow[]; data: StatsRow[] };
    expect(stats.totals.map((row) => row.agent)).toEqual(['billing', 'support']);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await hub?.close();
  });

  it('shows each agent’s measures, all agents together and the per-agent table as the stats API counts them', {
    timeout: 90_000,
  }, async () => {
    const { page, context, errors } = await newConsoleContext(browser);
    try {
      await signIn(page, hub.url, 'olga@labour.test', PASSWORD);
      await page.goto(`${hub.url}/console/labour`);
      const [billing, support] = stats.totals as [StatsRow, StatsRow];
      expect(support).toMatchObject({ conversations: 3, closed_by_agent: 2, handoffs: { total: 1 }, resolved_conversations: 3 });

      // All agents: counts add up; the medians are per agent.
      await expect.poll(() => cardValue(page, 'conversations')).toBe(String(billing.conversations + support.conversations));
      expect(await cardValue(page, 'handoffs')).toBe(String(billing.handoffs.total + support.handoffs.total));
      expect(await cardValue(page, 'resolved_conversations')).toBe(String(billing.resolved_conversations + support.resolved_conversations));
      expect(await cardValue(page, 'first_response_median')).toBe('');
      const reasons = await page
        .locator('.labour-reasons tbody tr')
        .evaluateAll((rows) =>
          rows.map((row) => [
            (row as unknown as { dataset: { reason: string } }).dataset.reason,
            Number((row as unknown as { lastElementChild: { textContent: string } }).lastElementChild.textContent),
          ]),
        );
      const merged: Record<string, number> = {};
      for (const row of stats.totals)
        for (const [reason, count] of Object.entries(row.handoffs.by_reason)) merged[reason] = (merged[reason] ?? 0) + count;
      expect(Object.fromEntries(reasons)).toEqual(merged);

      // The per-agent table, one row per agent with the API's numbers.
      const table = page.getByRole('region', { name: 'Per agent over the window' });
      const cells = await table
        .locator('tbody tr')
        .evaluateAll((rows) =>
          rows
            .filter((row) => (row as unknown as { getAttribute(name: string): string | null }).getAttribute('aria-hidden') === null)
            .map((row) =>
              Array.from((row as unknown as { children: ArrayLike<{ textContent: string }> }).children, (cell) => cell.textContent),
            ),
        );
      expect(cells.map((row) => [row[0], row[1], row[3], row[8]])).toEqual(
        stats.totals.map((row) => [row.agent, String(row.conversations), String(row.handoffs.total), String(row.resolved_conversations)]),
      );
      await expect.poll(() => page.locator('.labour-chart canvas').count()).toBe(6);

      // One agent: every card is that agent's row.
      await page.getByLabel('Agent', { exact: true }).selectOption('support');
      await expectCards(page, support);
      expect(await cardValue(page, 'first_response_median')).toBe(String(support.time_to_first_human_response_s.median));
      expect(await cardValue(page, 'handling_median')).toBe(String(support.human_handling_s.median));
      await page.getByLabel('Agent', { exact: true }).selectOption('billing');
      await expectCards(page, billing);

      expect(await seriousAxeViolations(page)).toEqual([]);
      await screenshot(page, 'labour-en');
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('lets the hub admin read a tenant’s measures through the admin API', { timeout: 60_000 }, async () => {
    const adminStats = await admin<{ totals: StatsRow[] }>(
      hub,
      'GET',
      `/admin/v1/inbox/stats?tenant_id=${tenantId}&from=${WINDOW.from}&to=${WINDOW.to}`,
    );
    const { page, context, errors } = await newConsoleContext(browser);
    try {
      await signInAsAdmin(page, hub.url, hub.adminKey);
      await page.goto(`${hub.url}/console/labour`);
      await page.getByLabel('Tenant').selectOption(tenantId);
      await page.getByLabel('Agent', { exact: true }).selectOption('support');
      await expectCards(page, adminStats.totals.find((row) => row.agent === 'support') as StatsRow);
      expect(await seriousAxeViolations(page)).toEqual([]);
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('renders in Simplified Chinese with no missing message', { timeout: 60_000 }, async () => {
    const { page, context, errors } = await newConsoleContext(browser, 'zh');
    try {
      await signIn(page, hub.url, 'olga@labour.test', PASSWORD);
      await page.goto(`${hub.url}/console/labour`);
      await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('人机分工');
      await expect.poll(() => cardValue(page, 'conversations')).toBe(String(stats.totals.reduce((sum, row) => sum + row.conversations, 0)));
      await page.getByLabel('智能体', { exact: true }).selectOption('support');
      await expect.poll(() => cardValue(page, 'first_response_median')).not.toBe('');
      expect(await missingMessages(page)).toEqual([]);
      expect(await seriousAxeViolations(page)).toEqual([]);
      await screenshot(page, 'labour-zh');
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
