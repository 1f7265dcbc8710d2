import type { FastifyPluginAsync } from 'fastify';
import { HubError } from '../core/index.js';
import type { Economy } from '../economy/index.js';
import { apiKeyOf } from './api-key.js';
import { registerBudgetRoutes } from './budget-routes.js';
import { registerKeyRoutes } from './key-routes.js';
import { registerTenantRoutes } from './tenant-routes.js';
import { registerUsageRoutes } from './usage-routes.js';

export interface AdminRoutesDeps {
  economy: Economy;
}

/**
 * The control-plane API under `/admin/v1`, for the admin key only. Register it as an encapsulated
 * plugin (`app.register(adminRoutes({ economy }))`) so its auth hook applies to its routes alone;
 * errors are thrown as HubError for the app's error handler to render.
 */
export function adminRoutes(deps: AdminRoutesDeps): FastifyPluginAsync {
  return async (app) => {
    app.addHook('onRequest', async (request) => {
      const principal = await deps.economy.gate.authenticate(apiKeyOf(request.headers));
      if (principal.kind !== 'admin')
        throw new HubError('FORBIDDEN', 'The admin API requires the admin key.', { code: 'admin_key_required' });
    });
    registerTenantRoutes(app, deps.economy);
    registerKeyRoutes(app, deps.economy);
    registerBudgetRoutes(app, deps.economy);
    registerUsageRoutes(app, deps.economy);
  };
}
