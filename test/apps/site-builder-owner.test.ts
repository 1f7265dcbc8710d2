/**
 * The site-builder's owner through the HTTP API on the scripted provider: the answers the intake left blank are
 * asked in the inbox (and may be skipped), the plan may be edited at approval (an invalid edit refused, the
 * approval left open), a rejected plan publishes nothing, three failing check rounds end the run `failed`, and
 * the owner reads a build's cost with a tenant key (another tenant's run is a 404).
 */
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_INTAKE, DEMO_PLAN, demoSiteFiles, draftSandboxId } from '../../src/apps/site-builder/index.js';
import { createKey, createTenant } from '../support/economy.js';
import { startTestHub, type TestHub } from '../support/hub.js';
import { call, type Json } from '../support/workflows.js';

const CHROMIUM = process.env.TOKENHUB_CHROMIUM ?? '/usr/bin/chromium';
const SLOW = { timeout: 120_000 };

type Step = { key: string; id: string; kind: string; status: string; output: { json?: Json; text?: string } | null };
type Pending = { call_id: string; step: string; title: string; mode: string; fields?: { name: string }[] };
type ScriptStep = { text?: string; tool_calls?: { name: string; arguments: Record<string, unknown> }[] };

const writes = (files: Record<string, string>): ScriptStep => ({
  tool_calls: Object.entries(files).map(([path, content]) => ({ name: 'write_file', arguments: { path, content } })),
});
/** One build round of the scripted builder: the files written, then its closing sentence. */
const round = (files: Record<string, string>): ScriptStep[] => [writes(files), { text: 'I wrote the site.' }];
const QUESTION = {
  offering: 'What does Lotus Tea House sell or do? It is the first thing the site says. 您的茶馆销售什么？网站首先介绍这一点。',
};

