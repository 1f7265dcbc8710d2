import type { z } from 'zod';
import type { ZodOpenApiOperationObject, ZodOpenApiPathsObject } from 'zod-openapi';
import { adminNewUserBody, identitySchemas, userIdParams, userListQuery } from '../identity/index.js';
import { adminStatsQuery, inboxStatsSchema } from '../inbox/index.js';
import * as Out from './contract.schemas.js';
import { USAGE_DESCRIPTION, usageAnswerSchema } from './tenant-scoped/usage-openapi-paths.js';
import { providerHealthSchema, providerTestResultSchema } from './upstreams/provider-checks.schemas.js';
import {
  createModelBody,
  createProviderBody,
  modelParams,
  providerDraftTestBody,
  providerParams,
  providerTestBody,
  updateModelBody,
  updateProviderBody,
} from './upstreams/validation.js';
import {
  auditQuery,
  budgetQuery,
  createBudgetBody,
  createKeyBody,
  createProjectBody,
  createTenantBody,
  idParams,
  ledgerQuery,
  meUsageQuery,
  tenantQuery,
  updateBudgetBody,
  updateKeyBody,
  usageQuery,
} from './validation.js';

const ADMIN_TAG = 'Admin';
const ERRORS = {
  default: {
    description:
      'An error, as `{ "error": { "message", "type", "param", "code" } }`. 401 without a key, 403 for a key that is not the admin key.',
    content: { 'application/json': {} },
  },
};

// Named once at load: zod's registry refuses a second schema under the same id.
const requests = {
  createTenant: createTenantBody.meta({ id: 'CreateTenantRequest' }),
  createProject: createProjectBody.meta({ id: 'CreateProjectRequest' }),
  createKey: createKeyBody.meta({ id: 'CreateKeyRequest' }),
  updateKey: updateKeyBody.meta({ id: 'UpdateKeyRequest' }),
  createBudget: createBudgetBody.meta({ id: 'CreateBudgetRequest' }),
  updateBudget: updateBudgetBody.meta({ id: 'UpdateBudgetRequest' }),
  createProvider: createProviderBody.meta({ id: 'CreateProviderRequest' }),
  updateProvider: updateProviderBody.meta({ id: 'UpdateProviderRequest' }),
  testProvider: providerTestBody.meta({ id: 'ProviderTestRequest' }),
  testProviderDraft: providerDraftTestBody.meta({ id: 'ProviderDraftTestRequest' }),
  createModel: createModelBody.meta({ id: 'CreateModelRequest' }),
  updateModel: updateModelBody.meta({ id: 'UpdateModelRequest' }),
  createUser: adminNewUserBody.meta({ id: 'AdminCreateUserRequest' }),
};

/** The admin API's named request schemas, for the tenant-scoped mirrors that take the same bodies. */
export { requests as adminRequestSchemas };

const body = (schema: z.ZodType) => ({ content: { 'application/json': { schema } } });
const answer = (status: '200' | '201', description: string, schema: z.ZodType) => ({
  [status]: { description, content: { 'application/json': { schema } } },
});

function operation(summary: string, rest: Omit<ZodOpenApiOperationObject, 'summary' | 'tags'>): ZodOpenApiOperationObject {
  return { summary, tags: [ADMIN_TAG], ...rest, responses: { ...rest.responses, ...ERRORS } };
}

/**
 * Every route `adminRoutes` (with upstreams) and `selfServiceRoutes` register, described from the zod
 * schemas those routes parse with and the response schemas of `contract.schemas.ts`.
 */
