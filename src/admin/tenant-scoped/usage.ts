import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type * as Api from '../contract.js';
import { budgetBurnDownAnswer, usageAnswer } from '../usage-answers.js';
import { parse, usageQuery } from '../validation.js';
import type { TenantScopedDeps } from './tenant-scoped-routes.js';

/** `/v1/usage`'s query as the OpenAPI document shows it: the admin API's, without `tenant_id`. */
export const scopedUsageQuery = usageQuery.omit({ tenant_id: true });

// A `tenant_id` is a 400 naming it: read silently as the caller's own tenant, it would let someone believe
// they saw another tenant's usage.
const notAccepted = z.never({ error: "is not accepted here: the tenant is always the caller's own" }).optional();
const parsedUsageQuery = scopedUsageQuery.extend({ tenant_id: notAccepted });
const parsedBudgetsQuery = z.object({ tenant_id: notAccepted });

/**
 * `/v1/usage` and `/v1/usage/budgets` (`usage:read`): the caller's tenant's usage totals and series, and its
 * budgets' burn-down, in the shapes of `/admin/v1/usage` and `/admin/v1/usage/budgets`.
 */
export function registerScopedUsageRoutes(app: FastifyInstance, { economy, identity }: TenantScopedDeps): void {
  app.get('/v1/usage', async (request): Promise<Api.ListResponse<Api.UsageRow> | Api.UsageSeries> => {
    const caller = await identity.tenantCaller(request, 'usage:read');
    const { tenant_id: _ignored, ...query } = parse(parsedUsageQuery, request.query);
    return usageAnswer(economy, query, caller.tenantId, new Date());
  });

  app.get('/v1/usage/budgets', async (request): Promise<Api.ListResponse<Api.BudgetBurnDown>> => {
    const caller = await identity.tenantCaller(request, 'usage:read');
    parse(parsedBudgetsQuery, request.query);
    return budgetBurnDownAnswer(economy, caller.tenantId);
  });
}
