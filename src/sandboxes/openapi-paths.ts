import { z } from 'zod';
import type { ZodOpenApiOperationObject, ZodOpenApiPathsObject } from 'zod-openapi';
import { createSandboxBody, keepWorkspaceBody, runCodeBody, sandboxFilesQuery, sandboxListQuery } from './routes/sandbox-routes.js';

const TAG = 'Sandboxes';
const ERRORS = {
  default: {
    description:
      'An error, as `{ "error": { "message", "type", "param", "code" } }`: 400 (`invalid_path`, `limit_too_high`, `template_runs_no_code`), 401, 402 `budget_exceeded` (the call\'s worst case does not fit a budget), 403 `missing_scope` or `network_not_allowed`, 404 `sandbox_not_found` / `file_not_found` / `workspace_not_found`, 409 `sandbox_ended` or `sandbox_quota_exceeded`, 413 `storage_quota_exceeded`.',
    content: { 'application/json': {} },
  },
};

// Named once at load: zod's registry refuses a second schema under the same id.
const schemas = {
  create: createSandboxBody.meta({ id: 'CreateSandboxRequest' }),
  code: runCodeBody.meta({ id: 'RunSandboxCodeRequest' }),
  keep: keepWorkspaceBody.meta({ id: 'KeepSandboxWorkspaceRequest' }),
};
const idPath = z.object({ id: z.string() });
const filePath = z.object({ id: z.string(), path: z.string().meta({ description: 'Relative, `/`-separated; no `..`, no leading `/`.' }) });
const namePath = z.object({ name: z.string() });

const SANDBOX =
  '`{ id, object: "sandbox", status: "live" | "deleted", template, provider, limits: { cpu_ms, memory_mb, output_bytes, storage_bytes, max_files }, network, timeout_s, workspace, run_id, files: { count, bytes }, usage: { calls, cpu_ms, cost_usd }, created_at, last_used_at, expires_at, ended_at, end_reason }`';
const RESULT =
  '`{ object: "sandbox.code_result", sandbox_id, language, stdout, stderr, output_truncated, result, error: { name, message, traceback?, code? } | null, duration_ms, cpu_ms, cost_usd, state_reset, files: { changed, removed, skipped }, request_id }`';
const FILE = '`{ object: "sandbox.file", path, size, version, updated_at }`';
const WORKSPACE = '`{ object: "sandbox.workspace", name, source_sandbox_id, files: { count, bytes }, created_at, updated_at }`';

const json = (description: string) => ({ description, content: { 'application/json': {} } });
const operation = (summary: string, rest: Omit<ZodOpenApiOperationObject, 'summary' | 'tags'>): ZodOpenApiOperationObject => ({
  summary,
  tags: [TAG],
  ...rest,
  responses: { ...rest.responses, ...ERRORS },
});

/** `/v1/sandboxes` and `/v1/sandbox-workspaces` (key scope `sandboxes`). */
export function sandboxApiPaths(): ZodOpenApiPathsObject {
  return {
    '/v1/sandboxes': {
      post: operation('Make a sandbox', {
        description:
          "Limits default to the hub's `sandboxes.limits`; asking above `sandboxes.max_limits` is a 400. `workspace` starts it with a kept workspace's files. `network: true` needs `sandboxes.allow_network`, and then reaches only what the upstream address policy allows.",
        requestBody: { content: { 'application/json': { schema: schemas.create } } },
        responses: { '201': json(`${SANDBOX}.`) },
      }),
      get: operation("List the tenant's sandboxes, newest first", {
        requestParams: { query: sandboxListQuery },
        responses: {
          '200': json(`\`{ object: "list", data: [${SANDBOX}], next_before }\`: pass \`next_before\` as \`before\` for the next page.`),
        },
      }),
    },
    '/v1/sandboxes/{id}': {
      get: operation('Read a sandbox', { requestParams: { path: idPath }, responses: { '200': json(`${SANDBOX}.`) } }),
      delete: operation('End a sandbox: its process freed, its files dropped (keep them first), its storage billed', {
        requestParams: { path: idPath },
        responses: { '200': json(`${SANDBOX} with status \`deleted\`.`) },
      }),
    },
    '/v1/sandboxes/{id}/code': {
      post: operation('Run JavaScript (QuickJS) or Python (Pyodide) in the sandbox', {
        description:
          "State persists between calls of one sandbox. The call's worst case (its CPU limit at the configured price) is reserved against every budget first; its measured CPU time is billed on the ledger (`usage_kind: sandbox`). A call stopped at a limit answers 200 with `error.code` `cpu_limit_exceeded`, `memory_limit_exceeded` or `time_limit_exceeded`.",
        requestParams: { path: idPath },
        requestBody: { content: { 'application/json': { schema: schemas.code } } },
        responses: { '200': json(`${RESULT}.`) },
      }),
    },
    '/v1/sandboxes/{id}/files': {
      get: operation("List the sandbox's files", {
        requestParams: { path: idPath, query: sandboxFilesQuery },
        responses: { '200': json(`\`{ object: "list", data: [${FILE}] }\`, by path.`) },
      }),
    },
    '/v1/sandboxes/{id}/files/{path}': {
      get: operation('Read a file (its bytes, as stored)', {
        requestParams: { path: filePath },
        responses: { '200': { description: 'The file, with `ETag` its version.', content: { 'application/octet-stream': {} } } },
      }),
      put: operation('Write a file (the body as sent, any content type)', {
        requestParams: { path: filePath },
        requestBody: { content: { 'application/octet-stream': {} } },
        responses: { '201': json(`${FILE}.`) },
      }),
      delete: operation('Delete a file', { requestParams: { path: filePath }, responses: { '204': { description: 'Deleted.' } } }),
    },
    '/v1/sandboxes/{id}/keep': {
      post: operation("Keep the sandbox's files as a named workspace (replacing one of that name)", {
        requestParams: { path: idPath },
        requestBody: { content: { 'application/json': { schema: schemas.keep } } },
        responses: { '201': json(`${WORKSPACE}.`) },
      }),
    },
    '/v1/sandbox-workspaces': {
      get: operation('List kept workspaces', { responses: { '200': json(`\`{ object: "list", data: [${WORKSPACE}] }\`.`) } }),
    },
    '/v1/sandbox-workspaces/{name}': {
      delete: operation('Delete a kept workspace', {
        requestParams: { path: namePath },
        responses: { '204': { description: 'Deleted.' } },
      }),
    },
  };
}
