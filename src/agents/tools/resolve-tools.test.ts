import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeMcpHttpServer, startFakeMcpHttpServer } from '../../../test/fake-upstreams/mcp.js';
import { guardedDispatcher } from '../../../test/support/guarded-dispatcher.js';
import { type ResolveToolsDeps, resolveTools } from './resolve-tools.js';
import { type ToolDefinition, toolDefinitionSchema } from './tool-definitions.js';

let mcp: FakeMcpHttpServer;
let api: Server;
let apiUrl: string;
beforeAll(async () => {
  mcp = await startFakeMcpHttpServer();
  api = createServer((_request, response) => response.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"shipped"}'));
  await new Promise<void>((resolve) => api.listen(0, '127.0.0.1', resolve));
  apiUrl = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await mcp?.close();
  api?.closeAllConnections();
  await new Promise((resolve) => api?.close(resolve));
});

const deps = (): ResolveToolsDeps => ({ dispatcher: guardedDispatcher(), resolveSecret: () => Promise.resolve(undefined) });
const parse = (inputs: unknown[]): ToolDefinition[] => inputs.map((input) => toolDefinitionSchema.parse(input));
const context = { tenantId: 't', runId: 'r', callId: 'c', idempotencyKey: 'r:c', signal: new AbortController().signal };

describe('resolveTools', () => {
  it('resolves builtin, http and mcp definitions into one tool list, and closes the MCP sessions', async () => {
    const resolved = await resolveTools(
      parse([
        { type: 'builtin', name: 'calculator' },
        {
          type: 'http',
          name: 'order_status',
          description: 'Status of an order',
          parameters: { type: 'object', properties: { id: { type: 'string' } } },
          request: { method: 'GET', url: `${apiUrl}/orders/{id}` },
          idempotent: true,
        },
        { type: 'mcp', name: 'shop', server: { url: mcp.url }, include: ['add'] },
      ]),
      deps(),
    );
    expect(resolved.tools.map((tool) => tool.spec.name)).toEqual(['calculator', 'order_status', 'shop__add']);
    const [calculator, status, add] = resolved.tools;
    expect(await calculator?.invoke({ expression: '6 * 7' }, context)).toEqual({ type: 'result', content: '42' });
    expect(status?.idempotent).toBe(true);
    expect(await status?.invoke({ id: '9' }, context)).toEqual({ type: 'result', content: '{"status":"shipped"}' });
    expect(await add?.invoke({ a: 1, b: 1 }, context)).toEqual({ type: 'result', content: '2' });
    await resolved.close();
    expect(await add?.invoke({ a: 1, b: 1 }, context)).toMatchObject({ type: 'error' });
  });

  it('refuses duplicate names across definitions', async () => {
    const definitions = parse([
      {
        type: 'http',
        name: 'shop__add',
        description: 'Clashes with the MCP tool',
        parameters: { type: 'object' },
        request: { method: 'GET', url: `${apiUrl}/x` },
      },
      { type: 'mcp', name: 'shop', server: { url: mcp.url }, include: ['add'] },
    ]);
    await expect(resolveTools(definitions, deps())).rejects.toMatchObject({
      code: 'INVALID_REQUEST',
      message: expect.stringContaining('two tools are named shop__add'),
    });
  });

  it('fails clearly for an unreachable MCP server, and leaves the others closed', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const deadUrl = `http://127.0.0.1:${(closed.address() as AddressInfo).port}/mcp`;
    await new Promise((resolve) => closed.close(resolve));
    const definitions = parse([
      { type: 'mcp', name: 'alive', server: { url: mcp.url } },
      { type: 'mcp', name: 'dead', server: { url: deadUrl } },
    ]);
    await expect(resolveTools(definitions, deps())).rejects.toMatchObject({
      code: 'UPSTREAM_ERROR',
      message: expect.stringMatching(/^tool dead: cannot list/),
    });
  });

  it('leaves agent and app tools to the run loop', async () => {
    const definitions = parse([
      { type: 'builtin', name: 'current_time' },
      { type: 'agent', name: 'ask_billing', agent: 'billing', description: 'Billing' },
    ]);
    await expect(resolveTools(definitions, deps())).rejects.toThrow('agent tool ask_billing is resolved by the run loop');
  });
});
