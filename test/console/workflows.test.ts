/**
 * The console's Workflows page, in a real browser against a real hub on the scripted model: the list, a
 * workflow drawn as a graph (every step a node, bodies inside their containers, every path an edge with its
 * condition, nothing overlapping on the screen), the diff of two versions and a rollback; then a real run on
 * the graph — each step coloured by its state, a map's items counted (one item took its error path), the
 * agent step's child run and the human step's inbox task linked from the side panel — followed until a
 * person's decision lets it finish. The hub admin reads the graph with no runs; Chinese has no missing message.
 */
// biome-ignore-all lint/suspicious/noTemplateCurlyInString: workflow documents hold `${{ expression }}` templates, not JS ones.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { workflowGraph } from '../../console/src/pages/workflows/workflow-graph.js';
import type { WorkflowDocument } from '../../console/src/pages/workflows/workflow-types.js';
import { call, createAgent, createPerson, type Json, SCRIPTED_CONFIG, waitFor } from '../inbox/inbox-support.js';
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
import { createKey, createTenant } from '../support/economy.js';
import { startTestHub, type TestHub } from '../support/hub.js';

/** How long a poll waits for the page: the hub and the browser share two busy cores. */
const WAIT = { timeout: 15_000 };

const unavailable = browserTestsUnavailable();
if (unavailable) console.warn(`console browser tests skipped: ${unavailable}`);

const PASSWORD = 'workflows password 1';
const SUPPLIERS = ['acme', 'bolt', 'cogs', 'dyna', 'echo'];

const workflow = (name: string, steps: Json[], description?: string): WorkflowDocument =>
  ({
    apiVersion: 'tokenhub.dev/v1',
    kind: 'Workflow',
    metadata: { name, ...(description ? { description } : {}) },
    spec: { steps },
  }) as unknown as WorkflowDocument;

const BOOKKEEPING = workflow('bookkeeping', [
  { id: 'book', kind: 'llm', model: 'scripted', prompt: 'Book the refund of ${{ input.order }}' },
]);
const REFUNDS_V1 = workflow('refunds', [
  { id: 'triage', kind: 'agent', agent: 'triage', input: 'Triage: ${{ input.message }}' },
  { id: 'reply', kind: 'llm', model: 'scripted', prompt: 'Answer the customer' },
]);
const REFUNDS_V2 = workflow(
  'refunds',
  [
    { id: 'triage', kind: 'agent', agent: 'triage', input: 'Triage: ${{ input.message }}' },
    { id: 'route', kind: 'branch', cases: [{ when: "steps.triage.output.text == 'refund'", next: 'quotes' }], default: 'reply' },
    {
      id: 'quotes',
      kind: 'map',
      items: 'input.suppliers',
      concurrency: 2,
      steps: [
        {
          id: 'ask',
          kind: 'llm',
          model: 'scripted',
          prompt: 'Quote from ${{ item }}',
          output_schema: { type: 'object', required: ['price'] },
          on_error: 'estimate',
          end: true,
        },
        { id: 'estimate', kind: 'llm', model: 'scripted', prompt: 'Estimate for ${{ item }}' },
      ],
    },
    {
      id: 'polish',
      kind: 'loop',
      until: "steps.draft.output.text == 'good'",
      max_iterations: 3,
      exhausted: 'give_up',
      steps: [{ id: 'draft', kind: 'llm', model: 'scripted', prompt: 'Draft reply #${{ iteration }}' }],
    },
    { id: 'approve', kind: 'human', title: 'Approve the refund for ${{ input.order }}', queue: 'refunds' },
    {
      id: 'notify',
      kind: 'parallel',
      branches: [
        {
          name: 'customer',
          steps: [
            { id: 'email', kind: 'llm', model: 'scripted', prompt: 'Write the customer an email' },
            { id: 'total', kind: 'tool', tool: { type: 'builtin', name: 'calculator' }, arguments: { expression: '2 * 21' } },
          ],
        },
        { name: 'ledger', steps: [{ id: 'books', kind: 'workflow', workflow: 'bookkeeping', input: { order: '${{ input.order }}' } }] },
      ],
    },
    { id: 'reply', kind: 'llm', model: 'scripted', prompt: 'Reply to the customer', end: true },
    { id: 'give_up', kind: 'llm', model: 'scripted', prompt: 'Apologise to the customer' },
  ],
  'Refund a customer after comparing supplier quotes and a person’s approval.',
);

