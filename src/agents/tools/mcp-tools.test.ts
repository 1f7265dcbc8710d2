import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeMcpHttpServer, startFakeMcpHttpServer } from '../../../test/fake-upstreams/mcp.js';
import { guardedDispatcher } from '../../../test/support/guarded-dispatcher.js';
import { connectMcpTools, type McpToolDeps } from './mcp-tools.js';
import type { AgentTool, ToolCallContext } from './tool.js';
import { mcpToolSchema } from './tool-definitions.js';

const TOKEN = 'mcp-token-0123456789';

const context = (overrides: Partial<ToolCallContext> = {}): ToolCallContext => ({
  tenantId: 'ten_1',
  runId: 'run_1',
  callId: 'call_1',
  idempotencyKey: 'run_1:call_1',
  signal: new AbortController().signal,
  ...overrides,
});

const deps = (overrides: Partial<McpToolDeps> = {}): McpToolDeps => ({
  dispatcher: guardedDispatcher(),
  resolveSecret: (name) => Promise.resolve(name === 'MCP_TOKEN' ? TOKEN : undefined),
  ...overrides,
});

const byName = (tools: AgentTool[], name: string): AgentTool => {
  const tool = tools.find((candidate) => candidate.spec.name === name);
  if (!tool) throw new Error(`no tool ${name} among ${tools.map((candidate) => candidate.spec.name).join(', ')}`);
  return tool;
};

let server: FakeMcpHttpServer;
beforeAll(async () => {
  server = await startFakeMcpHttpServer();
});
afterAll(async () => {
  await server?.close();
});

describe('MCP tools over streamable HTTP', () => {
  it('lists the server tools prefixed with the definition name, with their input schemas', async () => {
    const set = await connectMcpTools(mcpToolSchema.parse({ type: 'mcp', name: 'shop', server: { url: server.url } }), deps());
    try {
      expect(set.tools.map((tool) => tool.spec.name).sort()).toEqual([
        'shop__add',
        'shop__echo',
        'shop__fail',
        'shop__picture',
        'shop__slow',
        'shop__whoami',
      ]);
      const add = byName(set.tools, 'shop__add');
      expect(add.spec.description).toBe('Adds two numbers');
      expect(add.spec.parameters).toMatchObject({
        type: 'object',
        properties: { a: { type: 'number' }, b: { type: 'number' } },
        required: ['a', 'b'],
      });
      expect(add).toMatchObject({ approval: 'never', idempotent: false });
    } finally {
      await set.close();
    }
  });

  it('calls tools: text becomes a result, isError an error, other content is named', async () => {
    const definition = mcpToolSchema.parse({
      type: 'mcp',
      name: 'shop',
      server: { url: server.url },
      approval: 'always',
      idempotent: true,
    });
    const set = await connectMcpTools(definition, deps());
    try {
      expect(byName(set.tools, 'shop__add')).toMatchObject({ approval: 'always', idempotent: true });
      expect(await byName(set.tools, 'shop__add').invoke({ a: 2, b: 40 }, context())).toEqual({ type: 'result', content: '42' });
      expect(await byName(set.tools, 'shop__echo').invoke({ text: 'héllo' }, context())).toEqual({ type: 'result', content: 'héllo' });
      expect(await byName(set.tools, 'shop__fail').invoke({}, context())).toEqual({ type: 'error', message: 'no such order' });
      expect(await byName(set.tools, 'shop__picture').invoke({}, context())).toEqual({ type: 'result', content: '[image: image/png]' });
      expect(await byName(set.tools, 'shop__add').invoke({ a: 'x' }, context())).toMatchObject({ type: 'error' });
    } finally {
      await set.close();
    }
  });

  it('filters by include and exclude, and refuses an include the server does not list', async () => {
    const included = await connectMcpTools(
      mcpToolSchema.parse({ type: 'mcp', name: 'm', server: { url: server.url }, include: ['echo', 'add', 'fail'], exclude: ['fail'] }),
      deps(),
    );
    expect(included.tools.map((tool) => tool.spec.name).sort()).toEqual(['m__add', 'm__echo']);
    await included.close();

    await expect(
      connectMcpTools(mcpToolSchema.parse({ type: 'mcp', name: 'm', server: { url: server.url }, include: ['echo', 'nope'] }), deps()),
    ).rejects.toMatchObject({ code: 'INVALID_REQUEST', message: expect.stringContaining('include names nope') });
  });

  it('sends secrets in the server headers and scrubs them from results', async () => {
    const definition = mcpToolSchema.parse({
      type: 'mcp',
      name: 'auth',
      server: { url: server.url, headers: { Authorization: 'Bearer {{secret:MCP_TOKEN}}' } },
      secrets: ['MCP_TOKEN'],
      include: ['whoami'],
    });
    const set = await connectMcpTools(definition, deps());
    try {
      const outcome = await byName(set.tools, 'auth__whoami').invoke({}, context());
      expect(outcome).toEqual({ type: 'result', content: 'you are [redacted]' });
    } finally {
      await set.close();
    }
    await expect(
      connectMcpTools(
        { ...definition, secrets: ['MISSING'], server: { url: server.url, headers: { 'X-Key': '{{secret:MISSING}}' } } },
        deps(),
      ),
    ).rejects.toMatchObject({ code: 'INVALID_REQUEST', message: 'tool auth: secret "MISSING" is not set' });
  });

  it('times out a slow call and reports a cancelled one', async () => {
    const set = await connectMcpTools(
      mcpToolSchema.parse({ type: 'mcp', name: 's', server: { url: server.url }, include: ['slow'] }),
      deps({ callTimeoutMs: 100 }),
    );
    try {
      expect(await byName(set.tools, 's__slow').invoke({ ms: 2000 }, context())).toMatchObject({
        type: 'error',
        message: expect.stringMatching(/^the MCP call failed: .*timed out/i),
      });
      const controller = new AbortController();
      const pending = byName(set.tools, 's__slow').invoke({ ms: 2000 }, context({ signal: controller.signal }));
      setTimeout(() => controller.abort(), 20);
      expect(await pending).toEqual({ type: 'error', message: 'the call was cancelled' });
    } finally {
      await set.close();
    }
  });

  it('refuses to connect to a loopback server when the policy disallows loopback', async () => {
    const before = server.methods.length;
    await expect(
      connectMcpTools(
        mcpToolSchema.parse({ type: 'mcp', name: 'x', server: { url: server.url } }),
        deps({ dispatcher: guardedDispatcher({ allowLoopback: false }) }),
      ),
    ).rejects.toMatchObject({
      code: 'INVALID_REQUEST',
      message:
        'tool x: Upstream connection refused: 127.0.0.1 is a loopback address, which the upstream URL policy refuses (set security.upstream_urls.allow_loopback: true)',
    });
    expect(server.methods.length).toBe(before);
  });
});

