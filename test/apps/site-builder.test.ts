/**
 * The site-builder app through the HTTP API on the scripted provider: installed for a tenant, a build pauses for
 * the owner's approval, its first round fails a check (missing alt text) and goes back to the builder, the second
 * passes and is published at /sites/{tenant}/{slug}/ with its CSP; a second build is version 2, a rollback serves
 * version 1 again; the cost comes from the ledger; Chromium loads the published page under its CSP and axe passes.
 */
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_INTAKE, demoScript } from '../../src/apps/site-builder/index.js';
import { createKey, createTenant } from '../support/economy.js';
import { startTestHub, type TestHub } from '../support/hub.js';
import { call, type Json } from '../support/workflows.js';

const CHROMIUM = process.env.TOKENHUB_CHROMIUM ?? '/usr/bin/chromium';
const SLOW = { timeout: 120_000 };
const CSP = "default-src 'none'; style-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

type Step = { key: string; id: string; status: string; output: { json?: Json; text?: string } | null };

describe('site-builder app', () => {
  let hub: TestHub;
  let tenantId: string;
  let key: string;
  const admin = (method: string, path: string, body?: unknown) => call(hub, method, path, hub.adminKey, body);

  async function until(runId: string, statuses: string[]): Promise<Json> {
    const deadline = Date.now() + 60_000;
    for (;;) {
      const read = await call(hub, 'GET', `/v1/workflow-runs/${runId}`, key);
      if (statuses.includes(String(read.body.status))) return read.body;
      if (Date.now() > deadline) throw new Error(`run ${runId} stayed ${String(read.body.status)}: ${JSON.stringify(read.body)}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  /** One build: start, pause for approval, approve, wait for the end. */
  async function build(failFirstRound: boolean): Promise<Json> {
    hub.hub.scripted('script').setScript(demoScript({ failFirstRound }));
    const started = await call(hub, 'POST', '/v1/workflows/site-builder/runs', key, { input: DEMO_INTAKE });
    expect(started.status, JSON.stringify(started.body)).toBe(200);
    expect(started.body.status).toBe('waiting_approval');
    // Nothing was left blank on the intake, so the plan is the first thing the owner is asked about.
    expect(started.body.pending).toEqual([expect.objectContaining({ call_id: 'review#1.approve', step: 'approve', mode: 'form' })]);
    const decided = await call(hub, 'POST', `/v1/workflow-runs/${String(started.body.id)}/decisions`, key, {
      call_id: 'review#1.approve',
      decision: 'approve',
      values: { changes: '' },
    });
    expect(decided.status, JSON.stringify(decided.body)).toBeLessThan(300);
    return until(String(started.body.id), ['completed', 'failed', 'needs_attention', 'budget_exceeded']);
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
    const installed = await admin('POST', '/admin/v1/apps/site-builder/install', { tenant_id: tenantId, model: 'scripted' });
    expect(installed.status, JSON.stringify(installed.body)).toBe(201);
    expect(installed.body).toMatchObject({ agent: 'site-builder', workflow: 'site-builder', installation: { app: 'site-builder' } });
  }, 120_000);
  afterAll(async () => {
    await hub?.close();
  });

  let firstRun: Json;

  it('pauses for approval, sends a failing check back to the builder, and publishes the second round', SLOW, async () => {
    firstRun = await build(true);
    expect(firstRun.status, JSON.stringify(firstRun.error)).toBe('completed');
    const steps = firstRun.steps as Step[];
    const checks = steps.filter((step) => step.id === 'check');
    expect(checks.map((step) => step.key)).toEqual(['build#1.check', 'build#2.check']);
    expect(checks[0]?.output?.json).toMatchObject({ ok: false });
    expect(String(checks[0]?.output?.json?.summary)).toContain('[wcag/h37]');
    expect(checks[1]?.output?.json).toMatchObject({ ok: true });
    // The second round's agent was told what the checks found.
    expect(hub.hub.scripted('script').calls.some((request) => JSON.stringify(request).includes('wcag/h37'))).toBe(true);
    const output = firstRun.output as { approved: boolean; site: Json };
    expect(output).toMatchObject({
      approved: true,
      site: { slug: 'lotus-tea-house', version: 1, url: `/sites/${tenantId}/lotus-tea-house/` },
    });
    const axe = (output.site.checks as { check: string; status: string }[]).find((check) => check.check === 'axe');
    expect(axe?.status).toBe(existsSync(CHROMIUM) ? 'passed' : 'not_run');
  });

  it('serves the published site publicly with its CSP, content types and 404s in the hub error shape', SLOW, async () => {
    const base = `${hub.url}/sites/${tenantId}/lotus-tea-house`;
    const home = await fetch(`${base}/`);
    expect(home.status).toBe(200);
    expect(home.headers.get('content-security-policy')).toBe(CSP);
    expect(home.headers.get('x-content-type-options')).toBe('nosniff');
    expect(home.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(await home.text()).toContain('alt="Lotus Tea House logo"');
    expect((await fetch(`${base}/zh/index.html`).then((r) => r.text())).includes('<html lang="zh">')).toBe(true);
    const css = await fetch(`${base}/site.css`);
    expect(css.headers.get('content-type'), await css.clone().text()).toBe('text/css; charset=utf-8');
    expect((await fetch(`${base}/logo.svg`)).headers.get('content-type')).toBe('image/svg+xml');
    const redirect = await fetch(base, { redirect: 'manual' });
    expect([redirect.status, redirect.headers.get('location')]).toEqual([301, `/sites/${tenantId}/lotus-tea-house/`]);

    const missing = await fetch(`${base}/nope.html`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ error: { code: 'site_not_found', message: expect.stringContaining('nope.html') } });
    for (const inherited of ['constructor', '__proto__', 'toString']) expect((await fetch(`${base}/${inherited}`)).status).toBe(404);
    expect((await fetch(`${hub.url}/sites/${tenantId}/other/`)).status).toBe(404);
    expect((await fetch(`${hub.url}/sites/ten_someone_else/lotus-tea-house/`)).status).toBe(404);

    const solution = await fetch(`${base}/_solution.html`);
    expect(solution.status).toBe(200);
    expect(solution.headers.get('content-security-policy')).toMatch(/style-src 'sha256-[A-Za-z0-9+/=]+'/);
    expect(await solution.text()).toContain('A bilingual website for Lotus Tea House');
    const pdf = await fetch(`${base}/_solution.pdf`);
    expect(pdf.headers.get('content-type')).toBe('application/pdf');
    expect(
      Buffer.from(await pdf.arrayBuffer())
        .subarray(0, 5)
        .toString(),
    ).toBe('%PDF-');
  });

  it('shows the build cost from the ledger: the plan and builder tokens of the run and its children', SLOW, async () => {
    const deadline = Date.now() + 20_000;
    let cost: Json = {};
    while (Date.now() < deadline) {
      cost = (await admin('GET', `/admin/v1/apps/site-builder/runs/${String(firstRun.id)}/cost?tenant_id=${tenantId}`)).body;
      if (Number(cost.model_calls) >= 5) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    // One plan call and two turns in each of two build rounds.
    expect(cost).toMatchObject({
      object: 'site.build_cost',
      run_id: firstRun.id,
      model_calls: 5,
      input_tokens: (firstRun.usage as Json).input_tokens,
    });
    expect(Number(cost.input_tokens)).toBeGreaterThan(100);
    expect(Number(cost.output_tokens)).toBeGreaterThan(100);
    expect(Number(cost.cost_usd)).toBeGreaterThan(0);
    // The run's usage counts its model calls; the build's cost adds the draft sandbox's storage, billed when it ended.
    const usage = Number((firstRun.usage as Json).cost_usd);
    if (Number(cost.sandbox_calls) > 0) expect(Number(cost.cost_usd)).toBeGreaterThan(usage);
    else expect(Number(cost.cost_usd)).toBe(usage);
  });

  it('keeps the previous version on re-publishing, and rolls back to it', SLOW, async () => {
    const second = await build(false);
    expect(second.status, JSON.stringify(second.error)).toBe('completed');
    expect((second.output as { site: Json }).site.version).toBe(2);
    const versions = await admin('GET', `/admin/v1/apps/site-builder/sites/lotus-tea-house/versions?tenant_id=${tenantId}`);
    expect((versions.body.data as Json[]).map((version) => [version.version, version.current])).toEqual([
      [2, true],
      [1, false],
    ]);
    const base = `${hub.url}/sites/${tenantId}/lotus-tea-house/`;
    expect((await fetch(base)).headers.get('x-tokenhub-site-version')).toBe('2');
    const rolledBack = await admin('POST', '/admin/v1/apps/site-builder/sites/lotus-tea-house/rollback', { tenant_id: tenantId });
    expect(rolledBack.body).toMatchObject({ version: 1, current: true });
    expect((await fetch(base)).headers.get('x-tokenhub-site-version')).toBe('1');
    const none = await admin('POST', '/admin/v1/apps/site-builder/sites/lotus-tea-house/rollback', { tenant_id: tenantId });
    expect([none.status, (none.body.error as Json).code]).toEqual([404, 'site_version_not_found']);
  });

  it.skipIf(!existsSync(CHROMIUM))('loads in Chromium under its CSP with no violation, and passes axe-core', SLOW, async () => {
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu'] });
    try {
      const page = await browser.newPage({ viewport: { width: 1000, height: 700 } });
      const errors: string[] = [];
      page.on('console', (message) => {
        // A CSP refusal is logged as an error; a missing resource is caught by its response below.
        if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) errors.push(message.text());
      });
      const failed: string[] = [];
      page.on('requestfailed', (request) => failed.push(request.url()));
      page.on('response', (response) => {
        // The browser asks for /favicon.ico by itself, outside the site.
        if (response.status() >= 400 && !response.url().endsWith('/favicon.ico')) failed.push(`${response.status()} ${response.url()}`);
      });
      await page.goto(`${hub.url}/sites/${tenantId}/lotus-tea-house/`);
      expect(await page.title()).toBe('Lotus Tea House — loose-leaf tea in Soho');
      // The stylesheet applied (not refused by the CSP): the header has the plan's primary colour.
      expect(
        await page
          .locator('header')
          .evaluate(
            (element) =>
              (globalThis as unknown as { getComputedStyle(e: unknown): { backgroundColor: string } }).getComputedStyle(element)
                .backgroundColor,
          ),
      ).toBe('rgb(31, 95, 139)');
      expect(await page.locator('img').evaluate((image) => (image as unknown as { naturalWidth: number }).naturalWidth)).toBeGreaterThan(0);
      expect(errors, errors.join('\n')).toEqual([]);
      expect(failed, failed.join('\n')).toEqual([]);
      // Evaluated over the DevTools protocol, so the page's CSP (no script) does not stop axe itself.
      await page.evaluate(createRequire(import.meta.url)('axe-core').source as string);
      const violations = await page.evaluate(async () =>
        (await (globalThis as unknown as { axe: { run(): Promise<{ violations: { id: string }[] }> } }).axe.run()).violations.map(
          (v) => v.id,
        ),
      );
      expect(violations).toEqual([]);
      const dir = join(process.cwd(), 'test-results', 'site-builder');
      await mkdir(dir, { recursive: true });
      await page.screenshot({ path: join(dir, 'published-site.png'), fullPage: true });
    } finally {
      await browser.close();
    }
  });
});