interface Rect {
  id: string;
  x: number;
  y: number;
  width: number;
  height: number;
}
const overlaps = (a: Rect, b: Rect) => a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
const inside = (inner: Rect, outer: Rect) =>
  inner.x >= outer.x - 0.5 &&
  inner.y >= outer.y - 0.5 &&
  inner.x + inner.width <= outer.x + outer.width + 0.5 &&
  inner.y + inner.height <= outer.y + outer.height + 0.5;

/** Where the page drew each node of the graph and each edge label, in screen pixels. */
async function drawn(page: Page): Promise<{ nodes: Map<string, Rect>; labels: Rect[] }> {
  // The callbacks run in the page: each spells out its own numbers.
  const nodes = await page.locator('.react-flow__node').evaluateAll((elements) =>
    elements.map((element) => {
      const rect = element.getBoundingClientRect();
      return { id: element.getAttribute('data-id') ?? '', x: rect.x, y: rect.y, width: rect.width, height: rect.height };
    }),
  );
  const labels = await page.locator('.wf-edge-label').evaluateAll((elements) =>
    elements.map((element) => {
      const rect = element.getBoundingClientRect();
      return { id: element.textContent ?? '', x: rect.x, y: rect.y, width: rect.width, height: rect.height };
    }),
  );
  return { nodes: new Map(nodes.map((node) => [node.id, node])), labels };
}

/** A style property of an element as the page computes it (the root tsconfig has no DOM types, hence the cast). */
const computed = (page: Page, selector: string, property: string): Promise<string> =>
  page
    .locator(selector)
    .first()
    .evaluate((element, name) => {
      const window = globalThis as unknown as { getComputedStyle: (target: unknown) => Record<string, string> };
      return window.getComputedStyle(element)[name] ?? '';
    }, property);

/** Back to the top before a full-page screenshot: the side panel sticks to where the page was scrolled. */
const toTop = (page: Page) => page.evaluate(() => (globalThis as unknown as { scrollTo: (x: number, y: number) => void }).scrollTo(0, 0));

const nodeLocator = (page: Page, id: string) => page.locator(`.react-flow__node[data-id="${id}"]`);
const panel = (page: Page) => page.locator('aside.wf-panel');

