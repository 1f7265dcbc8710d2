import type { z } from 'zod';
import type { ZodOpenApiOperationObject, ZodOpenApiPathsObject } from 'zod-openapi';
import * as Out from '../contract.schemas.js';
import { adminRequestSchemas } from '../openapi-paths.js';
import { idParams } from '../validation.js';
import { documented } from './scoped-schemas.js';

const TAG = 'Tenant administration';
const ERRORS = {
  default: {
    description:
      'An error, as `{ "error": { "message", "type", "param", "code" } }`: 400 naming the field (a `tenant_id` is one: the tenant is always the caller\'s), 401, 403 (`permission_denied` naming the role and permission, `missing_scope` or `person_required` for a service key, `csrf_token_invalid` for a signed-in write without `x-csrf-token`, `virtual_key_required` for the admin key), 404 (`key_not_found`, `budget_not_found`, `project_not_found`) for a missing id or one of another tenant alike.',
    content: { 'application/json': {} },
  },
};

// Named once at load: zod's registry refuses a second schema under the same id.
const requests = {
  createKey: documented.createKey.meta({ id: 'TenantCreateKeyRequest' }),
  createBudget: documented.createBudget.meta({ id: 'TenantCreateBudgetRequest' }),
  createProject: documented.createProject.meta({ id: 'TenantCreateProjectRequest' }),
};

const body = (schema: z.ZodType) => ({ content: { 'application/json': { schema } } });
const answer = (status: '200' | '201', description: string, schema: z.ZodType) => ({
  [status]: { description, content: { 'application/json': { schema } } },
});

function operation(summary: string, rest: Omit<ZodOpenApiOperationObject, 'summary' | 'tags'>): ZodOpenApiOperationObject {
  return { summary, tags: [TAG], ...rest, responses: { ...rest.responses, ...ERRORS } };
}

/**
 * The routes of `registerScopedKeyRoutes`, `…BudgetRoutes`, `…ProjectRoutes` and `…AuditRoutes`: the admin
 * API's keys, budgets, projects and audit log, for the caller's own tenant (same shapes as `/admin/v1`).
 */
export function tenantScopedApiPaths(): ZodOpenApiPathsObject {
  const path = { path: idParams };
  return {
    '/v1/keys': {
      get: operation("List the tenant's keys (keys:read)", {
        requestParams: { query: documented.keyQuery },
        responses: answer(
          '200',
          'Service and personal keys (`user_id` names a personal key’s person), revoked ones included; never their secrets.',
          Out.apiKeyListSchema,
        ),
      }),
      post: operation('Create a service key (service_keys:write)', {
        description:
          "A key of the caller's tenant that belongs to no person. Its scopes may grant only what the caller may do themselves; a `budget` needs budgets:write.",
        requestBody: body(requests.createKey),
        responses: answer('201', 'The new key with its secret (shown once) and its budget, if one was asked for.', Out.createdKeySchema),
      }),
    },
    '/v1/keys/{id}': {
      get: operation('Read a key (keys:read)', { requestParams: path, responses: answer('200', 'The key.', Out.apiKeySchema) }),
      patch: operation('Change a service key (service_keys:write)', {
        description:
          "A personal key's scopes follow its person's role: it is refused (403 `personal_key_not_editable`); revoke it instead.",
        requestParams: path,
        requestBody: body(adminRequestSchemas.updateKey),
        responses: answer('200', 'The changed key.', Out.apiKeySchema),
      }),
      delete: operation('Revoke a key (your own personal key: keys:write; a service key: service_keys:write; another’s: users:write)', {
        requestParams: path,
        responses: answer('200', 'The revoked key.', Out.apiKeySchema),
      }),
    },
    '/v1/budgets': {
      get: operation("List the tenant's budgets (usage:read)", {
        requestParams: { query: documented.budgetQuery },
        responses: answer('200', 'Budgets with their spent, reserved and remaining amounts.', Out.budgetListSchema),
      }),
      post: operation('Create a budget (budgets:write)', {
        description: 'For the tenant, or one of its projects or keys: a project or key of another tenant is a 404, and nothing is created.',
        requestBody: body(requests.createBudget),
        responses: answer('201', 'The new budget.', Out.budgetSchema),
      }),
    },
    '/v1/budgets/{id}': {
      get: operation('Read a budget (usage:read)', { requestParams: path, responses: answer('200', 'The budget.', Out.budgetSchema) }),
      patch: operation("Change a budget's limit (budgets:write)", {
        requestParams: path,
        requestBody: body(adminRequestSchemas.updateBudget),
        responses: answer('200', 'The changed budget.', Out.budgetSchema),
      }),
      delete: operation('Delete a budget (budgets:write)', {
        requestParams: path,
        responses: answer('200', 'The budget is gone.', Out.deletedBudgetSchema),
      }),
    },
    '/v1/projects': {
      get: operation("List the tenant's projects (projects:read)", {
        responses: answer('200', "The tenant's projects.", Out.projectListSchema),
      }),
      post: operation('Create a project (projects:write)', {
        requestBody: body(requests.createProject),
        responses: answer('201', 'The new project.', Out.projectSchema),
      }),
    },
    '/v1/audit': {
      get: operation("The tenant's audit log (audit:read)", {
        description:
          "What the hub admin (`admin:<hash prefix>`), the tenant's people (`user:<id>`) and its service keys (`key:<id>`) changed in this tenant, newest first, failed attempts included.",
        requestParams: { query: documented.auditQuery },
        responses: answer('200', 'Audit entries of this tenant.', Out.auditPageSchema),
      }),
    },
  };
}