export function adminApiPaths(): ZodOpenApiPathsObject {
  return {
    '/admin/v1/tenants': {
      get: operation('List tenants', { responses: answer('200', 'Every tenant.', Out.tenantListSchema) }),
      post: operation('Create a tenant', {
        requestBody: body(requests.createTenant),
        responses: answer('201', 'The new tenant.', Out.tenantSchema),
      }),
    },
    '/admin/v1/projects': {
      get: operation('List projects', {
        requestParams: { query: tenantQuery.pick({ tenant_id: true }) },
        responses: answer('200', "A tenant's projects, or every project.", Out.projectListSchema),
      }),
      post: operation('Create a project', {
        requestBody: body(requests.createProject),
        responses: answer('201', 'The new project.', Out.projectSchema),
      }),
    },
    '/admin/v1/keys': {
      get: operation('List virtual keys', {
        requestParams: { query: tenantQuery },
        responses: answer('200', 'Keys, revoked ones included; never their secrets.', Out.apiKeyListSchema),
      }),
      post: operation('Create a virtual key', {
        requestBody: body(requests.createKey),
        responses: answer('201', 'The new key with its secret (shown once) and its budget, if one was asked for.', Out.createdKeySchema),
      }),
    },
    '/admin/v1/keys/{id}': {
      get: operation('Read a key', { requestParams: { path: idParams }, responses: answer('200', 'The key.', Out.apiKeySchema) }),
      patch: operation('Change a key', {
        requestParams: { path: idParams },
        requestBody: body(requests.updateKey),
        responses: answer('200', 'The changed key.', Out.apiKeySchema),
      }),
      delete: operation('Revoke a key', {
        requestParams: { path: idParams },
        responses: answer('200', 'The revoked key.', Out.apiKeySchema),
      }),
    },
    '/admin/v1/budgets': {
      get: operation('List budgets', {
        requestParams: { query: budgetQuery },
        responses: answer('200', 'Budgets with their spent, reserved and remaining amounts.', Out.budgetListSchema),
      }),
      post: operation('Create a budget', {
        requestBody: body(requests.createBudget),
        responses: answer('201', 'The new budget.', Out.budgetSchema),
      }),
    },
    '/admin/v1/budgets/{id}': {
      get: operation('Read a budget', { requestParams: { path: idParams }, responses: answer('200', 'The budget.', Out.budgetSchema) }),
      patch: operation("Change a budget's limit", {
        requestParams: { path: idParams },
        requestBody: body(requests.updateBudget),
        responses: answer('200', 'The changed budget.', Out.budgetSchema),
      }),
      delete: operation('Delete a budget', {
        requestParams: { path: idParams },
        responses: answer('200', 'The budget is gone.', Out.deletedBudgetSchema),
      }),
    },
    '/admin/v1/usage': {
      get: operation('Usage totals or a time series', {
        description: USAGE_DESCRIPTION,
        requestParams: { query: usageQuery },
        responses: answer('200', 'Requests, errors, tokens and cost per group; with `interval`, a series.', usageAnswerSchema()),
      }),
    },
    '/admin/v1/ledger': {
      get: operation('Ledger rows', {
        requestParams: { query: ledgerQuery },
        responses: {
          '200': {
            description:
              'One row per request, newest first: a page as JSON (`next_cursor` for the next), or with `format=csv` every matching row as a CSV download, streamed page by page. Filters: `tenant_id`, `project_id`, `key_id`, `model` (served), `status` (`success`: below 400, `error`: 400 and up, or one HTTP status), `agent`, `run_id`, `request_id` (exactly), `from`/`to` (admission time).',
            content: { 'application/json': { schema: Out.ledgerPageSchema }, 'text/csv': {} },
          },
        },
      }),
    },
    '/admin/v1/audit': {
      get: operation('Audit log', {
        requestParams: { query: auditQuery },
        responses: answer('200', 'Admin actions, newest first, failed attempts included.', Out.auditPageSchema),
      }),
    },
    '/admin/v1/providers': {
      get: operation('List providers', {
        responses: answer('200', 'Config and admin-created providers; never their secrets.', Out.upstreamProviderListSchema),
      }),
      post: operation('Create a provider', {
        requestBody: body(requests.createProvider),
        responses: answer('201', 'The new provider, serving at once on every replica.', Out.upstreamProviderSchema),
      }),
    },
    '/admin/v1/providers/{id}': {
      get: operation('Read a provider', {
        requestParams: { path: providerParams },
        responses: answer('200', 'The provider.', Out.upstreamProviderSchema),
      }),
      patch: operation('Change a provider', {
        requestParams: { path: providerParams },
        requestBody: body(requests.updateProvider),
        responses: answer('200', 'The changed provider.', Out.upstreamProviderSchema),
      }),
      delete: operation('Delete a provider', {
        requestParams: { path: providerParams },
        responses: answer('200', 'The deleted provider (refused while models route to it).', Out.upstreamProviderSchema),
      }),
    },
    '/admin/v1/providers/{id}/health': {
      get: operation("A provider's health", {
        description:
          "Read-only: each routing target (`provider/model`) of the provider with its circuit breaker's state, since when, consecutive and recent failures and the last error. Breakers are kept per replica: this is the view of the replica that answered.",
        requestParams: { path: providerParams },
        responses: answer('200', 'The provider and its targets.', providerHealthSchema),
      }),
    },
    '/admin/v1/providers/{id}/test': {
      post: operation('Test a provider', {
        description:
          "One tiny real request through the provider: a 1-token chat completion on `model` (default: the first chat model routed to it), within `timeout_ms`. Outside the router (no retries, no breaker change) and metered to no tenant (no ledger row; the upstream may bill the operator a token). The answer never contains the provider's key; a failure is `ok: false` with the upstream status and message.",
        requestParams: { path: providerParams },
        requestBody: body(requests.testProvider),
        responses: answer('200', 'How the request went.', providerTestResultSchema),
      }),
    },
    '/admin/v1/providers/test': {
      post: operation('Test a provider before saving it', {
        description:
          'As `POST /admin/v1/providers/{id}/test`, for a provider given as it would be created (nothing is stored). The address policy (`security.upstream_urls`) applies as on creation: a refused base URL (private, link-local, cloud metadata…) is a 400 naming `base_url`, and no connection is made.',
        requestBody: body(requests.testProviderDraft),
        responses: answer('200', 'How the request went.', providerTestResultSchema),
      }),
    },
    '/admin/v1/models': {
      get: operation('List routed models', { responses: answer('200', 'Config and admin-created models.', Out.routedModelListSchema) }),
      post: operation('Create a model', {
        requestBody: body(requests.createModel),
        responses: answer('201', 'The new model.', Out.routedModelSchema),
      }),
    },
    '/admin/v1/models/{name}': {
      get: operation('Read a model', {
        requestParams: { path: modelParams },
        responses: answer('200', 'The model.', Out.routedModelSchema),
      }),
      patch: operation('Change a model', {
        requestParams: { path: modelParams },
        requestBody: body(requests.updateModel),
        responses: answer('200', 'The changed model.', Out.routedModelSchema),
      }),
      delete: operation('Delete a model', {
        requestParams: { path: modelParams },
        responses: answer('200', 'The deleted model.', Out.routedModelSchema),
      }),
    },
    '/admin/v1/secrets/rotate': {
      post: operation('Re-seal stored secrets', {
        description: 'Every stored provider secret is re-sealed under the current `TOKENHUB_SECRET_KEY`.',
        responses: answer('200', 'How many secrets were re-sealed.', Out.secretRotationSchema),
      }),
    },
    '/admin/v1/users': {
      get: operation("List a tenant's people", {
        requestParams: { query: userListQuery.extend({ tenant_id: tenantQuery.shape.tenant_id.unwrap() }) },
        responses: answer('200', 'The people of the tenant, oldest first.', identitySchemas.userList),
      }),
      post: operation('Add a person to a tenant', {
        description: 'With a personal key, shown once (their scopes follow the role); `password` lets them sign in to the console.',
        requestBody: body(requests.createUser),
        responses: answer('201', 'The person with their personal key.', identitySchemas.createdUser),
      }),
    },
    '/admin/v1/users/{id}': {
      get: operation('Read a person', {
        requestParams: { path: userIdParams },
        responses: answer('200', 'The person.', identitySchemas.user),
      }),
      patch: operation("Change a person's role, name, password or disabled flag", {
        requestParams: { path: userIdParams },
        requestBody: body(identitySchemas.patchUser),
        responses: answer('200', 'The person as changed.', identitySchemas.user),
      }),
    },
    '/admin/v1/inbox/stats': {
      get: operation("A tenant's division-of-labour measures", {
        description: 'As `GET /v1/inbox/stats`, for the tenant named by `tenant_id` (404 when there is none).',
        requestParams: { query: adminStatsQuery },
        responses: answer('200', 'The measures.', inboxStatsSchema),
      }),
    },
    '/v1/me/usage': {
      get: {
        summary: "A virtual key's own usage and budgets",
        tags: ['TokenHub'],
        requestParams: { query: meUsageQuery },
        responses: {
          ...answer('200', 'Usage of the calling key and every budget it is charged to.', Out.meUsageSchema),
          default: {
            description: 'An error in the OpenAI shape; 403 for the admin key (it has no own usage).',
            content: { 'application/json': {} },
          },
        },
      },
    },
  };
}
