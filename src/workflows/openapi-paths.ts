import { z } from 'zod';
import type { ZodOpenApiOperationObject, ZodOpenApiPathsObject } from 'zod-openapi';
import { workflowDocumentSchema } from './document.js';
import { activateWorkflowBody, workflowNameParams } from './routes/workflow-routes.js';

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
};
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
