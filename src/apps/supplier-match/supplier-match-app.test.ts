/**
 * The supplier-matching app through the HTTP API of a real hub (scripted model): install (catalogue, agent,
 * workflow), the agent searching with its tool, the workflow shortlisting, comparing and drafting RFQs and
 * pausing for a person, the person approving two, the replies compared; catalogue import with its 400s.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { admin, createKey, createTenant } from '../../../test/support/economy.js';
import { startTestHub, type TestHub } from '../../../test/support/hub.js';
import { call, type Json } from '../../../test/support/workflows.js';

const SLOW = { timeout: 120_000 };

describe('the supplier-match app over HTTP', () => {
  let hub: TestHub;
  let tenantId: string;
  let key: string;
  let installationId: string;

  const adminCall = (method: string, path: string, body?: unknown) => call(hub, method, path, hub.adminKey, body);
  const until = async (runId: string, statuses: string[]): Promise<Json> => {
    const deadline = Date.now() + 20_000;
    for (;;) {
      const read = await call(hub, 'GET', `/v1/workflow-runs/${runId}`, key);
      if (statuses.includes(String(read.body.status))) return read.body;
      if (Date.now() > deadline) throw new Error(`run ${runId} stayed ${String(read.body.status)}: ${JSON.stringify(read.body)}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };

  beforeAll(async () => {
    hub = await startTestHub({
      providers: [{ id: 'script', type: 'scripted' }],
      models: [{ name: 'scripted', targets: [{ provider: 'script', model: 'scripted' }] }],
    });
    tenantId = (await createTenant(hub, 'seller')).id;
    key = (await createKey(hub, { tenant_id: tenantId, scopes: ['agents:write', 'agents:run'] })).key;
  }, 120_000);
  afterAll(async () => {
    await hub?.close();
  });

  it('installs a catalogue of 3,000 suppliers, the agent and the workflow; a second install of the name is a 409', SLOW, async () => {
    const installed = await adminCall('POST', '/admin/v1/apps/supplier-match/install', { tenant_id: tenantId, model: 'scripted' });
    expect(installed.status, JSON.stringify(installed.body)).toBe(201);
    expect(installed.body).toMatchObject({ agent: 'supplier-match', workflow: 'supplier-match', suppliers: 3000 });
    installationId = String((installed.body.installation as Json).id);
    expect(installed.body.installation).toMatchObject({
      app: 'supplier-match',
      tenant_id: tenantId,
      name: 'supplier-match',
      chat_url: null,
    });
    const again = await adminCall('POST', '/admin/v1/apps/supplier-match/install', { tenant_id: tenantId, model: 'scripted' });
    expect(again.status).toBe(409);
    const listed = await admin<{ data: Json[] }>(hub, 'GET', `/admin/v1/apps/supplier-match?tenant_id=${tenantId}`);
    expect(listed.data.map((entry) => entry.id)).toEqual([installationId]);
    const workflow = await call(hub, 'GET', '/v1/workflows/supplier-match', key);
    expect(workflow.status).toBe(200);
  });

  it('lets the agent search the catalogue with its tool, each result explained', SLOW, async () => {
    hub.hub.scripted('script').setScript([
      {
        tool_calls: [
          {
            name: 'search_suppliers',
            arguments: { query: 'bluetooth speaker', quantity: 2000, target_price_usd: 9, certifications: ['CE'], market: 'EU', limit: 3 },
          },
        ],
      },
      { when: { last_tool_result_contains: 'sup_' }, text: 'Three factories fit.' },
    ]);
    const run = await call(hub, 'POST', '/v1/agents/supplier-match/runs', key, { input: 'I need 2,000 bluetooth speakers for the EU.' });
    expect(run.status, JSON.stringify(run.body)).toBe(200);
    expect(run.body.status).toBe('completed');
    const script = hub.hub.scripted('script');
    const toolMessage = script.calls.at(-1)?.request.messages.find((message) => message.role === 'tool');
    const content = JSON.parse(String(toolMessage?.content)) as {
      supplier_ids: string[];
      results: { why: string; unit_price_usd: string; certifications: string[] }[];
    };
    expect(content.supplier_ids).toHaveLength(3);
    for (const result of content.results) {
      expect(result.certifications).toContain('CE');
      expect(Number(result.unit_price_usd)).toBeLessThanOrEqual(9);
      expect(result.why).toMatch(/meets MOQ \d+ \(you need 2000\).*price tier [123] of 3/);
    }
  });

  it('runs the workflow to the approval, and compares the replies of the two RFQs a person approved', SLOW, async () => {
    hub.hub
      .scripted('script')
      .setScript([{ text: 'I will look for CE-certified bluetooth speaker factories exporting to the EU.', repeat: true }]);
    const input = { product: 'bluetooth speaker', quantity: 2000, target_price_usd: 9, market: 'EU', certifications: ['CE'] };
    const started = await call(hub, 'POST', '/v1/workflows/supplier-match/runs', key, { input });
    expect(started.status, JSON.stringify(started.body)).toBe(200);
    const runId = String(started.body.id);
    const paused = await until(runId, ['waiting_approval', 'failed']);
    expect(paused.status, JSON.stringify(paused.error)).toBe('waiting_approval');
    const steps = paused.steps as { id: string; status: string; output: Json }[];
    const shortlist = steps.find((step) => step.id === 'shortlist')?.output.json as { supplier_ids: string[] };
    // At most the 5 asked for; the generated catalogue has 4 CE-certified EU exporters of speakers at ≤ $9 for 2,000.
    expect(shortlist.supplier_ids).toHaveLength(4);
    const compare = steps.find((step) => step.id === 'compare')?.output.json as { table: string };
    expect(compare.table).toMatch(/^\| supplier \| location \| MOQ \| tier \| unit price \|/);
    const drafts = steps.find((step) => step.id === 'drafts')?.output.json as { rfqs: { body_en: string; body_zh: string }[] };
    expect(drafts.rfqs).toHaveLength(shortlist.supplier_ids.length);
    expect(drafts.rfqs[0]?.body_en).toContain('2000 units of bluetooth speaker for the EU market');
    expect(drafts.rfqs[0]?.body_zh).toContain('CE认证');
    expect(paused.pending).toEqual([
      expect.objectContaining({ call_id: 'approve', mode: 'form', title: 'Send RFQs for 2000 × bluetooth speaker?' }),
    ]);

    const chosen = shortlist.supplier_ids.slice(0, 2);
    const decided = await call(hub, 'POST', `/v1/workflow-runs/${runId}/decisions`, key, {
      call_id: 'approve',
      decision: 'approve',
      values: { send_to: chosen.join(', ') },
    });
    expect(decided.status, JSON.stringify(decided.body)).toBeLessThan(300);
    const done = await until(runId, ['completed', 'failed']);
    expect(done.status, JSON.stringify(done.error)).toBe('completed');
    const output = done.output as {
      approved: boolean;
      replies: { json: { sent_to: string[]; replies: { supplier_id: string; unit_price_usd: string }[]; table: string } };
    };
    expect(output.approved).toBe(true);
    expect(output.replies.json.sent_to).toEqual(chosen);
    expect(output.replies.json.replies.map((reply) => reply.supplier_id).sort()).toEqual([...chosen].sort());
    const prices = output.replies.json.replies.map((reply) => Number(reply.unit_price_usd));
    expect(prices).toEqual([...prices].sort((left, right) => left - right));
    expect(output.replies.json.table).toMatch(/^\| supplier \| unit price \| total \| lead days \| MOQ \| within target \|/);
  });

  it('skips the replies when the person rejects', SLOW, async () => {
    const started = await call(hub, 'POST', '/v1/workflows/supplier-match/runs', key, { input: { product: '蓝牙音箱', quantity: 1000 } });
    const runId = String(started.body.id);
    await until(runId, ['waiting_approval']);
    await call(hub, 'POST', `/v1/workflow-runs/${runId}/decisions`, key, { call_id: 'approve', decision: 'reject', reason: 'not now' });
    const done = await until(runId, ['completed', 'failed']);
    expect(done.status, JSON.stringify(done.error)).toBe('completed');
    expect(done.output).toMatchObject({ approved: false, replies: null });
  });

  it('imports a real catalogue from CSV, naming the row and field of a bad one', SLOW, async () => {
    const header = 'id,name_en,name_zh,category,products,products_zh,moq,tier1_unit_price_cents,lead_days,certifications,export_markets';
    const bad = await adminCall('PUT', `/admin/v1/apps/supplier-match/${installationId}/catalogue`, {
      csv: `${header}\nf1,Acme,,packaging,box,,1000,45,14,FSC,EU\nf2,Bad,,packaging,box,,1000,-3,14,,EU\n`,
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatchObject({
      code: 'invalid_catalogue',
      param: 'rows[2].price_tiers.0.unit_price_cents',
      type: 'invalid_request_error',
    });
    expect(String((bad.body.error as Json).message)).toMatch(/row 2, price_tiers\.0\.unit_price_cents/);
    const good = await adminCall('PUT', `/admin/v1/apps/supplier-match/${installationId}/catalogue`, {
      csv: `${header}\nf1,Acme Packaging,艾克米包装有限公司,packaging,kraft mailer,牛皮纸邮寄袋,1000,45,14,FSC,EU\n`,
    });
    expect(good.status, JSON.stringify(good.body)).toBe(200);
    expect(good.body).toEqual({ object: 'app.catalogue', installation: installationId, suppliers: 1 });
    const other = await adminCall('PUT', '/admin/v1/apps/supplier-match/ins_missing/catalogue', { csv: `${header}\n` });
    expect(other.status).toBe(404);
    // The agent's search now sees the imported catalogue only, in Chinese too.
    hub.hub
      .scripted('script')
      .setScript([
        { tool_calls: [{ name: 'search_suppliers', arguments: { query: '邮寄袋' } }] },
        { when: { last_tool_result_contains: 'f1' }, text: 'Acme.' },
      ]);
    const run = await call(hub, 'POST', '/v1/agents/supplier-match/runs', key, { input: '牛皮纸邮寄袋' });
    expect(run.body.status, JSON.stringify(run.body)).toBe('completed');
  });
});