describe('MCP tools over stdio', () => {
  const script = fileURLToPath(new URL('../../../test/fake-upstreams/mcp-stdio.ts', import.meta.url));
  const definition = mcpToolSchema.parse({
    type: 'mcp',
    name: 'local',
    server: { command: process.execPath, args: ['--import', 'tsx', script], env: { FAKE_MCP_TOKEN: '{{secret:MCP_TOKEN}}' } },
    secrets: ['MCP_TOKEN'],
    include: ['add', 'whoami'],
  });

  it('is refused unless stdio servers are allowed (a tenant must not run commands on the hub)', async () => {
    await expect(connectMcpTools(definition, deps())).rejects.toMatchObject({ code: 'INVALID_REQUEST', details: { param: 'server' } });
  });

  it('starts the command, passes secrets in its environment, calls its tools and stops it on close', async () => {
    const set = await connectMcpTools(definition, deps({ allowStdio: true, connectTimeoutMs: 30_000 }));
    try {
      expect(set.tools.map((tool) => tool.spec.name).sort()).toEqual(['local__add', 'local__whoami']);
      expect(await byName(set.tools, 'local__add').invoke({ a: 1, b: 2 }, context())).toEqual({ type: 'result', content: '3' });
      expect(await byName(set.tools, 'local__whoami').invoke({}, context())).toEqual({ type: 'result', content: 'you are [redacted]' });
    } finally {
      await set.close();
    }
    expect(await byName(set.tools, 'local__add').invoke({ a: 1, b: 2 }, context())).toMatchObject({ type: 'error' });
  }, 40_000);
});
