/**
 * What operators see of agent runs: usage by agent and by run (read from the ledger, exactly a run's rows),
 * Prometheus metrics of runs, steps and tools, and `invoke_agent` / `execute_tool` spans with the model calls'
 * `chat` spans inside them.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ListResponse, MeUsageResponse, UsageRow } from '../../src/admin/contract.js';
import { usdToPicos } from '../../src/core/index.js';
import { admin, createKey, createTenant, ledgerRows } from '../support/economy.js';
import { startTestHub, type TestHub } from '../support/hub.js';

interface OtlpValue {
  stringValue?: string;
  intValue?: string | number;
  boolValue?: boolean;
}
interface OtlpSpan {
  name: string;
  spanId: string;
  parentSpanId?: string;
  traceId: string;
  kind: number;
  attributes: { key: string; value: OtlpValue }[];
  status?: { code?: number };
}
interface Span {
  name: string;
  spanId: string;
  parentSpanId: string | undefined;
  traceId: string;
  kind: number;
  attributes: Record<string, unknown>;
  status: number;
}

let hub: TestHub;
let tools: Server;
let toolsUrl: string;
let collector: Server;
const exported: string[] = [];
let tenantId: string;
let key: string;
let otherTenantId: string;
let otherKey: string;

beforeAll(async () => {
  collector = createServer((request, response) => {
    const parts: Buffer[] = [];
    request.on('data', (part: Buffer) => parts.push(part));
    request.on('end', () => {
      exported.push(Buffer.concat(parts).toString('utf8'));
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => collector.listen(0, '127.0.0.1', resolve));
  tools = createServer((request, response) => {
    const failing = request.url?.startsWith('/broken') === true;
    response.writeHead(failing ? 500 : 200, { 'content-type': 'application/json' });
    response.end(JSON.stringify(failing ? { error: 'down' } : { status: 'delivered' }));
  });
  await new Promise<void>((resolve) => tools.listen(0, '127.0.0.1', resolve));
  toolsUrl = `http://127.0.0.1:${(tools.address() as AddressInfo).port}`;
  hub = await startTestHub(
    {
      providers: [{ id: 'script', type: 'scripted' }],
      models: [
        { name: 'scripted', targets: [{ provider: 'script', model: 'scripted' }], pricing: { input_per_mtok: 10, output_per_mtok: 30 } },
      ],
    },
    { otlpEndpoint: `http://127.0.0.1:${(collector.address() as AddressInfo).port}/v1/traces` },
  );
  tenantId = (await createTenant(hub, 'observed')).id;
  key = (await createKey(hub, { tenant_id: tenantId, scopes: ['agents:write', 'agents:run'] })).key;
  otherTenantId = (await createTenant(hub, 'observed-other')).id;
  otherKey = (await createKey(hub, { tenant_id: otherTenantId, scopes: ['agents:write', 'agents:run'] })).key;
});

afterAll(async () => {
  await hub?.close();
  await new Promise<void>((resolve) => tools?.close(() => resolve()));
  await new Promise<void>((resolve) => collector?.close(() => resolve()));
});

async function call(
  method: string,
  path: string,
  body?: unknown,
  bearer = key,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${hub.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${bearer}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

const orderTool = (name: string, path: string) => ({
  type: 'http',
  name,
  description: 'Look an order up',
  parameters: { type: 'object', properties: { order_id: { type: 'string' } }, required: ['order_id'] },
  request: { method: 'GET', url: `${toolsUrl}/${path}/{order_id}` },
  idempotent: true,
});

/** Runs `agent` once through a builtin and an HTTP tool (and one that fails): three tool calls, two model calls. */
async function runOnce(agent: string, bearer = key): Promise<Record<string, unknown>> {
  hub.hub.scripted('script').setScript([
    {
      tool_calls: [
        { name: 'lookup_order', arguments: { order_id: 'W1' } },
        { name: 'lookup_broken', arguments: { order_id: 'W1' } },
        { name: 'calculator', arguments: { expression: '2 + 3' } },
      ],
      usage: { input_tokens: 40, output_tokens: 8 },
    },
    { text: 'Delivered; 5.', usage: { input_tokens: 70, output_tokens: 5 } },
  ]);
  const run = await call('POST', `/v1/agents/${agent}/runs`, { input: 'Where is W1?' }, bearer);
  expect(run.status, JSON.stringify(run.body)).toBe(200);
  expect(run.body.status).toBe('completed');
  return run.body;
}

const definition = (name: string) => ({
  name,
  model: 'scripted',
  instructions: `You are ${name}.`,
  tools: [{ type: 'builtin', name: 'calculator' }, orderTool('lookup_order', 'orders'), orderTool('lookup_broken', 'broken')],
});

