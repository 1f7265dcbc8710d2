import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { CallToolRequestSchema, type CallToolResult, ListToolsRequestSchema, type Tool } from '@modelcontextprotocol/sdk/types.js';
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import { z } from 'zod';
import { HubError } from '../../core/index.js';
import type { RunRecord } from '../../storage/index.js';
import { openaiErrorBody } from '../../wire/openai/index.js';
import { type AgentService, type AgentView, parseDefinition } from '../agent-service.js';
import type { RunService } from '../run-service.js';
import type { AuthenticateTenant, TenantCaller } from './tenant-auth.js';

const RUN = ['agents:run'] as const;
const MAX_DESCRIPTION = 1_000;
/** Where a tool result names its run, for the caller to follow it at `/v1/runs/{id}`. */
const MCP_RUN_ID_META = 'tokenhub/run_id';
const MCP_RUN_STATUS_META = 'tokenhub/status';

const mcpToolArguments = z.strictObject({ input: z.string().min(1).max(1_000_000) });

const INPUT_SCHEMA: Tool['inputSchema'] = {
  type: 'object',
  properties: { input: { type: 'string', description: 'The message the agent answers: its run starts from it.' } },
  required: ['input'],
  additionalProperties: false,
};

interface McpDeps {
  agents: AgentService;
  runs: RunService;
  authenticate: AuthenticateTenant;
}

/**
 * `/mcp`: a tenant's agents as the tools of an MCP server (streamable HTTP), so Claude Code, Cursor or
 * another agent can call them with a virtual key carrying `agents:run`. Stateless: every POST gets its
 * own server and transport, so any replica answers any request and nothing is held between them.
 */
export function mcpRoutes(deps: McpDeps): FastifyPluginAsync {
  return async (app) => {
    app.post('/mcp', async (request, reply) => {
      let caller: TenantCaller;
      try {
        caller = await deps.authenticate(request, RUN);
      } catch (error) {
        if (!(error instanceof HubError)) throw error;
        return sendJsonRpcError(reply, error.status, error.message, requestIdOf(request.body), openaiErrorBody(error).error, {
          ...(error.status === 401 ? { 'www-authenticate': 'Bearer realm="tokenhub"' } : {}),
        });
      }
      const server = agentServer(deps, caller);
      const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
      reply.hijack();
      reply.raw.setHeader('x-request-id', request.id);
      reply.raw.once('close', () => {
        void transport.close();
        void server.close();
      });
      try {
        await server.connect(transport);
        await transport.handleRequest(request.raw, reply.raw, request.body);
      } catch (error) {
        request.log.error({ err: error }, 'MCP request failed');
        if (!reply.raw.headersSent) {
          reply.raw.writeHead(500, { 'content-type': 'application/json' });
          reply.raw.end(JSON.stringify(jsonRpcError(-32603, 'Internal error', requestIdOf(request.body))));
        } else reply.raw.end();
      }
      return reply;
    });

    // Stateless: no server-initiated stream to open and no session to end (clients treat 405 as "none").
    const notAllowed = async (_request: unknown, reply: FastifyReply) =>
      sendJsonRpcError(reply, 405, 'Method not allowed: this MCP server is stateless; POST JSON-RPC messages.', null, undefined, {
        allow: 'POST',
      });
    app.get('/mcp', notAllowed);
    app.delete('/mcp', notAllowed);
  };
}

/** An MCP server for one caller: its tenant's agents as tools, each call a run acting for the caller's key. */
function agentServer(deps: McpDeps, caller: TenantCaller): Server {
  // The low-level server: tools are looked up per request (list or call), not registered up front.
  const server = new Server({ name: 'tokenhub', version: '1' }, { capabilities: { tools: {} } });
  server.setRequestHandler(ListToolsRequestSchema, async () => ({
    tools: (await deps.agents.list(caller.tenantId)).map(agentTool),
  }));
  server.setRequestHandler(CallToolRequestSchema, async (request, extra) => {
    let run: RunRecord;
    try {
      const { input } = parseDefinition(mcpToolArguments, request.params.arguments);
      run = await deps.runs.start({ tenantId: caller.tenantId, keyId: caller.keyId, agent: request.params.name, input });
    } catch (error) {
      if (error instanceof HubError) return { isError: true, content: [{ type: 'text', text: error.message }] };
      throw error;
    }
    return runResult(await deps.runs.settled(caller.tenantId, run.id, extra.signal));
  });
  return server;
}

function agentTool(agent: AgentView): Tool {
  const described = agent.definition.metadata.description;
  const firstLine = agent.definition.instructions
    .split('\n')
    .map((line) => line.trim())
    .find((line) => line.length > 0);
  const description = (typeof described === 'string' && described.trim()) || firstLine || `Runs the agent \`${agent.name}\`.`;
  return { name: agent.name, description: description.slice(0, MAX_DESCRIPTION), inputSchema: INPUT_SCHEMA };
}

/** A settled run as a tool result: its final text, or, for any other outcome, an error saying how it stands. */
function runResult(run: RunRecord): CallToolResult {
  const _meta = { [MCP_RUN_ID_META]: run.id, [MCP_RUN_STATUS_META]: run.status };
  const output = run.output as { text?: unknown; json?: unknown } | null;
  if (run.status === 'completed') {
    const text = typeof output?.text === 'string' && output.text ? output.text : JSON.stringify(output?.json ?? '');
    return { content: [{ type: 'text', text }], _meta };
  }
  return { isError: true, content: [{ type: 'text', text: outcome(run, output) }], _meta };
}

function outcome(run: RunRecord, output: { text?: unknown } | null): string {
  const head = `Run ${run.id} of agent \`${run.subject}\``;
  switch (run.status) {
    case 'handed_off':
      return `${head} was handed off to a person: ${typeof output?.text === 'string' ? output.text : 'no summary'}`;
    case 'waiting_approval':
      return `${head} is waiting for a person to approve a tool call (POST /v1/runs/${run.id}/approvals).`;
    case 'queued':
    case 'running':
      return `${head} is still ${run.status}: follow it at GET /v1/runs/${run.id}.`;
    default: {
      const message = typeof run.error?.message === 'string' ? `: ${run.error.message}` : '.';
      return `${head} ended ${run.status}${message}`;
    }
  }
}

function jsonRpcError(code: number, message: string, id: string | number | null, data?: unknown) {
  return { jsonrpc: '2.0', error: { code, message, ...(data === undefined ? {} : { data }) }, id };
}

function sendJsonRpcError(
  reply: FastifyReply,
  status: number,
  message: string,
  id: string | number | null,
  data: unknown,
  headers: Record<string, string>,
): FastifyReply {
  // -32000, as the SDK's transport answers its own HTTP-level errors; the HTTP status says which.
  return reply
    .code(status)
    .headers(headers)
    .type('application/json')
    .send(JSON.stringify(jsonRpcError(-32000, message, id, data)));
}

/** The JSON-RPC id of a single request, for its error to answer it. */
function requestIdOf(body: unknown): string | number | null {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return null;
  const id = (body as { id?: unknown }).id;
  return typeof id === 'string' || typeof id === 'number' ? id : null;
}
