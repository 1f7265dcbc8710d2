import type { Dispatcher } from 'undici';
import { type Clock, HubError } from '../../core/index.js';
import { createBuiltinTool } from './builtin-tools.js';
import { createHttpTool, type ResolveSecret } from './http-tool.js';
import { connectMcpTools, type McpToolSet } from './mcp-tools.js';
import type { AgentTool } from './tool.js';
import type { ToolDefinition } from './tool-definitions.js';

export interface ResolveToolsDeps {
  /** The tenant's tool secrets (`ToolSecrets.resolve`). */
  resolveSecret: ResolveSecret;
  /** Carries every HTTP and MCP request: built with the upstream address policy's guarded connector. */
  dispatcher: Dispatcher;
  clock?: Clock;
  /** See `McpToolDeps.allowStdio`: on only for agents of the config file. */
  allowStdio?: boolean;
  mcpConnectTimeoutMs?: number;
  mcpCallTimeoutMs?: number;
  signal?: AbortSignal;
}

/** The tools of one run. `close` ends the MCP sessions (and stdio servers); call it when the run ends or pauses. */
export interface ResolvedTools {
  tools: AgentTool[];
  close(): Promise<void>;
}

/**
 * Turns an agent's builtin, http and mcp tool definitions into tools for one run, connecting to MCP servers in
 * parallel. `agent` and `app` tools are the run loop's to resolve (a child run, the app registry): passing one here
 * is a programming error. Throws HubError for a definition that cannot run (a missing secret, a duplicate name, an
 * MCP server that cannot be reached), having closed whatever it had opened.
 */
export async function resolveTools(definitions: readonly ToolDefinition[], deps: ResolveToolsDeps): Promise<ResolvedTools> {
  // Checked before anything connects, so nothing is left open behind the throw.
  for (const definition of definitions) {
    if (definition.type === 'agent' || definition.type === 'app' || definition.type === 'sandbox') {
      throw new TypeError(`resolveTools: ${definition.type} tool ${definition.name} is resolved by the run loop, not here`);
    }
  }
  const slots = definitions.map((definition) => resolveOne(definition, deps));

  const settled = await Promise.allSettled(slots);
  const sets = settled.flatMap((outcome) =>
    outcome.status === 'fulfilled' && 'close' in outcome.value ? [outcome.value as McpToolSet] : [],
  );
  const close = async (): Promise<void> => {
    await Promise.all(sets.map((set) => set.close()));
  };
  const failure = settled.find((outcome) => outcome.status === 'rejected');
  if (failure !== undefined) {
    await close();
    throw failure.reason;
  }

  const tools = settled.flatMap((outcome) => {
    if (outcome.status !== 'fulfilled') return [];
    return 'close' in outcome.value ? (outcome.value as McpToolSet).tools : [outcome.value as AgentTool];
  });
  const seen = new Set<string>();
  for (const tool of tools) {
    if (seen.has(tool.spec.name)) {
      await close();
      throw new HubError('INVALID_REQUEST', `two tools are named ${tool.spec.name}; tool names must be unique in an agent`, {
        param: 'tools',
      });
    }
    seen.add(tool.spec.name);
  }
  return { tools, close };
}

function resolveOne(definition: ToolDefinition, deps: ResolveToolsDeps): AgentTool | Promise<McpToolSet> {
  switch (definition.type) {
    case 'builtin':
      return createBuiltinTool(definition, deps.clock ? { clock: deps.clock } : {});
    case 'http':
      return createHttpTool(definition, deps);
    case 'mcp':
      return connectMcpTools(definition, {
        resolveSecret: deps.resolveSecret,
        dispatcher: deps.dispatcher,
        ...(deps.allowStdio !== undefined ? { allowStdio: deps.allowStdio } : {}),
        ...(deps.mcpConnectTimeoutMs !== undefined ? { connectTimeoutMs: deps.mcpConnectTimeoutMs } : {}),
        ...(deps.mcpCallTimeoutMs !== undefined ? { callTimeoutMs: deps.mcpCallTimeoutMs } : {}),
        ...(deps.signal ? { signal: deps.signal } : {}),
      });
    case 'agent':
    case 'app':
    case 'sandbox':
      throw new TypeError(`resolveTools: ${definition.type} tool ${definition.name} is resolved by the run loop, not here`);
  }
}