let first: Record<string, unknown>;
let second: Record<string, unknown>;
let foreign: Record<string, unknown>;

describe('agent usage, metrics and traces', () => {
  beforeAll(async () => {
    expect((await call('POST', '/v1/agents', definition('observer'))).status).toBe(201);
    expect((await call('POST', '/v1/agents', definition('observer'), otherKey)).status).toBe(201);
    first = await runOnce('observer');
    second = await runOnce('observer');
    foreign = await runOnce('observer', otherKey);
    await hub.hub.economy.flush();
  });

  it("reports a run's usage by run from the ledger: exactly its rows, and the run's own usage", async () => {
    const runId = String(first.id);
    const rows = (await ledgerRows(hub)).filter((row) => row.run_id === runId);
    expect(rows).toHaveLength(2);
    const byRun = await admin<ListResponse<UsageRow>>(hub, 'GET', `/admin/v1/usage?tenant_id=${tenantId}&group_by=run&run_id=${runId}`);
    expect(byRun.data).toEqual([
      {
        group: runId,
        requests: rows.length,
        errors: rows.filter((row) => row.status >= 400).length,
        prompt_tokens: rows.reduce((sum, row) => sum + row.prompt_tokens, 0),
        completion_tokens: rows.reduce((sum, row) => sum + row.completion_tokens, 0),
        cached_tokens: 0,
        cost_usd: expect.any(String),
      },
    ]);
    const cost = usdToPicos(byRun.data[0]?.cost_usd ?? '0');
    expect(cost).toBe(rows.reduce((sum, row) => sum + usdToPicos(row.cost_usd), 0n));
    const usage = first.usage as { input_tokens: number; output_tokens: number; cost_usd: string };
    expect(cost).toBe(usdToPicos(usage.cost_usd));
    expect(byRun.data[0]?.prompt_tokens).toBe(usage.input_tokens);
    expect(byRun.data[0]?.completion_tokens).toBe(usage.output_tokens);

    // Grouped by run, a tenant sees its own runs only; across tenants (no tenant_id) the admin sees all three.
    const runs = await admin<ListResponse<UsageRow>>(hub, 'GET', `/admin/v1/usage?tenant_id=${tenantId}&group_by=run`);
    expect(runs.data.map((row) => row.group).sort()).toEqual([String(first.id), String(second.id)].sort());
    const everyRun = await admin<ListResponse<UsageRow>>(hub, 'GET', '/admin/v1/usage?group_by=run');
    expect(everyRun.data.map((row) => row.group)).toContain(String(foreign.id));
  });

  it('groups by agent within a tenant, filters by agent, and refuses bad values with a 400', async () => {
    const byAgent = await admin<ListResponse<UsageRow>>(hub, 'GET', `/admin/v1/usage?tenant_id=${tenantId}&group_by=agent`);
    expect(byAgent.data).toHaveLength(1);
    expect(byAgent.data[0]).toMatchObject({ group: 'observer', requests: 4, prompt_tokens: 220, completion_tokens: 26 });
    const filtered = await admin<ListResponse<UsageRow>>(
      hub,
      'GET',
      `/admin/v1/usage?tenant_id=${otherTenantId}&agent=observer&group_by=none`,
    );
    expect(filtered.data).toEqual([expect.objectContaining({ group: 'all', requests: 2, prompt_tokens: 110 })]);
    const byModel = await admin<ListResponse<UsageRow>>(hub, 'GET', `/admin/v1/usage?tenant_id=${tenantId}&run_id=${String(second.id)}`);
    expect(byModel.data).toEqual([expect.objectContaining({ group: 'scripted', requests: 2 })]);

    for (const query of ['group_by=agents', 'run_id=run%20one', 'agent=bad%20name!', 'agent=']) {
      const refused = await fetch(`${hub.url}/admin/v1/usage?${query}`, { headers: { authorization: `Bearer ${hub.adminKey}` } });
      expect(refused.status, query).toBe(400);
    }
  });

  it('lets a key read its own usage by agent', async () => {
    const mine = await call('GET', '/v1/me/usage?group_by=agent');
    expect(mine.status).toBe(200);
    expect((mine.body as unknown as MeUsageResponse).usage).toEqual([
      expect.objectContaining({ group: 'observer', requests: 4, prompt_tokens: 220 }),
    ]);
    expect((await call('GET', '/v1/me/usage?group_by=run')).status).toBe(400);
  });

  it('exports run, step, tool and cost metrics without agent names as labels', async () => {
    const text = await (await fetch(`${hub.url}/metrics`)).text();
    const value = (series: string): number => Number(new RegExp(`^${escapeRegExp(series)} (\\S+)$`, 'm').exec(text)?.[1] ?? Number.NaN);
    expect(value('tokenhub_agent_runs_total{status="completed"}')).toBe(3);
    expect(value('tokenhub_agent_steps_total{kind="model",status="finished"}')).toBe(6);
    expect(value('tokenhub_agent_steps_total{kind="tool",status="finished"}')).toBe(9);
    expect(value('tokenhub_agent_tool_duration_seconds_count{type="http"}')).toBe(6);
    expect(value('tokenhub_agent_tool_duration_seconds_count{type="builtin"}')).toBe(3);
    expect(value('tokenhub_agent_tool_errors_total{type="http"}')).toBe(3);
    expect(text).not.toMatch(/tokenhub_agent_tool_errors_total\{type="builtin"\}/);
    const cost = value(`tokenhub_agent_run_cost_usd_total{tenant="${tenantId}"}`);
    expect(cost).toBeCloseTo(Number(first.usage && (first.usage as { cost_usd: string }).cost_usd) * 2, 9);
    expect(text).not.toMatch(/tokenhub_agent_[a-z_]+\{[^}]*observer/);
  });

  it('traces each run as invoke_agent with its tool calls and model calls inside', async () => {
    await hub.hub.tracer.flush();
    const spans = spansOf(exported);
    const runId = String(first.id);
    const invoke = spans.find((span) => span.name === 'invoke_agent observer' && span.attributes['tokenhub.run_id'] === runId);
    expect(invoke?.attributes).toMatchObject({
      'gen_ai.operation.name': 'invoke_agent',
      'gen_ai.agent.name': 'observer',
      'tokenhub.tenant_id': tenantId,
      'tokenhub.agent.version': 1,
      'tokenhub.run.attempt': 1,
      'tokenhub.run.status': 'completed',
    });
    expect(invoke?.kind).toBe(1); // INTERNAL
    const inside = spans.filter((span) => span.parentSpanId === invoke?.spanId);
    expect(inside.every((span) => span.traceId === invoke?.traceId)).toBe(true);
    const chats = inside.filter((span) => span.attributes['gen_ai.operation.name'] === 'chat');
    expect(chats).toHaveLength(2);
    expect(chats[0]?.attributes).toMatchObject({ 'gen_ai.request.model': 'scripted', 'tokenhub.surface': 'internal' });
    const toolSpans = inside.filter((span) => span.attributes['gen_ai.operation.name'] === 'execute_tool');
    expect(toolSpans.map((span) => span.name).sort()).toEqual([
      'execute_tool calculator',
      'execute_tool lookup_broken',
      'execute_tool lookup_order',
    ]);
    const broken = toolSpans.find((span) => span.attributes['gen_ai.tool.name'] === 'lookup_broken');
    expect(broken?.attributes).toMatchObject({
      'gen_ai.tool.type': 'extension',
      'tokenhub.tool.type': 'http',
      'error.type': 'tool_error',
    });
    expect(broken?.status).toBe(2);
    expect(typeof broken?.attributes['gen_ai.tool.call.id']).toBe('string');
    const calculator = toolSpans.find((span) => span.attributes['gen_ai.tool.name'] === 'calculator');
    expect(calculator?.attributes).toMatchObject({ 'gen_ai.tool.type': 'function', 'tokenhub.tool.type': 'builtin' });
    expect(calculator?.status).toBe(0);
    // Two runs are two traces.
    const otherInvoke = spans.find(
      (span) => span.name === 'invoke_agent observer' && span.attributes['tokenhub.run_id'] === String(second.id),
    );
    expect(otherInvoke?.traceId).not.toBe(invoke?.traceId);
  });
});

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

const attributeValue = (value: OtlpValue): unknown =>
  value.stringValue ?? (value.intValue !== undefined ? Number(value.intValue) : value.boolValue);

function spansOf(bodies: readonly string[]): Span[] {
  return bodies.flatMap((body) =>
    (JSON.parse(body) as { resourceSpans: { scopeSpans: { spans: OtlpSpan[] }[] }[] }).resourceSpans.flatMap((resource) =>
      resource.scopeSpans.flatMap((scope) =>
        scope.spans.map((span) => ({
          name: span.name,
          spanId: span.spanId,
          parentSpanId: span.parentSpanId || undefined,
          traceId: span.traceId,
          kind: span.kind,
          attributes: Object.fromEntries(span.attributes.map((attribute) => [attribute.key, attributeValue(attribute.value)])),
          status: span.status?.code ?? 0,
        })),
      ),
    ),
  );
}
