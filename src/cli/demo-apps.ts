/**
 * `tokenhub apps demo site-builder` and `tokenhub apps demo supplier-match`: each app end to end on a fresh hub in
 * this process (a temporary data dir, PGlite, a scripted model, so no model or network is needed), the way a
 * newcomer would see it: installed for a tenant, its workflow run to the person's approval, approved, finished,
 * and what it cost, from the ledger. `--keep` leaves the hub running (the published site stays browsable).
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { createHub, type Hub } from '../app.js';
import { DEMO_INTAKE, demoScript } from '../apps/site-builder/index.js';
import { configSchema } from '../config/index.js';
import { generateAdminKey } from '../economy/index.js';
import { demoCaller } from './demo-client.js';

type Json = Record<string, unknown>;
type Print = (line: string) => void;

interface DemoHub {
  hub: Hub;
  url: string;
  tenantId: string;
  key: string;
  call(method: string, path: string, body?: unknown, key?: string): Promise<Json>;
  close(): Promise<void>;
}

async function startDemoHub(tenantName: string): Promise<DemoHub> {
  const dataDir = await mkdtemp(join(tmpdir(), 'tokenhub-demo-'));
  const adminKey = generateAdminKey();
  const chromium = existsSync('/usr/bin/chromium');
  const hub = await createHub({
    config: configSchema.parse({
      providers: [{ id: 'demo-model', type: 'scripted' }],
      models: [
        { name: 'demo', targets: [{ provider: 'demo-model', model: 'scripted' }], pricing: { input_per_mtok: 0.5, output_per_mtok: 1.5 } },
      ],
      ...(chromium ? {} : { apps: { site_builder: { chromium: false } } }),
    }),
    dataDir,
    adminKey,
    logger: pino({ level: 'silent' }),
  });
  const url = await hub.listen(0, '127.0.0.1');
  const call = demoCaller(url, adminKey);
  const tenantId = String((await call('POST', '/admin/v1/tenants', { name: tenantName })).id);
  const key = String((await call('POST', '/admin/v1/keys', { tenant_id: tenantId, scopes: ['agents:write', 'agents:run'] })).key);
  return {
    hub,
    url,
    tenantId,
    key,
    call,
    async close() {
      await hub.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

async function until(demo: DemoHub, runId: string, statuses: string[]): Promise<Json> {
  const deadline = Date.now() + 120_000;
  for (;;) {
    const run = await demo.call('GET', `/v1/workflow-runs/${runId}`, undefined, demo.key);
    if (statuses.includes(String(run.status))) return run;
    if (Date.now() > deadline) throw new Error(`run ${runId} stayed ${String(run.status)}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** What the demo tenant spent: its only work is the one workflow run (its model calls, its children's, its sandbox). */
async function spent(demo: DemoHub, print: Print): Promise<Json> {
  await demo.hub.economy.flush();
  const rows = (await demo.call('GET', `/admin/v1/ledger?tenant_id=${demo.tenantId}&limit=1000`)).data as Json[];
  const tokens = rows.filter((row) => row.usage_kind === 'tokens');
  const sandbox = rows.filter((row) => row.usage_kind === 'sandbox');
  const usd = (list: Json[]) => list.reduce((sum, row) => sum + Number(row.cost_usd), 0).toFixed(6);
  const summary = {
    model_calls: tokens.length,
    prompt_tokens: tokens.reduce((sum, row) => sum + Number(row.prompt_tokens), 0),
    completion_tokens: tokens.reduce((sum, row) => sum + Number(row.completion_tokens), 0),
    tokens_usd: usd(tokens),
    sandbox_usd: usd(sandbox),
  };
  print(
    `  cost, from the ledger: ${summary.model_calls} model calls (${summary.prompt_tokens} + ${summary.completion_tokens} tokens) $${summary.tokens_usd}, sandbox $${summary.sandbox_usd}`,
  );
  return summary;
}

export interface AppDemoResult {
  runStatus: string;
  output: Json;
  cost: Json;
  /** Where the published site is (site-builder). */
  siteUrl?: string;
}

