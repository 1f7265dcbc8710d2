import type { FastifyInstance } from 'fastify';
import type { Economy } from '../economy/index.js';
import type * as Api from './contract.js';
import { budgetDto } from './dto.js';
import { budgetQuery, createBudgetBody, idParams, parse, toPicos, updateBudgetBody } from './validation.js';

export function registerBudgetRoutes(app: FastifyInstance, economy: Economy): void {
  app.post('/admin/v1/budgets', async (request, reply): Promise<Api.Budget> => {
    const body = parse(createBudgetBody, request.body);
    const budget = await economy.budgets.create({
      scope: body.scope,
      ...(body.tenant_id ? { tenantId: body.tenant_id } : {}),
      ...(body.project_id ? { projectId: body.project_id } : {}),
      ...(body.key_id ? { keyId: body.key_id } : {}),
      limitPicos: toPicos(body.limit_usd, 'limit_usd'),
      period: body.period,
    });
    reply.code(201);
    return budgetDto(await economy.budgets.get(budget.id));
  });

  app.get('/admin/v1/budgets', async (request): Promise<Api.ListResponse<Api.Budget>> => {
    const query = parse(budgetQuery, request.query);
    const budgets = await economy.budgets.list({
      ...(query.tenant_id ? { tenantId: query.tenant_id } : {}),
      ...(query.project_id ? { projectId: query.project_id } : {}),
      ...(query.key_id ? { keyId: query.key_id } : {}),
      ...(query.scope ? { scope: query.scope } : {}),
    });
    return { object: 'list', data: budgets.map(budgetDto) };
  });

  app.get('/admin/v1/budgets/:id', async (request): Promise<Api.Budget> => {
    const { id } = parse(idParams, request.params);
    return budgetDto(await economy.budgets.get(id));
  });

  app.patch('/admin/v1/budgets/:id', async (request): Promise<Api.Budget> => {
    const { id } = parse(idParams, request.params);
    const body = parse(updateBudgetBody, request.body);
    return budgetDto(await economy.budgets.updateLimit(id, toPicos(body.limit_usd, 'limit_usd')));
  });

  app.delete('/admin/v1/budgets/:id', async (request): Promise<{ id: string; deleted: true }> => {
    const { id } = parse(idParams, request.params);
    await economy.budgets.delete(id);
    return { id, deleted: true };
  });
}
