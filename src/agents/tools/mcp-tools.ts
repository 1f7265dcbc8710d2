import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { FetchLike, Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { type Dispatcher, fetch as undiciFetch } from 'undici';
import { HubError, type JsonObject } from '../../core/index.js';
import { jsonSchemaProblem } from './argument-validation.js';
import { addressRefusalOf, type ResolveSecret } from './http-tool.js';
import { type Redactor, secretRedactor } from './secret-redaction.js';
import type { AgentTool, ToolCallContext, ToolOutcome } from './tool.js';
import { type McpToolDefinition, SECRET_REFERENCE, secretReferences, TOOL_NAME_PATTERN } from './tool-definitions.js';

export const DEFAULT_MCP_CONNECT_TIMEOUT_MS = 15_000;
export const DEFAULT_MCP_CALL_TIMEOUT_MS = 60_000;
/** Larger tool results are refused rather than cut: half a JSON document misleads the model more than an error. */
export const MAX_MCP_RESULT_CHARS = 1024 * 1024;
const MAX_LISTED_TOOLS = 1000;
const PREFIX_SEPARATOR = '__';

export interface McpToolDeps {
  resolveSecret: ResolveSecret;
  /** Carries every streamable HTTP request: build it with the upstream address policy's guarded connector. */
  dispatcher: Dispatcher;
  /**
   * Whether a definition may start a local command (stdio server). A tenant who may write agents must not get to run
   * programs on the hub's machine, so only operator-written (config file) agents should resolve with this on.
   */
  allowStdio?: boolean;
  connectTimeoutMs?: number;
  callTimeoutMs?: number;
  /** Aborts connecting and listing (the run was cancelled before it began). */
  signal?: AbortSignal;
}

/** One MCP server's tools for a run; `close` ends the session (and a stdio server's process). */
export interface McpToolSet {
  tools: AgentTool[];
  close(): Promise<void>;
}

async function resolveSecrets(definition: McpToolDefinition, resolveSecret: ResolveSecret): Promise<Map<string, string>> {
  const values = new Map<string, string>();
  for (const name of definition.secrets ?? []) {
    const value = await resolveSecret(name);
    if (value === undefined)
      throw new HubError('INVALID_REQUEST', `tool ${definition.name}: secret "${name}" is not set`, { param: 'secrets' });
    values.set(name, value);
  }
  return values;
}

/** The values with `{{secret:NAME}}` filled in, and those of them that now hold a secret (to scrub from results). */
function fillSecrets(
  values: Record<string, string> | undefined,
  secrets: Map<string, string>,
): { filled: Record<string, string>; holding: string[] } {
  const filled: Record<string, string> = {};
  const holding: string[] = [];
  for (const [key, value] of Object.entries(values ?? {})) {
    filled[key] = value.replace(SECRET_REFERENCE, (_match, name: string) => secrets.get(name) ?? '');
    if (secretReferences(value).length > 0) holding.push(filled[key]);
  }
  return { filled, holding };
}

function createTransport(
  definition: McpToolDefinition,
  secrets: Map<string, string>,
  deps: McpToolDeps,
): { transport: Transport; sent: string[] } {
  const server = definition.server;
  if ('url' in server) {
    const headers = fillSecrets(server.headers, secrets);
    const fetch = ((url, init) => undiciFetch(url, { ...(init as object), dispatcher: deps.dispatcher })) as FetchLike;
    const transport = new StreamableHTTPClientTransport(new URL(server.url), { fetch, requestInit: { headers: headers.filled } });
    return { transport, sent: [...secrets.values(), ...headers.holding] };
  }
  if (deps.allowStdio !== true) {
    throw new HubError(
      'INVALID_REQUEST',
      `tool ${definition.name}: stdio MCP servers (a local command) are only allowed in agents of the config file`,
      {
        param: 'server',
      },
    );
  }
  const env = fillSecrets(server.env, secrets);
  // The SDK adds only PATH, HOME and the like to `env`: the hub's own environment (its secret key) stays out.
  const transport = new StdioClientTransport({ command: server.command, args: server.args ?? [], env: env.filled, stderr: 'ignore' });
  return { transport, sent: [...secrets.values(), ...env.holding] };
}

interface ListedTool {
  name: string;
  title?: string;
  description?: string;
  inputSchema: Record<string, unknown>;
}

async function listTools(client: Client, definition: McpToolDefinition, timeout: number, signal?: AbortSignal): Promise<ListedTool[]> {
  const tools: ListedTool[] = [];
  let cursor: string | undefined;
  do {
    const page = await client.listTools(cursor === undefined ? {} : { cursor }, { timeout, ...(signal ? { signal } : {}) });
    tools.push(...page.tools);
    cursor = page.nextCursor;
    if (tools.length > MAX_LISTED_TOOLS)
      throw new HubError('UPSTREAM_ERROR', `tool ${definition.name}: the MCP server lists more than ${MAX_LISTED_TOOLS} tools`);
  } while (cursor !== undefined);
  return tools;
}

function selectTools(listed: ListedTool[], definition: McpToolDefinition): ListedTool[] {
  const names = new Set(listed.map((tool) => tool.name));
  const missing = (definition.include ?? []).filter((name) => !names.has(name));
  if (missing.length > 0) {
    throw new HubError(
      'INVALID_REQUEST',
      `tool ${definition.name}: include names ${missing.join(', ')}, which the MCP server does not list`,
      {
        param: 'include',
      },
    );
  }
  const include = definition.include === undefined ? undefined : new Set(definition.include);
  const exclude = new Set(definition.exclude ?? []);
  const selected = listed.filter((tool) => (include === undefined || include.has(tool.name)) && !exclude.has(tool.name));
  const badNames = selected
    .map((tool) => tool.name)
    .filter((name) => !TOOL_NAME_PATTERN.test(`${definition.name}${PREFIX_SEPARATOR}${name}`));
  if (badNames.length > 0) {
    throw new HubError(
      'INVALID_REQUEST',
      `tool ${definition.name}: the MCP server's tools ${badNames.map((name) => JSON.stringify(name.slice(0, 80))).join(', ')} make invalid tool names with the prefix (1-64 letters, digits, _ or -); exclude them or shorten the name`,
      { param: 'exclude' },
    );
  }
  for (const tool of selected) {
    const problem = jsonSchemaProblem(tool.inputSchema);
    if (problem !== undefined)
      throw new HubError(
        'UPSTREAM_ERROR',
        `tool ${definition.name}: the MCP server's tool ${tool.name} has an input schema that ${problem}`,
      );
  }
  return selected;
}

type CallResult = Awaited<ReturnType<Client['callTool']>>;

/** The text the model gets: text parts as they are, embedded text resources' text, other parts named by type. */
function resultText(result: CallResult): string {
  const content = Array.isArray(result.content)
    ? (result.content as { type: string; text?: unknown; mimeType?: unknown; resource?: { text?: unknown; uri?: unknown } }[])
    : [];
  const parts = content.map((part) => {
    if (part.type === 'text' && typeof part.text === 'string') return part.text;
    if (part.type === 'resource' && typeof part.resource?.text === 'string') return part.resource.text;
    if (part.type === 'resource_link' || part.type === 'resource')
      return `[${part.type}: ${String(part.resource?.uri ?? (part as { uri?: unknown }).uri ?? '')}]`;
    return `[${part.type}${typeof part.mimeType === 'string' ? `: ${part.mimeType}` : ''}]`;
  });
  if (parts.length === 0 && result.structuredContent !== undefined) return JSON.stringify(result.structuredContent);
  return parts.join('\n');
}

function mcpTool(client: Client, listed: ListedTool, definition: McpToolDefinition, redact: Redactor, callTimeout: number): AgentTool {
  return {
    spec: {
      name: `${definition.name}${PREFIX_SEPARATOR}${listed.name}`,
      description: listed.description ?? listed.title ?? listed.name,
      parameters: listed.inputSchema as JsonObject,
    },
    approval: definition.approval,
    idempotent: definition.idempotent,
    async invoke(args: JsonObject, context: ToolCallContext): Promise<ToolOutcome> {
      try {
        const result = await client.callTool(
          // _meta carries the key so a server that dedupes can (MCP has no standard header for it).
          { name: listed.name, arguments: args, _meta: { idempotency_key: context.idempotencyKey } },
          undefined,
          { signal: context.signal, timeout: callTimeout },
        );
        const text = redact(resultText(result));
        if (text.length > MAX_MCP_RESULT_CHARS)
          return { type: 'error', message: `the MCP tool's result is larger than ${MAX_MCP_RESULT_CHARS} characters` };
        if (result.isError === true) return { type: 'error', message: text === '' ? 'the MCP tool reported an error' : text };
        return { type: 'result', content: text };
      } catch (error) {
        if (context.signal.aborted) return { type: 'error', message: 'the call was cancelled' };
        return {
          type: 'error',
          message: redact(`the MCP call failed: ${error instanceof Error ? error.message : String(error)}`).slice(0, 2000),
        };
      }
    },
  };
}

/** Connects to the definition's MCP server, lists its tools (filtered and prefixed) and returns them for one run. */
export async function connectMcpTools(definition: McpToolDefinition, deps: McpToolDeps): Promise<McpToolSet> {
  const secrets = await resolveSecrets(definition, deps.resolveSecret);
  const { transport, sent } = createTransport(definition, secrets, deps);
  const redact = secretRedactor(sent);
  const client = new Client({ name: 'tokenhub', version: '1' }, { capabilities: {} });
  const connectTimeout = deps.connectTimeoutMs ?? DEFAULT_MCP_CONNECT_TIMEOUT_MS;
  const close = async (): Promise<void> => {
    if (transport instanceof StreamableHTTPClientTransport) await transport.terminateSession().catch(() => undefined);
    await client.close().catch(() => undefined);
  };
  try {
    await client.connect(transport, { timeout: connectTimeout, ...(deps.signal ? { signal: deps.signal } : {}) });
    const listed = await listTools(client, definition, connectTimeout, deps.signal);
    const selected = selectTools(listed, definition);
    const callTimeout = deps.callTimeoutMs ?? DEFAULT_MCP_CALL_TIMEOUT_MS;
    return { tools: selected.map((tool) => mcpTool(client, tool, definition, redact, callTimeout)), close };
  } catch (error) {
    await close();
    if (error instanceof HubError) throw error;
    const refusal = addressRefusalOf(error);
    if (refusal !== undefined)
      throw new HubError('INVALID_REQUEST', `tool ${definition.name}: ${refusal.message}`, { param: 'server.url' });
    const reason = redact(error instanceof Error ? error.message : String(error));
    // No `cause`: the error may quote what was sent, secrets included, and causes end up in logs.
    throw new HubError('UPSTREAM_ERROR', `tool ${definition.name}: cannot list the MCP server's tools: ${reason}`);
  }
}