describe('site-builder: the owner', () => {
  let hub: TestHub;
  let tenantId: string;
  let key: string;
  let ownerKey: string;
  let otherKey: string;
  let sandboxKey: string;

  const scripted = () => hub.hub.scripted('script');
  const stepsOf = (run: Json) => run.steps as Step[];
  const pendingOf = (run: Json) => (run.pending ?? []) as Pending[];

  async function until(runId: string, statuses: string[]): Promise<Json> {
    const deadline = Date.now() + 60_000;
    for (;;) {
      const read = await call(hub, 'GET', `/v1/workflow-runs/${runId}`, key);
      if (statuses.includes(String(read.body.status))) return read.body;
      if (Date.now() > deadline) throw new Error(`run ${runId} stayed ${String(read.body.status)}: ${JSON.stringify(read.body)}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  async function start(input: Json, script: ScriptStep[]): Promise<Json> {
    scripted().setScript(script);
    const started = await call(hub, 'POST', '/v1/workflows/site-builder/runs', key, { input });
    expect(started.status, JSON.stringify(started.body)).toBe(200);
    return started.body;
  }

  const approval = (runId: string, body: Json, as = key) => call(hub, 'POST', `/v1/apps/site-builder/runs/${runId}/approval`, as, body);
  /** The messages of each model call since the script was set, as text. */
  const prompts = () =>
    scripted().calls.map((made) =>
      (made as unknown as { request: { messages: { content: unknown }[] } }).request.messages
        .map((message) => (typeof message.content === 'string' ? message.content : JSON.stringify(message.content)))
        .join('\n'),
    );
  /** The plan step's prompt (the call asking for pages and a solution document). */
  const planPrompt = () => prompts().find((prompt) => prompt.includes('You plan small static websites')) ?? '';

  async function draftSandbox(runId: string): Promise<Json> {
    const read = await call(hub, 'GET', `/v1/sandboxes/${draftSandboxId(runId)}`, sandboxKey);
    expect(read.status, JSON.stringify(read.body)).toBe(200);
    return read.body;
  }

  beforeAll(async () => {
    hub = await startTestHub({
      providers: [{ id: 'script', type: 'scripted' }],
      models: [
        { name: 'scripted', targets: [{ provider: 'script', model: 'scripted' }], pricing: { input_per_mtok: 10, output_per_mtok: 30 } },
      ],
      ...(existsSync(CHROMIUM) ? {} : { apps: { site_builder: { chromium: false } } }),
    });
    tenantId = (await createTenant(hub, 'lotus')).id;
    key = (await createKey(hub, { tenant_id: tenantId, scopes: ['agents:write', 'agents:run'] })).key;
    sandboxKey = (await createKey(hub, { tenant_id: tenantId, scopes: ['sandboxes'] })).key;
    const owner = await call(hub, 'POST', '/admin/v1/users', hub.adminKey, {
      tenant_id: tenantId,
      email: 'mei@lotus-tea.example',
      name: 'Mei',
      role: 'owner',
    });
    expect(owner.status, JSON.stringify(owner.body)).toBe(201);
    ownerKey = String(owner.body.key);
    const otherTenant = (await createTenant(hub, 'other-shop')).id;
    otherKey = (await createKey(hub, { tenant_id: otherTenant, scopes: ['agents:write', 'agents:run'] })).key;
    for (const tenant of [tenantId, otherTenant]) {
      const installed = await call(hub, 'POST', '/admin/v1/apps/site-builder/install', hub.adminKey, {
        tenant_id: tenant,
        model: 'scripted',
      });
      expect(installed.status, JSON.stringify(installed.body)).toBe(201);
    }
  }, 120_000);
  afterAll(async () => {
    await hub?.close();
  });

  it(
    "asks in the inbox for exactly the answers the intake left blank, in the owner's languages, and plans with the answer",
    SLOW,
    async () => {
      const { offering: _, ...intake } = DEMO_INTAKE;
      const started = await start(intake, [{ text: JSON.stringify(QUESTION) }, { text: JSON.stringify(DEMO_PLAN) }]);
      expect(started.status).toBe('waiting_approval');
      // Location and contact were given: only the offering is asked, with a form of that one field.
      expect(pendingOf(started).map((pending) => [pending.step, pending.fields?.map((field) => field.name)])).toEqual([
        ['ask_offering', ['offering']],
      ]);
      expect(stepsOf(started).find((step) => step.id === 'ask')?.output?.json).toEqual(QUESTION);
      const askPrompt = prompts()[0] ?? '';
      expect(askPrompt).toContain('Missing answers (with the standard question for each): [{"field":"offering"');
      expect(askPrompt).toContain('Languages: ["en","zh"]');

      // The owner finds the agent's question in the site-builder queue of the inbox and answers it there.
      const tasks = await call(hub, 'GET', '/v1/inbox/tasks?queue=site-builder&status=open', ownerKey);
      expect(tasks.status, JSON.stringify(tasks.body)).toBe(200);
      const mine = (tasks.body.data as Json[]).filter((task) => task.run_id === started.id);
      expect(mine).toHaveLength(1);
      expect(JSON.stringify(mine[0])).toContain('您的茶馆销售什么');
      const offering = 'Oolong and pu-erh by weight, and afternoon tea by the pot';
      const answered = await call(hub, 'POST', `/v1/inbox/tasks/${String(mine[0]?.id)}/approve`, ownerKey, { values: { offering } });
      expect(answered.status, JSON.stringify(answered.body)).toBe(200);

      const atPlan = await until(String(started.id), ['waiting_approval', 'failed']);
      expect(pendingOf(atPlan).map((pending) => pending.call_id)).toEqual(['review#1.approve']);
      expect(stepsOf(atPlan).find((step) => step.id === 'answers')?.output?.json).toMatchObject({
        intake: { offering },
        missing: [],
        answered: ['offering'],
        skipped: [],
      });
      expect(planPrompt()).toContain(offering);
      expect(planPrompt()).toContain('Missing answers: []');
      expect((await call(hub, 'POST', `/v1/workflow-runs/${String(started.id)}/cancel`, key)).status).toBe(200);
    },
  );

  it('lets the owner skip a question: the answer stays missing and goes into the plan as such', SLOW, async () => {
    const intake = { business_name: 'Lotus Tea House', offering: DEMO_INTAKE.offering, languages: ['en'] };
    const questions = { location: 'Where is the shop?', contact: 'How should customers reach you?' };
    const started = await start(intake, [{ text: JSON.stringify(questions) }, { text: JSON.stringify(DEMO_PLAN) }]);
    const pending = pendingOf(started);
    expect(pending.map((entry) => [entry.step, entry.fields?.map((field) => field.name)])).toEqual([
      ['ask_location', ['location']],
      ['ask_contact', ['email', 'phone', 'address']],
    ]);
    const decide = (callId: string, body: Json) =>
      call(hub, 'POST', `/v1/workflow-runs/${String(started.id)}/decisions`, key, { call_id: callId, ...body });
    const location = pending.find((entry) => entry.step === 'ask_location')?.call_id ?? '';
    const contact = pending.find((entry) => entry.step === 'ask_contact')?.call_id ?? '';
    expect((await decide(location, { decision: 'reject', reason: 'later' })).status).toBe(200);
    // The email is not one: it is left out, and the phone number is used.
    expect((await decide(contact, { decision: 'approve', values: { email: 'not an email', phone: '+44 20 7946 0000' } })).status).toBe(200);

    const atPlan = await until(String(started.id), ['waiting_approval', 'failed']);
    const answers = stepsOf(atPlan).find((step) => step.id === 'answers')?.output?.json;
    expect(answers).toMatchObject({ answered: ['contact'], skipped: ['location'], intake: { contact: { phone: '+44 20 7946 0000' } } });
    expect(((answers?.missing ?? []) as { field: string }[]).map((missing) => missing.field)).toEqual(['location']);
    expect(((answers?.ignored ?? []) as { field: string }[]).map((ignored) => ignored.field)).toEqual(['contact.email']);
    expect(planPrompt()).toContain('"field":"location"');
    expect(planPrompt()).not.toContain('"field":"contact"');
    expect((await call(hub, 'POST', `/v1/workflow-runs/${String(started.id)}/cancel`, key)).status).toBe(200);
  });

  it('asks nothing when nothing is missing: the plan is the first human step', SLOW, async () => {
    const started = await start(DEMO_INTAKE, [{ text: JSON.stringify(DEMO_PLAN) }]);
    expect(pendingOf(started).map((pending) => pending.call_id)).toEqual(['review#1.approve']);
    const steps = stepsOf(started);
    expect(steps.filter((step) => step.kind === 'human').map((step) => step.id)).toEqual(['approve']);
    expect(steps.find((step) => step.id === 'ask')?.status).toBe('skipped');
    expect(steps.find((step) => step.id === 'questions')?.status).toBe('skipped');
    expect(scripted().calls).toHaveLength(1);
    expect((await call(hub, 'POST', `/v1/workflow-runs/${String(started.id)}/cancel`, key)).status).toBe(200);
  });

  let editedRun: Json;

  it('refuses an invalid edited plan and keeps the approval open; a valid one replaces the draft and is published', SLOW, async () => {
    const title = 'Lotus Tea House — oolong and pu-erh in Soho';
    const edited = structuredClone(DEMO_PLAN);
    edited.pages[0] = { ...DEMO_PLAN.pages[0]!, title };
    edited.solution.title = 'A tea-lover’s website for Lotus Tea House';
    const started = await start(DEMO_INTAKE, [{ text: JSON.stringify(DEMO_PLAN) }, ...round(demoSiteFiles({ title }))]);
    const runId = String(started.id);

    const blankTitle = structuredClone(edited);
    blankTitle.pages[0]!.title = ' ';
    const refused = await approval(runId, { decision: 'approve', plan: blankTitle });
    expect(refused.status).toBe(400);
    expect(refused.body).toMatchObject({ error: { type: 'invalid_request_error', code: 'invalid_plan', param: 'plan.pages.0.title' } });
    expect(String((refused.body.error as Json).message)).toContain('plan.pages.0.title');
    const noPages = await approval(runId, { decision: 'approve', plan: { ...edited, pages: [] } });
    expect([noPages.status, (noPages.body.error as Json).param]).toEqual([400, 'plan.pages']);
    expect((await approval(runId, { decision: 'approve', plan: 'a new plan' })).status).toBe(400);
    const still = await call(hub, 'GET', `/v1/workflow-runs/${runId}`, key);
    expect([still.body.status, pendingOf(still.body).map((pending) => pending.call_id)]).toEqual([
      'waiting_approval',
      ['review#1.approve'],
    ]);

    const approved = await approval(runId, { decision: 'approve', changes: 'Keep it short.', plan: edited });
    expect(approved.status, JSON.stringify(approved.body)).toBe(200);
    editedRun = await until(runId, ['completed', 'failed', 'needs_attention']);
    expect(editedRun.status, JSON.stringify(editedRun.error)).toBe('completed');
    expect(editedRun.output).toMatchObject({ approved: true, outcome: 'published', plan_edited: true, site: { version: 1 } });
    // The builder was given the edited plan, not the drafted one.
    const builder = prompts().find((prompt) => prompt.includes('Approved plan')) ?? '';
    expect(builder).toContain(title);
    expect(builder).toContain('Keep it short.');
    const base = `${hub.url}/sites/${tenantId}/lotus-tea-house`;
    expect(await (await fetch(`${base}/`)).text()).toContain(`<title>${title}</title>`);
    // The solution document is served from the edited plan.
    expect(await (await fetch(`${base}/_solution.html`)).text()).toContain('A tea-lover’s website for Lotus Tea House');
    const again = await approval(runId, { decision: 'approve' });
    expect([again.status, (again.body.error as Json).code]).toEqual([409, 'run_not_waiting']);
  });

  it('asks again when an edit decided through the workflow API does not fit the plan, with why', SLOW, async () => {
    const started = await start(DEMO_INTAKE, [{ text: JSON.stringify(DEMO_PLAN) }]);
    const runId = String(started.id);
    const decided = await call(hub, 'POST', `/v1/workflow-runs/${runId}/decisions`, key, {
      call_id: 'review#1.approve',
      decision: 'approve',
      values: { plan: '{"pages": []}' },
    });
    expect(decided.status, JSON.stringify(decided.body)).toBe(200);
    const asked = await until(runId, ['waiting_approval', 'failed']);
    expect(pendingOf(asked).map((pending) => pending.call_id)).toEqual(['review#2.approve']);
    expect(stepsOf(asked).find((step) => step.key === 'review#1.settle')?.output?.json).toMatchObject({
      ok: false,
      problems: expect.stringContaining('pages'),
    });
    expect((await approval(runId, { decision: 'reject' })).status).toBe(200);
    expect((await until(runId, ['completed', 'failed'])).output).toMatchObject({ outcome: 'rejected' });
  });

  it('ends a rejected plan completed with outcome rejected: nothing built, published or left in a sandbox', SLOW, async () => {
    const intake = { ...DEMO_INTAKE, slug: 'rejected-tea' };
    const started = await start(intake, [{ text: JSON.stringify(DEMO_PLAN) }]);
    const runId = String(started.id);
    expect((await approval(runId, { decision: 'reject', plan: DEMO_PLAN })).status).toBe(400);
    const rejected = await approval(runId, { decision: 'reject', reason: 'Not what I had in mind.' });
    expect(rejected.status, JSON.stringify(rejected.body)).toBe(200);
    const done = await until(runId, ['completed', 'failed']);
    expect([done.status, done.error]).toEqual(['completed', null]);
    expect(done.output).toEqual({
      approved: false,
      outcome: 'rejected',
      comment: 'Not what I had in mind.',
      plan_edited: false,
      answered: [],
      missing: [],
      site: null,
    });
    const steps = stepsOf(done);
    expect(['build', 'publish'].map((id) => steps.find((step) => step.id === id)?.status)).toEqual(['skipped', 'skipped']);
    expect(steps.some((step) => step.id === 'write' || step.id === 'check')).toBe(false);
    expect(scripted().calls).toHaveLength(1);
    expect((await fetch(`${hub.url}/sites/${tenantId}/rejected-tea/`)).status).toBe(404);
    expect((await call(hub, 'GET', `/v1/sandboxes/${draftSandboxId(runId)}`, sandboxKey)).status).toBe(404);
  });

  it('fails the run with loop_exhausted after 3 failing check rounds: nothing published, the draft discarded', SLOW, async () => {
    const bad = demoSiteFiles({ withoutAlt: true });
    const intake = { ...DEMO_INTAKE, slug: 'never-published' };
    const started = await start(intake, [{ text: JSON.stringify(DEMO_PLAN) }, ...round(bad), ...round(bad), ...round(bad)]);
    const runId = String(started.id);
    expect((await approval(runId, { decision: 'approve' })).status).toBe(200);
    const done = await until(runId, ['completed', 'failed', 'needs_attention']);
    expect(done.status).toBe('failed');
    expect(done.error).toMatchObject({ code: 'loop_exhausted' });
    const checks = stepsOf(done).filter((step) => step.id === 'check');
    expect(checks.map((step) => [step.key, step.output?.json?.ok])).toEqual([
      ['build#1.check', false],
      ['build#2.check', false],
      ['build#3.check', false],
    ]);
    expect(stepsOf(done).some((step) => step.id === 'publish' && step.status === 'completed')).toBe(false);
    const site = await fetch(`${hub.url}/sites/${tenantId}/never-published/`);
    expect(site.status).toBe(404);
    expect(await site.json()).toMatchObject({ error: { code: 'site_not_found' } });
    const deadline = Date.now() + 10_000;
    while ((await draftSandbox(runId)).status === 'live' && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await draftSandbox(runId)).toMatchObject({ status: 'deleted' });
  });

  it("shows the owner a build's cost with a tenant key, the admin route's object; another tenant's run is a 404", SLOW, async () => {
    const runId = String(editedRun.id);
    const path = `/v1/apps/site-builder/runs/${runId}/cost`;
    const deadline = Date.now() + 20_000;
    let cost = await call(hub, 'GET', path, key);
    while (Number(cost.body.model_calls) < 3 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      cost = await call(hub, 'GET', path, key);
    }
    expect(cost.status, JSON.stringify(cost.body)).toBe(200);
    // The plan call and the builder's two turns.
    expect(cost.body).toMatchObject({ object: 'site.build_cost', run_id: runId, model_calls: 3 });
    expect(Number(cost.body.input_tokens)).toBeGreaterThan(100);
    expect(Number(cost.body.cost_usd)).toBeGreaterThan(0);
    const admin = await call(hub, 'GET', `/admin/v1/apps/site-builder/runs/${runId}/cost?tenant_id=${tenantId}`, hub.adminKey);
    expect(cost.body).toEqual(admin.body);
    // A person of the tenant reads it too.
    expect((await call(hub, 'GET', path, ownerKey)).body).toEqual(admin.body);

    const elsewhere = await call(hub, 'GET', path, otherKey);
    expect([elsewhere.status, (elsewhere.body.error as Json).code]).toEqual([404, 'run_not_found']);
    expect((await call(hub, 'GET', path, null)).status).toBe(401);
    const inferenceOnly = (await createKey(hub, { tenant_id: tenantId })).key;
    expect((await call(hub, 'GET', path, inferenceOnly)).status).toBe(403);
    expect((await call(hub, 'GET', '/v1/apps/site-builder/runs/run_nope/cost', key)).status).toBe(404);
    expect((await call(hub, 'GET', '/v1/apps/site-builder/runs/bad%20id/cost', key)).status).toBe(400);
    expect((await approval(runId, { decision: 'approve' }, otherKey)).status).toBe(404);
  });
});
