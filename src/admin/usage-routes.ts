import type { FastifyInstance } from 'fastify';
import type { Economy } from '../economy/index.js';
import type * as Api from './contract.js';
import { ledgerQueryOf, sendLedger } from './ledger-response.js';
import { budgetBurnDownAnswer, usageAnswer } from './usage-answers.js';
import { ledgerQuery, parse, usageBudgetsQuery, usageQuery } from './validation.js';

export function registerUsageRoutes(app: FastifyInstance, economy: Economy): void {
  app.get('/admin/v1/usage', async (request): Promise<Api.ListResponse<Api.UsageRow> | Api.UsageSeries> => {
    const { tenant_id: tenantId, ...query } = parse(usageQuery, request.query);
    return usageAnswer(economy, query, tenantId, new Date());
  });

  app.get('/admin/v1/usage/budgets', async (request): Promise<Api.ListResponse<Api.BudgetBurnDown>> => {
    const { tenant_id: tenantId } = parse(usageBudgetsQuery, request.query);
    return budgetBurnDownAnswer(economy, tenantId);
  });

  app.get('/admin/v1/ledger', async (request, reply) => {
    const query = parse(ledgerQuery, request.query);
    return sendLedger(reply, economy, ledgerQueryOf(query, query.tenant_id), query.format);
  });
}