describe.skipIf(unavailable)('the Workflows page', () => {
  let hub: TestHub;
  let browser: Browser;
  let tenantId: string;
  let serviceKey: string;
  let developerKey: string;
  let runId: string;

  async function apply(document: WorkflowDocument): Promise<void> {
    const answer = await call(hub, 'POST', '/v1/workflows', document, serviceKey);
    expect([200, 201], JSON.stringify(answer.body)).toContain(answer.status);
  }

  beforeAll(async () => {
    [hub, browser] = await Promise.all([startTestHub(SCRIPTED_CONFIG), launchChromium()]);
    tenantId = (await createTenant(hub, 'workflows-page')).id;
    serviceKey = (await createKey(hub, { tenant_id: tenantId, scopes: ['agents:write', 'agents:run'] })).key;
    developerKey = (await createPerson(hub, tenantId, 'developer', 'dev@workflows.test', PASSWORD)).key;
    await createPerson(hub, tenantId, 'viewer', 'vic@workflows.test', PASSWORD);
    await createAgent(hub, serviceKey, { name: 'triage', instructions: 'You triage refund requests.' });
    await apply(BOOKKEEPING);
    await apply(REFUNDS_V1);
    await apply(REFUNDS_V2);
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await hub?.close();
  });

  it('lists the workflows and draws one as a graph: every step, every path, nothing overlapping', async () => {
    const { context, page, errors } = await newConsoleContext(browser, 'en');
    await signIn(page, hub.url, 'dev@workflows.test', PASSWORD);
    await page.goto(`${hub.url}/console/workflows`);
    await expect.poll(() => page.locator('main h1').textContent(), WAIT).toBe('Workflows');
    const row = page.locator('tbody tr', { has: page.getByRole('link', { name: 'refunds', exact: true }) });
    await expect.poll(() => row.count(), WAIT).toBe(1);
    expect(await row.textContent()).toContain('Version 2');
    expect(await page.locator('tbody tr:not([aria-hidden])').count()).toBe(2);
    expect(await seriousAxeViolations(page), 'list: axe').toEqual([]);
    await page.getByRole('link', { name: 'refunds', exact: true }).click();
    await page.waitForURL(/\/console\/workflows\/refunds$/);

    const graph = workflowGraph(REFUNDS_V2);
    await expect.poll(() => page.locator('.react-flow__node').count(), WAIT).toBe(graph.nodes.length);
    await expect.poll(() => page.locator('.react-flow__edge').count(), WAIT).toBe(graph.edges.length);
    expect(await nodeLocator(page, 'triage').textContent()).toContain('agent');
    expect(await nodeLocator(page, 'quotes').textContent()).toContain('input.suppliers');
    // Each path is labelled by what takes it; an error path is dashed, running out of passes dotted.
    await expect
      .poll(async () => (await page.locator('.wf-edge-label').allTextContents()).sort(), WAIT)
      .toEqual(["steps.triage.output.text == 'refund'", 'default', 'exhausted', 'on error'].sort());
    expect(await page.locator('.react-flow__edge.wf-edge-on_error').count()).toBe(1);
    expect(await computed(page, '.react-flow__edge.wf-edge-on_error path.react-flow__edge-path', 'strokeDasharray')).not.toBe('none');

    await screenshot(page, 'workflow-graph-en');
    // On the screen: siblings apart, bodies inside their containers, labels clear of every step.
    const { nodes, labels } = await drawn(page);
    for (const node of graph.nodes) {
      const box = nodes.get(node.id);
      expect(box, node.id).toBeDefined();
      if (!box) continue;
      for (const sibling of graph.nodes.filter((other) => other.parentId === node.parentId && other.id !== node.id)) {
        expect(overlaps(box, nodes.get(sibling.id) as Rect), `${node.id} over ${sibling.id}`).toBe(false);
      }
      if (node.parentId) expect(inside(box, nodes.get(node.parentId) as Rect), `${node.id} inside ${node.parentId}`).toBe(true);
    }
    for (const label of labels) {
      for (const node of graph.nodes.filter((candidate) => !candidate.container)) {
        expect(overlaps(label, nodes.get(node.id) as Rect), `label "${label.id}" over ${node.id}`).toBe(false);
      }
    }
    // A label is as legible as the page's own small print.
    const scale = async () => Number(/^matrix\(([\d.]+)/.exec(await computed(page, '.react-flow__viewport', 'transform'))?.[1]);
    await expect.poll(scale, WAIT).toBeGreaterThanOrEqual(0.75);

    // A step is chosen with the keyboard as with the mouse: its definition shows in the panel.
    await nodeLocator(page, 'approve').focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => panel(page).locator('pre').textContent(), WAIT).toContain('queue: refunds');
    await nodeLocator(page, 'quotes').click({ position: { x: 30, y: 14 } });
    await expect.poll(() => panel(page).locator('pre').textContent(), WAIT).toContain('items: input.suppliers');
    expect(await seriousAxeViolations(page), 'graph: axe').toEqual([]);
    await toTop(page);
    await screenshot(page, 'workflow-graph-selected-en');

    // Version 1's graph is a different one.
    await page.locator('select[name="graphVersion"]').selectOption('1');
    await expect.poll(() => page.locator('.react-flow__node').count(), WAIT).toBe(workflowGraph(REFUNDS_V1).nodes.length);
    expect(errors).toEqual([]);
    await context.close();
  }, 120_000);

  it('shows the diff of two versions and rolls back; a viewer may not', async () => {
    const { context, page, errors } = await newConsoleContext(browser, 'en');
    await signIn(page, hub.url, 'dev@workflows.test', PASSWORD);
    await page.goto(`${hub.url}/console/workflows/refunds?tab=versions`);
    await expect.poll(() => page.locator('.workflow-versions tbody tr').count(), WAIT).toBe(2);
    const summary = page.locator('.diff-summary');
    await expect.poll(() => summary.textContent(), WAIT).toMatch(/^From version 1 to version 2: lines added \d+, lines removed \d+\.$/);
    expect(await page.locator('.diff-added ins').allTextContents()).toEqual(
      expect.arrayContaining([expect.stringContaining('id: quotes')]),
    );
    expect(await page.locator('.diff-removed').count()).toBeGreaterThan(0);
    expect(await seriousAxeViolations(page), 'versions: axe').toEqual([]);
    await screenshot(page, 'workflow-versions-en');

    await page.getByRole('button', { name: 'Roll back to version 1' }).click();
    await expect.poll(() => page.locator('.workflow-active-version').textContent(), WAIT).toBe('Version 1');
    expect((await call(hub, 'GET', '/v1/workflows/refunds', undefined, serviceKey)).body.active_version).toBe(1);
    await page.getByRole('button', { name: 'Activate version 2' }).click();
    await expect.poll(() => page.locator('.workflow-active-version').textContent(), WAIT).toBe('Version 2');
    expect((await call(hub, 'GET', '/v1/workflows/refunds', undefined, serviceKey)).body.active_version).toBe(2);
    expect(errors).toEqual([]);
    await context.close();

    const viewer = await newConsoleContext(browser, 'en');
    await signIn(viewer.page, hub.url, 'vic@workflows.test', PASSWORD);
    await viewer.page.goto(`${hub.url}/console/workflows/refunds?tab=versions`);
    await expect.poll(() => viewer.page.locator('.workflow-versions tbody tr').count(), WAIT).toBe(2);
    expect(await viewer.page.getByRole('button', { name: /Roll back|Activate/ }).count()).toBe(0);
    expect(viewer.errors).toEqual([]);
    await viewer.context.close();
  }, 120_000);

  it("draws a run on the graph, step by step, and follows it to the end after a person's decision", async () => {
    hub.hub.scripted('script').setScript([
      { when: { last_user_message_contains: 'Triage:' }, text: 'refund' },
      ...SUPPLIERS.map((name, index) => ({
        when: { last_user_message_contains: `Quote from ${name}` },
        text: name === 'cogs' ? 'no idea' : JSON.stringify({ price: 10 + index }),
      })),
      { when: { last_user_message_contains: 'Estimate for cogs' }, text: 'about 15' },
      { when: { last_user_message_contains: 'Draft reply #1' }, text: 'meh' },
      { when: { last_user_message_contains: 'Draft reply #2' }, text: 'good' },
      { when: { last_user_message_contains: 'Write the customer' }, text: 'Dear customer, your refund is on its way.' },
      { when: { last_user_message_contains: 'Book the refund of #R7' }, text: 'booked' },
      { when: { last_user_message_contains: 'Reply to the customer' }, text: 'Refund approved.' },
    ]);
    const started = await call(
      hub,
      'POST',
      '/v1/workflows/refunds/runs',
      { input: { message: 'My order arrived broken', order: '#R7', suppliers: SUPPLIERS }, mode: 'background' },
      serviceKey,
    );
    expect(started.status, JSON.stringify(started.body)).toBe(202);
    runId = String(started.body.id);
    const waiting = await waitFor(
      'the run waits for a person',
      async () => {
        const run = await call(hub, 'GET', `/v1/workflow-runs/${runId}`, undefined, serviceKey);
        if (run.body.status === 'failed') throw new Error(JSON.stringify(run.body.error));
        return run.body.status === 'waiting_approval' ? run.body : undefined;
      },
      30_000,
    );
    const steps = waiting.steps as { key: string; id: string; child_run_id?: string; cost_usd: string | null }[];

    const { context, page, errors } = await newConsoleContext(browser, 'en');
    await signIn(page, hub.url, 'dev@workflows.test', PASSWORD);
    await page.goto(`${hub.url}/console/workflows/refunds?tab=runs`);
    await page.getByRole('link', { name: runId }).click();
    await page.waitForURL(new RegExp(`/console/workflows/refunds/runs/${runId}$`));
    await expect.poll(() => page.locator('.cards .workflow-run-status').textContent(), WAIT).toBe('Waiting for a person');
    const state = (id: string) => nodeLocator(page, id).locator('.wf-node, .wf-group').first().getAttribute('class');
    await expect.poll(() => state('triage'), WAIT).toContain('wf-state-completed');
    expect(await state('route')).toContain('wf-state-completed');
    expect(await state('approve')).toContain('wf-state-waiting');
    expect(await state('notify')).toContain('wf-state-not_reached');
    expect(await state('reply')).toContain('wf-state-not_reached');
    // One of the five items failed its quote and took the error path: the step shows it, the map counts all five done.
    expect(await state('ask')).toContain('wf-state-failed');
    expect(await nodeLocator(page, 'ask').textContent()).toContain('Failed · 5 times');
    expect(await state('estimate')).toContain('wf-state-completed');
    expect(await nodeLocator(page, 'quotes').locator('.wf-items').textContent()).toBe('5/5 completed');
    expect(await nodeLocator(page, 'draft').textContent()).toContain('2 times');
    expect(await page.locator('.react-flow__edge.wf-edge-taken').count()).toBeGreaterThan(0);
    expect(await nodeLocator(page, 'approve').textContent()).toContain('Waiting');

    await nodeLocator(page, 'quotes').click({ position: { x: 30, y: 14 } });
    await expect
      .poll(() => panel(page).locator('.wf-item-list code').allTextContents(), WAIT)
      .toEqual(SUPPLIERS.map((_, index) => `quotes[${index}]`));
    await nodeLocator(page, 'ask').click();
    await expect.poll(() => panel(page).locator('.wf-instance-list button').count(), WAIT).toBe(5);
    await panel(page).getByRole('button', { name: 'quotes[2].ask' }).click();
    await expect.poll(() => panel(page).locator('.wf-step-error').textContent(), WAIT).toContain('invalid_output');

    await nodeLocator(page, 'triage').click();
    const triage = steps.find((step) => step.key === 'triage');
    expect(triage?.child_run_id).toMatch(/^run_/);
    await expect.poll(() => panel(page).locator('.wf-child-run').getAttribute('href'), WAIT).toBe(`/console/runs/${triage?.child_run_id}`);
    expect(await panel(page).locator('.wf-output').textContent()).toContain('refund');
    expect(await panel(page).locator('.wf-step-cost').textContent()).toBe(triage?.cost_usd ? `$${triage.cost_usd}` : '—');

    await nodeLocator(page, 'approve').click();
    const tasks = await call(hub, 'GET', '/v1/inbox/tasks?queue=refunds', undefined, developerKey);
    const task = (tasks.body.data as Json[] | undefined)?.find((candidate) => candidate.run_id === runId);
    expect(task, JSON.stringify(tasks.body)).toBeDefined();
    await expect
      .poll(() => panel(page).locator('.wf-inbox-link').getAttribute('href'), WAIT)
      .toBe(`/console/inbox?task=${String(task?.id)}`);
    expect(await seriousAxeViolations(page), 'run: axe').toEqual([]);
    await toTop(page);
    await screenshot(page, 'workflow-run-en');

    // A person approves; the page follows the run to its end.
    const decided = await call(
      hub,
      'POST',
      `/v1/workflow-runs/${runId}/decisions`,
      { call_id: 'approve', decision: 'approve' },
      serviceKey,
    );
    expect(decided.status, JSON.stringify(decided.body)).toBe(200);
    await expect.poll(() => page.locator('.cards .workflow-run-status').textContent(), { timeout: 30_000 }).toBe('Completed');
    await expect.poll(() => state('reply'), WAIT).toContain('wf-state-completed');
    expect(await state('notify')).toContain('wf-state-completed');
    expect(await state('give_up')).toContain('wf-state-not_reached');
    // The path the run took is bold, the ones it did not take faint; the branch's default step was reached another way, so its edge claims neither.
    const edgeClass = (id: string) => page.locator(`.react-flow__edge[data-id="${id}"]`).getAttribute('class');
    expect(await edgeClass('notify->reply:next')).toContain('wf-edge-taken');
    expect(await edgeClass('polish->give_up:exhausted')).toContain('wf-edge-not_taken');
    expect(await edgeClass('route->reply:default')).toContain('wf-edge-unknown');
    expect(await page.locator('.wf-run-output').textContent()).toContain('Refund approved.');
    const done = (await call(hub, 'GET', `/v1/workflow-runs/${runId}`, undefined, serviceKey)).body;
    expect(await page.locator('.wf-run-cost').textContent()).toBe(`$${String((done.usage as Json).cost_usd)}`);
    await nodeLocator(page, 'books').click();
    const books = (done.steps as { key: string; child_run_id?: string }[]).find((step) => step.key === 'notify.ledger.books');
    await expect
      .poll(() => panel(page).locator('.wf-child-run').getAttribute('href'), WAIT)
      .toBe(`/console/workflows/bookkeeping/runs/${books?.child_run_id}`);
    await toTop(page);
    await screenshot(page, 'workflow-run-done-en');
    expect(errors).toEqual([]);
    await context.close();
  }, 180_000);

  it('shows the hub admin the graph and versions with no runs, and renders in Chinese with no missing message', async () => {
    const admin = await newConsoleContext(browser, 'en');
    await signInAsAdmin(admin.page, hub.url, hub.adminKey);
    await admin.page.goto(`${hub.url}/console/workflows?tenant=${tenantId}`);
    await admin.page.getByRole('link', { name: 'refunds', exact: true }).click();
    await admin.page.waitForURL(/\/console\/workflows\/refunds\?tenant=/);
    await expect.poll(() => admin.page.locator('.react-flow__node').count(), WAIT).toBe(workflowGraph(REFUNDS_V2).nodes.length);
    expect(await admin.page.getByRole('tab').allTextContents()).toEqual(['Graph', 'Versions']);
    expect(admin.errors).toEqual([]);
    await admin.context.close();

    const { context, page, errors } = await newConsoleContext(browser, 'zh');
    await signIn(page, hub.url, 'dev@workflows.test', PASSWORD);
    await page.goto(`${hub.url}/console/workflows`);
    await expect.poll(() => page.locator('main h1').textContent(), WAIT).toBe('工作流');
    await page.goto(`${hub.url}/console/workflows/refunds`);
    await expect.poll(() => page.locator('.react-flow__node').count(), WAIT).toBe(workflowGraph(REFUNDS_V2).nodes.length);
    await expect.poll(() => page.locator('.wf-edge-label').allTextContents(), WAIT).toEqual(expect.arrayContaining(['出错时', '默认']));
    await page.goto(`${hub.url}/console/workflows/refunds/runs/${runId}`);
    await expect.poll(() => page.locator('.cards .workflow-run-status').textContent(), WAIT).toBe('已完成');
    await nodeLocator(page, 'quotes').click({ position: { x: 30, y: 14 } });
    await expect.poll(() => panel(page).locator('.wf-panel-items').textContent(), WAIT).toBe('已完成 5/5');
    expect(await seriousAxeViolations(page), 'run zh: axe').toEqual([]);
    await toTop(page);
    await screenshot(page, 'workflow-run-zh');
    expect(await missingMessages(page)).toEqual([]);
    expect(errors).toEqual([]);
    await context.close();
  }, 120_000);
});
