import type { FastifyInstance } from 'fastify';
import type { BudgetStatus } from '../../economy/index.js';
import { recordAuditBefore, type TenantCallerOf } from '../../identity/index.js';
import type * as Api from '../contract.js';
import { budgetDto } from '../dto.js';
import { idParams, parse, toPicos, updateBudgetBody } from '../validation.js';
import { notFound, scoped } from './scoped-schemas.js';
import type { TenantScopedDeps } from './tenant-scoped-routes.js';

/**
 * `/v1/budgets`: the caller's tenant's budgets, read with `usage:read` and changed with `budgets:write`.
 * A budget is always made within the caller's tenant: a project or key of another tenant is a 404, as if
 * it did not exist.
 */
export function registerScopedBudgetRoutes(app: FastifyInstance, { economy, identity }: TenantScopedDeps): void {
  /** The budget with its spend, when it is the caller's tenant's; another tenant's is the same 404 as a missing one. */
  const budgetOf = async (caller: TenantCallerOf, id: string): Promise<BudgetStatus> => {
    const status = await economy.budgets.get(id);
    if (status.budget.tenantId !== caller.tenantId) throw notFound('budget', id);
    return status;
  };

  app.get('/v1/budgets', async (request): Promise<Api.ListResponse<Api.Budget>> => {
    const caller = await identity.tenantCaller(request, 'usage:read');
    const query = parse(scoped.budgetQuery, request.query);
    const budgets = await economy.budgets.list({
      tenantId: caller.tenantId,
      ...(query.project_id ? { projectId: query.project_id } : {}),
      ...(query.key_id ? { keyId: query.key_id } : {}),
      ...(query.scope ? { scope: query.scope } : {}),
    });
    return { object: 'list', data: budgets.map(budgetDto) };
  });

  app.get('/v1/budgets/:id', async (request): Promise<Api.Budget> => {
    const caller = await identity.tenantCaller(request, 'usage:read');
    const { id } = parse(idParams, request.params);
    return budgetDto(await budgetOf(caller, id));
  });

  app.post(
    '/v1/budgets',
    { config: { audit: { action: 'budget.create', targetType: 'budget' } } },
    async (request, reply): Promise<Api.Budget> => {
      const caller = await identity.tenantCaller(request, 'budgets:write');
      const body = parse(scoped.createBudget, request.body);
      // The economy checks the project (or key) against this tenant before it writes anything.
      const budget = await economy.budgets.create({
        scope: body.scope,
        tenantId: caller.tenantId,
        ...(body.project_id ? { projectId: body.project_id } : {}),
        ...(body.key_id ? { keyId: body.key_id } : {}),
        limitPicos: toPicos(body.limit_usd, 'limit_usd'),
        period: body.period,
      });
      reply.code(201);
      return budgetDto(await economy.budgets.get(budget.id));
    },
  );

  app.patch(
    '/v1/budgets/:id',
    { config: { audit: { action: 'budget.update', targetType: 'budget' } } },
    async (request): Promise<Api.Budget> => {
      const caller = await identity.tenantCaller(request, 'budgets:write');
      const { id } = parse(idParams, request.params);
      const body = parse(updateBudgetBody, request.body);
      const limitPicos = toPicos(body.limit_usd, 'limit_usd');
      recordAuditBefore(request, budgetDto(await budgetOf(caller, id)));
      return budgetDto(await economy.budgets.updateLimit(id, limitPicos));
    },
  );

  app.delete(
    '/v1/budgets/:id',
    { config: { audit: { action: 'budget.delete', targetType: 'budget' } } },
    async (request): Promise<{ id: string; deleted: true }> => {
      const caller = await identity.tenantCaller(request, 'budgets:write');
      const { id } = parse(idParams, request.params);
      recordAuditBefore(request, budgetDto(await budgetOf(caller, id)));
      await economy.budgets.delete(id);
      return { id, deleted: true };
    },
  );
}
