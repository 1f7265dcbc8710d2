import type { FastifyInstance } from 'fastify';
import { AuditLogRepository } from '../../storage/index.js';
import { auditPage } from '../audit-routes.js';
import type * as Api from '../contract.js';
import { parse } from '../validation.js';
import { scoped } from './scoped-schemas.js';
import type { TenantScopedDeps } from './tenant-scoped-routes.js';

/**
 * `/v1/audit` (`audit:read`): the caller's tenant's entries of the one audit log, newest first, with the
 * admin API's filters and cursor: what the hub admin did to the tenant's keys, budgets, projects, people
 * and agents, and what the tenant's own people and keys changed. Nothing of another tenant, and nothing
 * that belongs to no tenant (providers, models, secret rotation).
 */
export function registerScopedAuditRoutes(app: FastifyInstance, { db, identity }: TenantScopedDeps): void {
  const audit = new AuditLogRepository(db);
  app.get('/v1/audit', async (request): Promise<Api.AuditPage> => {
    const caller = await identity.tenantCaller(request, 'audit:read');
    const query = parse(scoped.auditQuery, request.query);
    return auditPage(audit, caller.tenantId, query);
  });
}
