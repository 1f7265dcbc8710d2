import type { FastifyInstance } from 'fastify';
import { parseInput } from '../core/index.js';
import type { Economy } from '../economy/index.js';
import { adminStatsQuery, type InboxStats } from '../inbox/index.js';

/** `GET /admin/v1/inbox/stats`: any tenant's division-of-labour measures, for the admin key. */
export function registerInboxStatsRoutes(app: FastifyInstance, stats: InboxStats, economy: Economy): void {
  app.get('/admin/v1/inbox/stats', async (request) => {
    const { tenant_id: tenantId, ...query } = parseInput(adminStatsQuery, request.query);
    await economy.tenancy.requireTenant(tenantId);
    return stats.measure(tenantId, query);
  });
}
