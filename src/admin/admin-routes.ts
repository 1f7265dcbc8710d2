import type { FastifyPluginAsync } from 'fastify';
import type { AgentService } from '../agents/index.js';
import type { SiteBuilderApp } from '../apps/site-builder/index.js';
import type { SupplierMatchApp } from '../apps/supplier-match/index.js';
import type { SupportApp } from '../apps/support/index.js';
import { HubError } from '../core/index.js';
import { type Economy, hashSecret } from '../economy/index.js';
import type { Identity } from '../identity/index.js';
import type { InboxStats } from '../inbox/index.js';
import { AuditLogRepository, type Database } from '../storage/index.js';
import type { WorkflowService } from '../workflows/index.js';
import { registerAgentRoutes } from './agent-routes.js';
import { apiKeyOf } from './api-key.js';
import { registerAppRoutes } from './app-routes.js';
import { registerAuditRoutes } from './audit-routes.js';
import { AuditTrail } from './audit-trail.js';
import { registerBodyLoggingRoutes } from './body-logging-routes.js';
import { registerBudgetRoutes } from './budget-routes.js';
import { registerInboxStatsRoutes } from './inbox-stats-routes.js';
import { registerKeyRoutes } from './key-routes.js';
import { registerSiteBuilderRoutes } from './site-builder-routes.js';
import { registerSupplierMatchRoutes } from './supplier-match-routes.js';
import { registerTenantRoutes } from './tenant-routes.js';
import type { UpstreamControl } from './upstreams/upstream-control.js';
import { registerUpstreamRoutes } from './upstreams/upstream-routes.js';
import { registerUsageRoutes } from './usage-routes.js';
import { registerUserRoutes } from './user-routes.js';
import { workflowAdminRoutes } from './workflow-routes.js';

export interface AdminRoutesDeps {
  economy: Economy;
  /** Where the audit log of admin actions is kept. */
  db: Database;
  /** Providers and models managed through the API (omitted: those routes are not served). */
  upstreams?: UpstreamControl;
  /** Agents of every tenant (omitted: those routes are not served). */
  agents?: AgentService;
  /** Workflows of every tenant (omitted: those routes are not served). */
  workflows?: WorkflowService;
  /** The support app (omitted: `/admin/v1/apps/support` is not served). */
  support?: SupportApp;
  /** The supplier-matching app (omitted: `/admin/v1/apps/supplier-match` is not served). */
  supplierMatch?: SupplierMatchApp;
  /** The site-builder app (omitted: `/admin/v1/apps/site-builder` is not served). */
  siteBuilder?: SiteBuilderApp;
  /** People of every tenant (omitted: `/admin/v1/users` is not served). */
  identity?: Identity;
  /** Every tenant's inbox measures (omitted: `/admin/v1/inbox/stats` is not served). */
  inboxStats?: InboxStats;
  /** Re-seals agents' tool secrets on secret rotation. */
  resealToolSecrets?: () => Promise<number>;
}

/**
 * The control-plane API under `/admin/v1`, for the admin key only. Register it as an encapsulated
 * plugin (`app.register(adminRoutes({ economy, db }))`) so its auth hook applies to its routes alone;
 * errors are thrown as HubError for the app's error handler to render. Every authenticated
 * mutating request is recorded in the audit log (`GET /admin/v1/audit`).
 */
export function adminRoutes(deps: AdminRoutesDeps): FastifyPluginAsync {
  return async (app) => {
    const audit = new AuditLogRepository(deps.db);
    const trail = new AuditTrail(audit, { economy: deps.economy, upstreams: deps.upstreams });
    app.addHook('onRequest', async (request) => {
      const apiKey = apiKeyOf(request.headers);
      const principal = await deps.economy.gate.authenticate(apiKey);
      if (principal.kind !== 'admin' || !apiKey)
        throw new HubError('FORBIDDEN', 'The admin API requires the admin key.', { code: 'admin_key_required' });
      // A short hash prefix names which admin key acted (after a rotation) without revealing it.
      trail.begin(request, `admin:${hashSecret(apiKey).slice(0, 12)}`);
    });
    trail.register(app);
    registerTenantRoutes(app, deps.economy);
    registerKeyRoutes(app, deps.economy);
    registerBudgetRoutes(app, deps.economy);
    registerUsageRoutes(app, deps.economy);
    registerBodyLoggingRoutes(app, deps.economy);
    registerAuditRoutes(app, audit);
    if (deps.upstreams) {
      registerUpstreamRoutes(app, deps.upstreams, deps.resealToolSecrets ? { resealToolSecrets: deps.resealToolSecrets } : {});
    }
    if (deps.agents) registerAgentRoutes(app, deps.agents);
    if (deps.workflows) await app.register(workflowAdminRoutes(deps.workflows));
    if (deps.identity) registerUserRoutes(app, deps.identity, deps.db);
    if (deps.inboxStats) registerInboxStatsRoutes(app, deps.inboxStats, deps.economy);
    if (deps.supplierMatch) registerSupplierMatchRoutes(app, deps.supplierMatch);
    if (deps.siteBuilder) registerSiteBuilderRoutes(app, deps.siteBuilder);
    if (deps.support) {
      const economy = deps.economy;
      registerAppRoutes(app, deps.support, async (tenantId, name) => {
        const created = await economy.keys.create({ tenantId, name, scopes: ['agents:run'] });
        return created.record.id;
      });
    }
  };
}
