import { z } from 'zod';
import type { ZodOpenApiOperationObject, ZodOpenApiPathsObject } from 'zod-openapi';
import { agentDefinitionSchema } from './definition.js';
import { activateBody, agentNameParams } from './routes/agent-routes.js';
import { approvalBody, runListQuery, runParams, startRunBody } from './routes/run-routes.js';
import { createThreadBody, postThreadMessageBody, threadMessagesQuery, threadParams } from './routes/thread-routes.js';
import { toolSecretBody, toolSecretParams } from './routes/tool-secret-routes.js';

const TAG = 'Agents';
const ERRORS = {
  default: {
    description:
      'An error, as `{ "error": { "message", "type", "param", "code" } }`: 400 naming the field, 401, 403 `missing_scope`, 404, 409.',
    content: { 'application/json': {} },
  },
};

// Named once at load: zod's registry refuses a second schema under the same id.
const schemas = {
  definition: agentDefinitionSchema.meta({ id: 'AgentDefinition' }),
  adminDefinition: agentDefinitionSchema.extend({ tenant_id: z.string() }).meta({ id: 'AdminAgentDefinition' }),
  startRun: startRunBody.meta({ id: 'StartRunRequest' }),
  approval: approvalBody.meta({ id: 'RunApprovalRequest' }),
  activate: activateBody.meta({ id: 'ActivateAgentVersionRequest' }),
  toolSecret: toolSecretBody.meta({ id: 'ToolSecretRequest' }),
  createThread: createThreadBody.meta({ id: 'CreateThreadRequest' }),
  threadMessage: postThreadMessageBody.meta({ id: 'PostThreadMessageRequest' }),
};
const tenantQuery = z.object({ tenant_id: z.string() });

const json = (description: string) => ({ description, content: { 'application/json': {} } });
const body = (schema: z.ZodType) => ({ content: { 'application/json': { schema } } });
const operation = (summary: string, rest: Omit<ZodOpenApiOperationObject, 'summary' | 'tags'>): ZodOpenApiOperationObject => ({
  summary,
  tags: [TAG],
  ...rest,
  responses: { ...rest.responses, ...ERRORS },
});