/** The site-builder: a tea shop's bilingual site planned, approved, built in two rounds (the first fails a check), published. */
export async function runSiteBuilderDemo(options: { print?: Print; keep?: boolean } = {}): Promise<AppDemoResult> {
  const print = options.print ?? ((line: string) => process.stdout.write(`${line}\n`));
  const demo = await startDemoHub('lotus-tea-house');
  let keep = false;
  try {
    print(`TokenHub site-builder demo — hub at ${demo.url} (PGlite, a scripted model)`);
    await demo.call('POST', '/admin/v1/apps/site-builder/install', { tenant_id: demo.tenantId, model: 'demo' });
    print('installed site-builder: the builder agent and the site-builder workflow');
    demo.hub.scripted('demo-model').setScript(demoScript({ failFirstRound: true }));
    print(`\n1. The owner fills in the intake: ${String(DEMO_INTAKE.business_name)} — ${String(DEMO_INTAKE.offering)}`);
    const started = await demo.call('POST', '/v1/workflows/site-builder/runs', { input: DEMO_INTAKE }, demo.key);
    const runId = String(started.id);
    const paused = await until(demo, runId, ['waiting_approval', 'failed']);
    const pending = (paused.pending as Json[] | undefined)?.[0];
    print(`2. The plan and solution document wait for the owner: "${String(pending?.title ?? 'approve the plan')}"`);
    await demo.call('POST', `/v1/apps/site-builder/runs/${runId}/approval`, { decision: 'approve' }, demo.key);
    print('   the owner approves (POST /v1/apps/site-builder/runs/{run}/approval; an edited plan may replace the draft)');
    const done = await until(demo, runId, ['completed', 'failed', 'needs_attention', 'budget_exceeded']);
    for (const step of (done.steps as Json[]).filter((candidate) => candidate.id === 'check')) {
      const json = ((step.output as Json | null)?.json ?? {}) as Json;
      print(`3. ${String(step.key)}: ${json.ok ? 'passed' : `failed — ${String(json.summary ?? '').split('\n')[0]}`}`);
    }
    const output = (done.output ?? {}) as Json;
    const site = (output.site ?? {}) as Json;
    const siteUrl = site.url ? `${demo.url}${String(site.url)}` : undefined;
    print(`4. ${String(done.status)}: published version ${String(site.version)} at ${siteUrl ?? '(not published)'}`);
    if (siteUrl) print(`   the solution document: ${siteUrl}_solution.html and ${siteUrl}_solution.pdf`);
    const cost = await spent(demo, print);
    keep = options.keep === true;
    if (keep) print('\nThe hub keeps running: open the site in a browser; Ctrl-C ends the demo.');
    return { runStatus: String(done.status), output, cost, ...(siteUrl ? { siteUrl } : {}) };
  } finally {
    if (!keep) await demo.close();
  }
}

/** The supplier match: a seller's request shortlisted, compared, RFQs drafted, two approved, their replies compared. */
export async function runSupplierMatchDemo(options: { print?: Print } = {}): Promise<AppDemoResult> {
  const print = options.print ?? ((line: string) => process.stdout.write(`${line}\n`));
  const demo = await startDemoHub('speaker-seller');
  try {
    print(`TokenHub supplier-match demo — hub at ${demo.url} (PGlite, a scripted model)`);
    const installed = await demo.call('POST', '/admin/v1/apps/supplier-match/install', { tenant_id: demo.tenantId, model: 'demo' });
    print(`installed supplier-match: a generated catalogue of ${String(installed.suppliers)} factories, the agent and the workflow`);
    demo.hub
      .scripted('demo-model')
      .setScript([{ text: 'I will look for CE-certified bluetooth speaker factories that export to the EU.', repeat: true }]);
    const input = { product: 'bluetooth speaker', quantity: 2000, target_price_usd: 9, market: 'EU', certifications: ['CE'] };
    print(`\n1. The seller asks: ${JSON.stringify(input)}`);
    const started = await demo.call('POST', '/v1/workflows/supplier-match/runs', { input }, demo.key);
    const runId = String(started.id);
    const paused = await until(demo, runId, ['waiting_approval', 'failed']);
    const steps = paused.steps as { id: string; output: Json | null }[];
    const shortlist = (steps.find((step) => step.id === 'shortlist')?.output?.json ?? {}) as { supplier_ids?: string[] };
    const table = (steps.find((step) => step.id === 'compare')?.output?.json ?? {}) as { table?: string };
    print(`2. Shortlisted ${shortlist.supplier_ids?.length ?? 0} suppliers:\n${table.table ?? ''}`);
    const chosen = (shortlist.supplier_ids ?? []).slice(0, 2);
    await demo.call(
      'POST',
      `/v1/workflow-runs/${runId}/decisions`,
      { call_id: 'approve', decision: 'approve', values: { send_to: chosen.join(', ') } },
      demo.key,
    );
    print(`3. The seller approves RFQs to ${chosen.join(' and ')}`);
    const done = await until(demo, runId, ['completed', 'failed']);
    const output = (done.output ?? {}) as Json;
    const replies = ((output.replies as Json | undefined)?.json ?? {}) as { table?: string };
    print(`4. ${String(done.status)}: the replies compared:\n${replies.table ?? ''}`);
    const cost = await spent(demo, print);
    return { runStatus: String(done.status), output, cost };
  } finally {
    await demo.close();
  }
}
