import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { HubError } from '../core/index.js';
import {
  BODY_CAP_BYTES,
  type BodyLoggingView,
  DEFAULT_BODY_RETENTION_DAYS,
  type Economy,
  MAX_BODY_RETENTION_DAYS,
} from '../economy/index.js';
import type { StoredBodies } from '../storage/index.js';
import type * as Api from './contract.js';
import { idParams, parse } from './validation.js';

export const bodyLoggingBody = z.strictObject({
  enabled: z.boolean(),
  retention_days: z.number().int().min(1).max(MAX_BODY_RETENTION_DAYS).default(DEFAULT_BODY_RETENTION_DAYS),
});
export const requestIdParams = z.object({ request_id: z.string().regex(/^[A-Za-z0-9_-]{1,200}$/, 'is not a TokenHub request id') });

export const bodyLoggingDto = (view: BodyLoggingView): Api.BodyLogging => ({
  object: 'body_logging',
  scope: view.scope,
  id: view.targetId,
  tenant_id: view.tenantId,
  setting: view.own
    ? { enabled: view.own.enabled, retention_days: view.own.retentionDays, updated_at: view.own.updatedAt.toISOString() }
    : null,
  effective: view.effective?.enabled
    ? { enabled: true, retention_days: view.effective.retentionDays, source: view.effective.scope }
    : { enabled: false, retention_days: null, source: view.effective ? view.effective.scope : null },
  max_body_bytes: BODY_CAP_BYTES,
});

export const requestBodiesDto = (stored: StoredBodies): Api.RequestBodies => ({
  object: 'request_bodies',
  request_id: stored.requestId,
  tenant_id: stored.tenantId,
  key_id: stored.keyId,
  created_at: stored.createdAt.toISOString(),
  expires_at: stored.expiresAt.toISOString(),
  request: { body: stored.requestBody, truncated: stored.requestTruncated },
  response: { body: stored.responseBody, truncated: stored.responseTruncated, kind: stored.responseKind },
});

/** A call without kept bodies, or of another tenant, is the same 404. */
export const bodiesNotFound = (requestId: string): HubError =>
  new HubError(
    'NOT_FOUND',
    `No kept bodies for request \`${requestId}\` (its key keeps none, they expired, or there is no such request).`,
    {
      param: 'request_id',
      code: 'request_bodies_not_found',
    },
  );

/** Reads one call's bodies for `tenantId` (undefined: any tenant, the admin API), or throws the 404. */
export async function readBodies(economy: Economy, tenantId: string | undefined, requestId: string): Promise<Api.RequestBodies> {
  const stored = await economy.bodies.read(tenantId ?? null, requestId);
  if (!stored) throw bodiesNotFound(requestId);
  return requestBodiesDto(stored);
}

/**
 * The admin API's body retention: `GET /admin/v1/ledger/:request_id/body`, and the setting of a key or
 * a project (`GET`, `PUT`, `DELETE …/body-logging`; audited like every admin write).
 */
export function registerBodyLoggingRoutes(app: FastifyInstance, economy: Economy): void {
  app.get('/admin/v1/ledger/:request_id/body', async (request): Promise<Api.RequestBodies> => {
    const { request_id } = parse(requestIdParams, request.params);
    return readBodies(economy, undefined, request_id);
  });
  for (const scope of ['key', 'project'] as const) {
    const path = `/admin/v1/${scope}s/:id/body-logging`;
    app.get(path, async (request): Promise<Api.BodyLogging> => {
      const { id } = parse(idParams, request.params);
      return bodyLoggingDto(scope === 'key' ? await economy.bodies.forKey(id) : await economy.bodies.forProject(id));
    });
    app.put(path, async (request): Promise<Api.BodyLogging> => {
      const { id } = parse(idParams, request.params);
      const body = parse(bodyLoggingBody, request.body);
      return bodyLoggingDto(await economy.bodies.set(scope, id, { enabled: body.enabled, retentionDays: body.retention_days }));
    });
    app.delete(path, async (request): Promise<Api.BodyLogging> => {
      const { id } = parse(idParams, request.params);
      return bodyLoggingDto(await economy.bodies.clear(scope, id));
    });
  }
}
