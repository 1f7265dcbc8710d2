import type { FastifyPluginAsync } from 'fastify';
import { HubError } from '../core/index.js';
import type { Economy } from '../economy/index.js';
import { apiKeyOf } from './api-key.js';
import type * as Api from './contract.js';
import { budgetDto, usageDto } from './dto.js';
import { meUsageQuery, parse } from './validation.js';

/**
 * `GET /v1/me/usage`: a virtual key reads its own usage and the budgets it is charged to, and
 * nothing else. Every query is bound to the key's tenant and key id taken from the principal,
 * never from the request.
 */
export function selfServiceRoutes(deps: { economy: Economy }): FastifyPluginAsync {
  return async (app) => {
    app.get('/v1/me/usage', async (request): Promise<Api.MeUsageResponse> => {
      const principal = await deps.economy.gate.authenticate(apiKeyOf(request.headers));
      if (principal.kind !== 'virtual-key' || !principal.tenantId || !principal.keyId) {
        throw new HubError('FORBIDDEN', 'The admin key has no own usage; use GET /admin/v1/usage.', { code: 'virtual_key_required' });
      }
      const query = parse(meUsageQuery, request.query);
      const [usage, budgets] = await Promise.all([
        deps.economy.usage.summarize({
          tenantId: principal.tenantId,
          keyId: principal.keyId,
          ...(query.model ? { model: query.model } : {}),
          ...(query.from ? { from: query.from } : {}),
          ...(query.to ? { to: query.to } : {}),
          groupBy: query.group_by,
        }),
        deps.economy.budgets.forKey(principal.tenantId, principal.keyId, principal.projectId),
      ]);
      return {
        key_id: principal.keyId,
        tenant_id: principal.tenantId,
        project_id: principal.projectId,
        usage: usage.map(usageDto),
        budgets: budgets.map(budgetDto),
      };
    });
  };
}
