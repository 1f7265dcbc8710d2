import { z } from 'zod';
import type { ZodOpenApiOperationObject, ZodOpenApiPathsObject } from 'zod-openapi';
import { workflowDocumentSchema } from './document.js';
import { activateWorkflowBody, workflowNameParams } from './routes/workflow-routes.js';
import { startWorkflowRunBody, workflowDecisionBody, workflowRunListQuery } from './routes/workflow-run-routes.js';

const TAG = 'Workflows';
const ERRORS = {
  default: {
    description:
      'An error, as `{ "error": { "message", "type", "param", "code" } }`: 400 `invalid_workflow` naming the step and field (`param`: `steps.<id>.<field>`), 401, 403 `missing_scope`, 404 `workflow_not_found`.',
    content: { 'application/json': {} },
  },
};

// Named once at load: zod's registry refuses a second schema under the same id.
const schemas = {
  document: workflowDocumentSchema.meta({ id: 'WorkflowDocument' }),
  activate: activateWorkflowBody.meta({ id: 'ActivateWorkflowVersionRequest' }),
  start: startWorkflowRunBody.meta({ id: 'StartWorkflowRunRequest' }),
  decision: workflowDecisionBody.meta({ id: 'WorkflowDecisionRequest' }),
};
const runPath = z.object({ id: z.string() });
const RUN =
  '`{ id, object: "workflow.run", workflow, version, status, input, output, error, parent_run_id, trigger, metadata, usage: { input_tokens, output_tokens, cost_usd, model_calls }, created_at, finished_at, steps: [{ key, id, kind, status, attempt, started_at, finished_at, duration_ms, output, error, cost_usd, child_run_id?, decision? }], pending?, wake_at? }`';
const tenantQuery = z.object({ tenant_id: z.string() });

const json = (description: string) => ({ description, content: { 'application/json': {} } });
/** A document as JSON, or as YAML text (older `apiVersion`s too: they are migrated on load). */
const documentBody = {
  content: {
    'application/json': { schema: schemas.document },
    'application/yaml': { schema: schemas.document },
  },
};
const operation = (summary: string, rest: Omit<ZodOpenApiOperationObject, 'summary' | 'tags'>): ZodOpenApiOperationObject => ({
  summary,
  tags: [TAG],
  ...rest,
  responses: { ...rest.responses, ...ERRORS },
});

const WORKFLOW = '`{ object: "workflow", name, description, active_version, latest_version, document, created_at, updated_at }`';
const APPLIED = `${WORKFLOW} with \`result\` (\`created\`, \`updated\`, \`unchanged\`), \`changed\` and \`version\`: the version the document is stored as`;

