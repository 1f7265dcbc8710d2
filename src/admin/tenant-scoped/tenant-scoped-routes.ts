import type { FastifyPluginAsync } from 'fastify';
import type { Economy } from '../../economy/index.js';
import type { Identity } from '../../identity/index.js';
import type { Database } from '../../storage/index.js';
import { registerScopedAuditRoutes } from './audit.js';
import { registerScopedBudgetRoutes } from './budgets.js';
import { registerScopedKeyRoutes } from './keys.js';
import { registerScopedLedgerRoutes } from './ledger.js';
import { registerScopedProjectRoutes } from './projects.js';
import { registerScopedUsageRoutes } from './usage.js';

export interface TenantScopedDeps {
  economy: Economy;
  identity: Identity;
  db: Database;
}

/**
 * The admin API's tenant views for people and service keys, under `/v1` (`/v1/keys`, `/v1/usage`,
 * `/v1/ledger`, `/v1/budgets`, `/v1/projects`, `/v1/audit`): the same request and response shapes as
 * `/admin/v1` (`contract.ts`), with the tenant always the caller's own (taken from the session or key,
 * never from the request), and each route's permission in `identity/route-permissions.ts`.
 */
export function tenantScopedRoutes(deps: TenantScopedDeps): FastifyPluginAsync {
  return async (app) => {
    registerScopedKeyRoutes(app, deps);
    registerScopedBudgetRoutes(app, deps);
    registerScopedProjectRoutes(app, deps);
    registerScopedUsageRoutes(app, deps);
    registerScopedLedgerRoutes(app, deps);
    registerScopedAuditRoutes(app, deps);
  };
}
