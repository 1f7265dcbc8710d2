import { z } from 'zod';
import { HubError } from '../../core/index.js';
import { auditQuery, budgetQuery, createBudgetBody, createKeyBody, createProjectBody, tenantQuery } from '../validation.js';

/**
 * The admin API's request schemas without `tenant_id`, as the OpenAPI document shows them: on these
 * routes the tenant is always the caller's.
 */
export const documented = {
  keyQuery: tenantQuery.omit({ tenant_id: true }),
  createKey: createKeyBody.omit({ tenant_id: true }),
  budgetQuery: budgetQuery.omit({ tenant_id: true }),
  createBudget: createBudgetBody.omit({ tenant_id: true }),
  createProject: createProjectBody.omit({ tenant_id: true }),
  auditQuery: auditQuery.omit({ tenant_id: true }),
};

// A `tenant_id` is a 400 naming it, in a query too: read silently as the caller's own tenant, it would let
// someone believe they saw another tenant's keys.
const notAccepted = z.never({ error: "is not accepted here: the tenant is always the caller's own" }).optional();

/** What the routes parse with. */
export const scoped = {
  keyQuery: documented.keyQuery.extend({ tenant_id: notAccepted }),
  createKey: documented.createKey.extend({ tenant_id: notAccepted }),
  budgetQuery: documented.budgetQuery.extend({ tenant_id: notAccepted }),
  createBudget: documented.createBudget.extend({ tenant_id: notAccepted }),
  createProject: documented.createProject.extend({ tenant_id: notAccepted }),
  auditQuery: documented.auditQuery.extend({ tenant_id: notAccepted }),
};

/** What `/admin/v1` answers for a missing entity; one of another tenant is answered exactly the same. */
export const notFound = (what: 'key' | 'budget', id: string): HubError =>
  new HubError('NOT_FOUND', `No ${what} with id \`${id}\`.`, { param: 'id', code: `${what}_not_found` });