/** The routes of workflow definitions: the tenant's own (`/v1/workflows`) and the admin's (`/admin/v1/workflows`, `tenant_id` in the query). */
export function workflowApiPaths(): ZodOpenApiPathsObject {
  const path = { path: workflowNameParams };
  const admin = { path: workflowNameParams, query: tenantQuery };
  return {
    '/v1/workflows': {
      get: operation('List workflows', { responses: { '200': json(`\`{ object: "list", data: [${WORKFLOW}] }\`.`) } }),
      post: operation('Import a workflow document (scope agents:write)', {
        description:
          'A new name makes the workflow at version 1 (201); an existing name adds a version and serves it (200, `result: updated`), unless the document equals the active version (200, `result: unchanged`).',
        requestBody: documentBody,
        responses: { '201': json(`${APPLIED}.`), '200': json(`${APPLIED}.`) },
      }),
    },
    '/v1/workflows/schema': {
      get: operation('The JSON Schema of a workflow document (public, for editors)', {
        responses: { '200': { description: 'JSON Schema 2020-12.', content: { 'application/schema+json': {} } } },
      }),
    },
    '/v1/workflows/{name}': {
      get: operation('Read a workflow', { requestParams: path, responses: { '200': json(`${WORKFLOW} at its active version.`) } }),
      put: operation('Change a workflow: a new version, made active', {
        description: "The document's `metadata.name` must be the workflow's name.",
        requestParams: path,
        requestBody: documentBody,
        responses: { '200': json(`${APPLIED}.`) },
      }),
      delete: operation('Delete a workflow and its versions', { requestParams: path, responses: { '204': { description: 'Deleted.' } } }),
    },
    '/v1/workflows/{name}/versions': {
      get: operation("List a workflow's versions", {
        requestParams: path,
        responses: {
          '200': json(
            '`{ object: "list", data: [{ object: "workflow.version", name, version, active, document, created_at }] }`, oldest first.',
          ),
        },
      }),
    },
    '/v1/workflows/{name}/activate': {
      post: operation('Serve an earlier (or later) version', {
        requestParams: path,
        requestBody: { content: { 'application/json': { schema: schemas.activate } } },
        responses: { '200': json(`${WORKFLOW} at the version it now serves.`) },
      }),
    },
    '/v1/workflows/{name}/runs': {
      post: operation('Run a workflow (scope agents:run)', {
        description:
          "`mode: sync` (default) answers when the run finished or waits (for a person, a time); `stream` sends its events as SSE until then; `background` answers 202 at once. The input is checked against the workflow's `inputs` (400 `invalid_input`).",
        requestParams: path,
        requestBody: { content: { 'application/json': { schema: schemas.start } } },
        responses: { '200': json(`${RUN}.`), '202': json(`${RUN}, queued.`) },
      }),
    },
    '/v1/workflows/{name}/webhook': {
      post: operation("Make the workflow's signed webhook (a new one replaces the old)", {
        description:
          'Answers `{ object: "workflow.webhook", id, workflow, url, secret }` (201); the secret is shown this once. Runs it starts bill the key that made it.',
        requestParams: path,
        responses: { '201': json('The webhook, with its secret.') },
      }),
    },
    '/v1/workflow-hooks/{id}': {
      post: operation('Start a run from a signed webhook call (no API key)', {
        description:
          'Headers `x-tokenhub-timestamp` (Unix seconds, within 300 s of the hub) and `x-tokenhub-signature: sha256=<hex HMAC-SHA256 of "<timestamp>.<raw body>">`; the JSON body is the run\'s input; an `Idempotency-Key` makes repeats one run. 401 `invalid_signature` or `stale_timestamp` otherwise.',
        requestParams: { path: z.object({ id: z.string() }) },
        requestBody: { content: { 'application/json': {} } },
        responses: { '202': json('`{ id, object: "workflow.run", workflow, status }`.') },
      }),
    },
    '/v1/workflow-runs': {
      get: operation("List the tenant's workflow runs, newest first", {
        requestParams: { query: workflowRunListQuery },
        responses: {
          '200': json(
            '`{ object: "list", data: [{ id, object, workflow, version, status, error, usage, steps, created_at, finished_at }], next_cursor, has_more }`.',
          ),
        },
      }),
    },
    '/v1/workflow-runs/{id}': {
      get: operation('Read a workflow run with every step', { requestParams: { path: runPath }, responses: { '200': json(`${RUN}.`) } }),
    },
    '/v1/workflow-runs/{id}/events': {
      get: operation("Follow a workflow run's events (SSE; resume with Last-Event-ID)", {
        requestParams: { path: runPath },
        responses: { '200': { description: 'Server-sent events until the run finishes or waits.', content: { 'text/event-stream': {} } } },
      }),
    },
    '/v1/workflow-runs/{id}/cancel': {
      post: operation('Cancel a workflow run', { requestParams: { path: runPath }, responses: { '200': json(`${RUN}.`) } }),
    },
    '/v1/workflow-runs/{id}/decisions': {
      post: operation('Decide a human step the run waits on', {
        description:
          '`call_id` is the step key from `pending`; a form step takes `values`, checked against its fields before anything is stored (400 `invalid_form`, `param` naming the field, e.g. `values.email`; the step stays open). The run goes on, on any replica, once every pending step has a decision.',
        requestParams: { path: runPath },
        requestBody: { content: { 'application/json': { schema: schemas.decision } } },
        responses: { '200': json(`${RUN}.`) },
      }),
    },
    '/admin/v1/workflows': {
      get: operation("List a tenant's workflows", { requestParams: { query: tenantQuery }, responses: { '200': json('The workflows.') } }),
      post: operation('Import a workflow document for a tenant', {
        requestParams: { query: tenantQuery },
        requestBody: documentBody,
        responses: { '201': json(`${APPLIED}.`), '200': json(`${APPLIED}.`) },
      }),
    },
    '/admin/v1/workflows/{name}': {
      get: operation("Read a tenant's workflow", { requestParams: admin, responses: { '200': json('The workflow.') } }),
      put: operation("Change a tenant's workflow", {
        requestParams: admin,
        requestBody: documentBody,
        responses: { '200': json(`${APPLIED}.`) },
      }),
      delete: operation("Delete a tenant's workflow", { requestParams: admin, responses: { '204': { description: 'Deleted.' } } }),
    },
    '/admin/v1/workflows/{name}/versions': {
      get: operation("List a tenant's workflow's versions", {
        requestParams: admin,
        responses: { '200': json('Every version, oldest first.') },
      }),
    },
    '/admin/v1/workflows/{name}/activate': {
      post: operation("Serve a version of a tenant's workflow", {
        requestParams: admin,
        requestBody: { content: { 'application/json': { schema: schemas.activate } } },
        responses: { '200': json('The workflow.') },
      }),
    },
  };
}
