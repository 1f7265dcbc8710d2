/**
 * `/mcp` end to end: the SDK's own client over streamable HTTP lists a tenant's agents as tools and calls
 * them; every call is a run billed to its agent and run, and only a key with `agents:run` gets in.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport, StreamableHTTPError } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createKey, createTenant, ledgerRows } from '../support/economy.js';
import { startTestHub, type TestHub } from '../support/hub.js';

let hub: TestHub;
let tenantId: string;
let writer: string;
let otherWriter: string;
const clients: Client[] = [];

beforeAll(async () => {
  hub = await startTestHub({
    providers: [{ id: 'script', type: 'scripted' }],
    models: [
      { name: 'scripted', targets: [{ provider: 'script', model: 'scripted' }], pricing: { input_per_mtok: 10, output_per_mtok: 30 } },
    ],
  });
  const tenant = await createTenant(hub, 'mcp-a');
  tenantId = tenant.id;
  writer = (await createKey(hub, { tenant_id: tenant.id, scopes: ['agents:write', 'agents:run'] })).key;
  const other = await createTenant(hub, 'mcp-b');
  otherWriter = (await createKey(hub, { tenant_id: other.id, scopes: ['agents:write', 'agents:run'] })).key;

  await define(writer, {
    name: 'helper',
    model: 'scripted',
    instructions: 'You help.',
    metadata: { description: 'Answers questions about orders.' },
  });
  await define(writer, { name: 'greeter', model: 'scripted', instructions: '\n  Greets people warmly.\nAlways in English.' });
  await define(writer, { name: 'specialist', model: 'scripted', tools: [{ type: 'builtin', name: 'transfer_to_human' }] });
  await define(otherWriter, { name: 'outsider', model: 'scripted', instructions: 'Another tenant.' });
});

afterAll(async () => {
  await hub?.close();
});

beforeEach(() => {
  hub.hub.scripted('script').setScript([]);
});

afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.close()));
});

async function define(key: string, agent: Record<string, unknown>): Promise<void> {
  const response = await fetch(`${hub.url}/v1/agents`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify(agent),
  });
  if (response.status !== 201) throw new Error(`define ${String(agent.name)}: ${response.status} ${await response.text()}`);
}

async function connect(key: string): Promise<Client> {
  const client = new Client({ name: 'agent-mcp-test', version: '1' });
  const transport = new StreamableHTTPClientTransport(new URL(`${hub.url}/mcp`), {
    requestInit: { headers: { authorization: `Bearer ${key}` } },
  });
  clients.push(client);
  await client.connect(transport);
  return client;
}

const textOf = (result: CallToolResult): string => result.content.map((part) => (part.type === 'text' ? part.text : '')).join('');

describe('agents over MCP', () => {
  it("lists the caller's tenant's agents as tools, and only those", async () => {
    const client = await connect(writer);
    expect(client.getServerCapabilities()?.tools).toBeDefined();
    const { tools } = await client.listTools();
    expect(tools.map((tool) => tool.name)).toEqual(['greeter', 'helper', 'specialist']);
    const byName = new Map(tools.map((tool) => [tool.name, tool]));
    expect(byName.get('helper')?.description).toBe('Answers questions about orders.');
    expect(byName.get('greeter')?.description).toBe('Greets people warmly.');
    expect(byName.get('specialist')?.description).toBe('Runs the agent `specialist`.');
    expect(byName.get('helper')?.inputSchema).toMatchObject({
      type: 'object',
      properties: { input: { type: 'string' } },
      required: ['input'],
    });

    const other = await connect(otherWriter);
    expect((await other.listTools()).tools.map((tool) => tool.name)).toEqual(['outsider']);
  });

  it('runs the agent a tool call names and answers its final text, billed to the agent and run', async () => {
    hub.hub.scripted('script').setScript([{ text: 'Order 42 ships tomorrow.' }]);
    const client = await connect(writer);
    const result = (await client.callTool({ name: 'helper', arguments: { input: 'When does order 42 ship?' } })) as CallToolResult;
    expect(result.isError ?? false).toBe(false);
    expect(result.content).toEqual([{ type: 'text', text: 'Order 42 ships tomorrow.' }]);
    const runId = String(result._meta?.['tokenhub/run_id']);
    expect(runId).toMatch(/^run_/);
    expect(result._meta?.['tokenhub/status']).toBe('completed');

    const run = await hub.hub.agents.runs.get(tenantId, runId);
    expect(run).toMatchObject({ subject: 'helper', status: 'completed' });
    expect(JSON.stringify(hub.hub.scripted('script').calls[0])).toContain('When does order 42 ship?');
    const rows = (await ledgerRows(hub)).filter((row) => row.run_id === runId);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ agent: 'helper', run_id: runId, tenant_id: tenantId, surface: 'internal' });
  });

  it('answers a run that ends other than completed, an unknown agent and bad arguments as tool errors', async () => {
    hub.hub
      .scripted('script')
      .setScript([
        { tool_calls: [{ name: 'transfer_to_human', arguments: { summary: 'Wants a refund over the limit', reason: 'policy' } }] },
      ]);
    const client = await connect(writer);
    const handedOff = (await client.callTool({ name: 'specialist', arguments: { input: 'Refund me 5000' } })) as CallToolResult;
    expect(handedOff.isError).toBe(true);
    expect(textOf(handedOff)).toContain('handed off to a person: Wants a refund over the limit');
    expect(handedOff._meta?.['tokenhub/status']).toBe('handed_off');
    expect(String(handedOff._meta?.['tokenhub/run_id'])).toMatch(/^run_/);

    const unknown = (await client.callTool({ name: 'outsider', arguments: { input: 'hi' } })) as CallToolResult;
    expect(unknown).toMatchObject({ isError: true });
    expect(textOf(unknown)).toContain('No agent named `outsider`');

    const missing = (await client.callTool({ name: 'helper', arguments: {} })) as CallToolResult;
    expect(missing).toMatchObject({ isError: true });
    expect(textOf(missing)).toMatch(/^Invalid input/);
  });

  it('refuses a key without agents:run (403) and a missing or unknown key (401)', async () => {
    const inference = (await createKey(hub, { tenant_id: tenantId })).key;
    const refused = await connect(inference).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(StreamableHTTPError);
    expect((refused as StreamableHTTPError).code).toBe(403);
    expect(String(refused)).toContain('missing_scope');

    const unknown = await connect('thk_not_a_key').catch((error: unknown) => error);
    expect((unknown as StreamableHTTPError).code).toBe(401);

    const raw = await fetch(`${hub.url}/mcp`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 7, method: 'tools/list' }),
    });
    expect(raw.status).toBe(401);
    expect(raw.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect(await raw.json()).toMatchObject({ jsonrpc: '2.0', id: 7, error: { code: -32000 } });
  });

  it('offers no server stream and no session: GET and DELETE are 405', async () => {
    for (const method of ['GET', 'DELETE']) {
      const response = await fetch(`${hub.url}/mcp`, { method, headers: { authorization: `Bearer ${writer}` } });
      expect(response.status).toBe(405);
      expect(response.headers.get('allow')).toBe('POST');
    }
  });
});