/** Every route of the agent runtime: the tenant's own (`/v1/agents`, `/v1/runs`, `/mcp`) and the admin's (`/admin/v1/agents`). */
export function agentApiPaths(): ZodOpenApiPathsObject {
  const path = { path: agentNameParams };
  const admin = { path: agentNameParams, query: tenantQuery };
  return {
    '/v1/agents': {
      get: operation('List agents', { responses: { '200': json("The tenant's agents, config ones included.") } }),
      post: operation('Create an agent (scope agents:write)', {
        requestBody: body(schemas.definition),
        responses: { '201': json('The agent at version 1.') },
      }),
    },
    '/v1/agents/{name}': {
      get: operation('Read an agent', { requestParams: path, responses: { '200': json('The agent at its active version.') } }),
      put: operation('Change an agent: a new version, made active', {
        requestParams: path,
        requestBody: body(schemas.definition),
        responses: { '200': json('The agent at its new version.') },
      }),
      delete: operation('Delete an agent and its versions', { requestParams: path, responses: { '204': { description: 'Deleted.' } } }),
    },
    '/v1/agents/{name}/versions': {
      get: operation("List an agent's versions", { requestParams: path, responses: { '200': json('Every version, oldest first.') } }),
    },
    '/v1/agents/{name}/activate': {
      post: operation('Serve an earlier (or later) version', {
        requestParams: path,
        requestBody: body(schemas.activate),
        responses: { '200': json('The agent at the version it now serves.') },
      }),
    },
    '/v1/agents/{name}/runs': {
      post: operation('Run an agent (scope agents:run)', {
        requestParams: path,
        requestBody: body(schemas.startRun),
        responses: {
          '200': {
            description: 'The run once it finished or paused; with `stream: true` its events as SSE.',
            content: { 'application/json': {}, 'text/event-stream': {} },
          },
          '202': json('`background: true`: the queued run.'),
        },
      }),
    },
    '/v1/runs': {
      get: operation("List the tenant's agent runs, newest first", {
        requestParams: { query: runListQuery },
        responses: {
          '200': json(
            '`{ object: "list", data: [{ id, agent, version, status, parent_run_id, thread_id, error, usage: { input_tokens, output_tokens, cost_usd, model_calls }, steps, created_at, finished_at }], next_cursor, has_more }`; `usage` sums the ledger rows of the run and the runs it started.',
          ),
        },
      }),
    },
    '/v1/runs/{id}': {
      get: operation('Read a run with its steps', {
        requestParams: { path: runParams },
        responses: {
          '200': json(
            "The run; each model step's `usage` is its ledger rows (model, tokens, cost_usd, latency_ms), each step's `duration_ms` its time.",
          ),
        },
      }),
    },
    '/v1/runs/{id}/events': {
      get: operation("Follow a run's events", {
        requestParams: { path: runParams },
        responses: {
          '200': { description: 'SSE, `id` is the event number: resume with `Last-Event-ID`.', content: { 'text/event-stream': {} } },
        },
      }),
    },
    '/v1/runs/{id}/cancel': {
      post: operation('Cancel a run', { requestParams: { path: runParams }, responses: { '200': json('The run as it then stands.') } }),
    },
    '/v1/runs/{id}/approvals': {
      post: operation('Approve or reject a tool call waiting for a person', {
        requestParams: { path: runParams },
        requestBody: body(schemas.approval),
        responses: { '200': json('The run; it resumes once every pending call is decided.') },
      }),
    },
    '/mcp': {
      post: operation("The tenant's agents as MCP tools (streamable HTTP, scope agents:run)", {
        description:
          'One JSON-RPC message or batch of the Model Context Protocol (`initialize`, `tools/list`, `tools/call`); stateless, no session. `tools/call` runs the agent named and answers its final text, with the run id in `_meta["tokenhub/run_id"]`.',
        requestBody: { content: { 'application/json': {} } },
        responses: {
          '200': {
            description: 'The JSON-RPC answer, as an SSE stream (or JSON).',
            content: { 'text/event-stream': {}, 'application/json': {} },
          },
          '202': { description: 'A notification or response accepted.' },
        },
      }),
      get: operation('Not offered: the server is stateless', {
        responses: { '405': json('A JSON-RPC error: POST messages instead.') },
      }),
      delete: operation('Not offered: there is no session to end', {
        responses: { '405': json('A JSON-RPC error: there is no session.') },
      }),
    },
    '/v1/threads': {
      post: operation('Create a thread (scope agents:run)', {
        requestBody: body(schemas.createThread),
        responses: { '201': json('The thread: `{ id, object: "thread", created_at, metadata }`.') },
      }),
    },
    '/v1/threads/{id}': {
      get: operation('Read a thread', { requestParams: { path: threadParams }, responses: { '200': json('The thread.') } }),
    },
    '/v1/threads/{id}/messages': {
      post: operation('Post a message: the agent named runs on the thread', {
        requestParams: { path: threadParams },
        requestBody: body(schemas.threadMessage),
        responses: {
          '200': json(
            '`{ object: "thread.reply", message, run }`: the agent\'s reply (null when the run did not complete) and the run once it finished or paused.',
          ),
        },
      }),
      get: operation("List a thread's messages, oldest first", {
        requestParams: { path: threadParams, query: threadMessagesQuery },
        responses: { '200': json('`{ object: "list", data: [{ id, role, author?, content, run_id?, created_at }], has_more }`.') },
      }),
    },
    '/v1/tool-secrets': {
      get: operation("List the tenant's tool secrets (names and dates, never values; scope agents:write)", {
        responses: { '200': json('The secrets.') },
      }),
    },
    '/v1/tool-secrets/{name}': {
      put: operation('Set a tool secret (sealed at rest, never shown again)', {
        requestParams: { path: toolSecretParams },
        requestBody: body(schemas.toolSecret),
        responses: { '200': json('The secret, without its value.') },
      }),
      delete: operation('Delete a tool secret', {
        requestParams: { path: toolSecretParams },
        responses: { '204': { description: 'Deleted.' } },
      }),
    },
    '/admin/v1/agents': {
      get: operation("List a tenant's agents", { requestParams: { query: tenantQuery }, responses: { '200': json('The agents.') } }),
      post: operation('Create an agent for a tenant', {
        requestBody: body(schemas.adminDefinition),
        responses: { '201': json('The agent at version 1.') },
      }),
    },
    '/admin/v1/agents/{name}': {
      get: operation("Read a tenant's agent", { requestParams: admin, responses: { '200': json('The agent.') } }),
      put: operation("Change a tenant's agent", {
        requestParams: admin,
        requestBody: body(schemas.definition),
        responses: { '200': json('The agent at its new version.') },
      }),
      delete: operation("Delete a tenant's agent", { requestParams: admin, responses: { '204': { description: 'Deleted.' } } }),
    },
    '/admin/v1/agents/{name}/versions': {
      get: operation("List a tenant's agent's versions", { requestParams: admin, responses: { '200': json('Every version.') } }),
    },
    '/admin/v1/agents/{name}/activate': {
      post: operation("Serve a version of a tenant's agent", {
        requestParams: admin,
        requestBody: body(schemas.activate),
        responses: { '200': json('The agent.') },
      }),
    },
  };
}
