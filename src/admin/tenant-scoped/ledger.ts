import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { recordAuditBefore } from '../../identity/index.js';
import { bodyLoggingBody, bodyLoggingDto, readBodies, requestIdParams } from '../body-logging-routes.js';
import type * as Api from '../contract.js';
import { ledgerQueryOf, sendLedger } from '../ledger-response.js';
import { idParams, ledgerQuery, parse } from '../validation.js';
import type { TenantScopedDeps } from './tenant-scoped-routes.js';

/** The admin API's ledger query without `tenant_id`, as the OpenAPI document shows it. */
export const scopedLedgerQuery = ledgerQuery.omit({ tenant_id: true });

// A `tenant_id` is a 400 naming it: read silently as the caller's own, it would let someone believe they saw another tenant's rows.
const parsedLedgerQuery = scopedLedgerQuery.extend({
  tenant_id: z.never({ error: "is not accepted here: the tenant is always the caller's own" }).optional(),
});

/**
 * `/v1/ledger` (`usage:read`): the caller's tenant's ledger with the admin API's filters, cursor and CSV
 * export (streamed page by page); `/v1/ledger/:request_id/body`: a call's kept bodies; and the body
 * retention of the tenant's keys (`service_keys:write` to change) and projects (`projects:write`). A
 * request, key or project of another tenant is the same 404 as a missing one.
 */
export function registerScopedLedgerRoutes(app: FastifyInstance, { economy, identity }: TenantScopedDeps): void {
  app.get('/v1/ledger', async (request, reply) => {
    const caller = await identity.tenantCaller(request, 'usage:read');
    const query = parse(parsedLedgerQuery, request.query);
    return sendLedger(reply, economy, ledgerQueryOf(query, caller.tenantId), query.format);
  });

  app.get('/v1/ledger/:request_id/body', async (request): Promise<Api.RequestBodies> => {
    const caller = await identity.tenantCaller(request, 'usage:read');
    const { request_id } = parse(requestIdParams, request.params);
    return readBodies(economy, caller.tenantId, request_id);
  });

  const permissions = {
    key: { read: 'keys:read', write: 'service_keys:write' },
    project: { read: 'projects:read', write: 'projects:write' },
  } as const;
  for (const scope of ['key', 'project'] as const) {
    const path = `/v1/${scope}s/:id/body-logging`;
    const viewOf = (id: string, tenantId: string) =>
      scope === 'key' ? economy.bodies.forKey(id, tenantId) : economy.bodies.forProject(id, tenantId);
    app.get(path, async (request): Promise<Api.BodyLogging> => {
      const caller = await identity.tenantCaller(request, permissions[scope].read);
      const { id } = parse(idParams, request.params);
      return bodyLoggingDto(await viewOf(id, caller.tenantId));
    });
    app.put(
      path,
      { config: { audit: { action: `${scope}.body_logging`, targetType: scope } } },
      async (request): Promise<Api.BodyLogging> => {
        const caller = await identity.tenantCaller(request, permissions[scope].write);
        const { id } = parse(idParams, request.params);
        const body = parse(bodyLoggingBody, request.body);
        recordAuditBefore(request, bodyLoggingDto(await viewOf(id, caller.tenantId)));
        const view = await economy.bodies.set(scope, id, { enabled: body.enabled, retentionDays: body.retention_days }, caller.tenantId);
        return bodyLoggingDto(view);
      },
    );
    app.delete(
      path,
      { config: { audit: { action: `${scope}.body_logging_clear`, targetType: scope } } },
      async (request): Promise<Api.BodyLogging> => {
        const caller = await identity.tenantCaller(request, permissions[scope].write);
        const { id } = parse(idParams, request.params);
        recordAuditBefore(request, bodyLoggingDto(await viewOf(id, caller.tenantId)));
        return bodyLoggingDto(await economy.bodies.clear(scope, id, caller.tenantId));
      },
    );
  }
}
