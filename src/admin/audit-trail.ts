import type { FastifyInstance, FastifyRequest } from 'fastify';
import { errorCodeOf, newId, responseJsonOf, withoutSecrets } from '../core/index.js';
import type { AuditLogRepository } from '../storage/index.js';
import { type AuditContext, auditedRoute } from './audit-actions.js';

const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

interface PendingAudit {
  actor: string;
  before: unknown;
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

const stringField = (record: unknown, field: string): string | null => {
  const value = isRecord(record) ? record[field] : undefined;
  return typeof value === 'string' ? value : null;
};

// Entity ids and names (provider ids, model names like `qwen/qwen-2.5`); anything else (NUL bytes…) is not recorded as one.
const TARGET_ID = /^[A-Za-z0-9][A-Za-z0-9._:/@+-]{0,199}$|^[A-Za-z0-9_-]{1,200}$/;

/** An id from the request, only when well-formed: malformed ones (NUL bytes…) must reach neither a query nor a column. */
const idField = (record: unknown, field: string): string | null => {
  const value = stringField(record, field);
  return value !== null && TARGET_ID.test(value) ? value : null;
};

/** The route's target: `:id`, or `:name` for models. */
const targetParam = (params: unknown): string | null => idField(params, 'id') ?? idField(params, 'name');

/**
 * Records one audit row per authenticated mutating admin request, after the handler has run and
 * before the response leaves, so an admin never sees an action succeed that the log lacks. Failed
 * attempts (validation, 404…) are recorded with their status; requests that fail the admin-key
 * check are not, so an unauthenticated caller cannot fill the table.
 */
export class AuditTrail {
  private readonly repository: AuditLogRepository;
  private readonly context: AuditContext;
  private readonly pending = new WeakMap<FastifyRequest, PendingAudit>();

  constructor(repository: AuditLogRepository, context: AuditContext) {
    this.repository = repository;
    this.context = context;
  }

  /** Call once the admin key is verified; `actor` must not contain the secret. */
  begin(request: FastifyRequest, actor: string): void {
    if (MUTATING.has(request.method)) this.pending.set(request, { actor, before: null });
  }

  register(app: FastifyInstance): void {
    app.addHook('preHandler', async (request) => {
      const pending = this.pending.get(request);
      const route = auditedRoute(request.method, request.routeOptions.url ?? request.url);
      const id = targetParam(request.params);
      if (!pending || !route.loadBefore || !id) return;
      pending.before = withoutSecrets(await route.loadBefore(this.context, id));
    });
    app.addHook('onSend', async (request, reply, payload) => {
      const pending = this.pending.get(request);
      if (!pending) return payload;
      this.pending.delete(request);
      const route = auditedRoute(request.method, request.routeOptions.url ?? request.url.split('?')[0] ?? request.url);
      const succeeded = reply.statusCode < 400;
      const body = responseJsonOf(payload);
      const after = succeeded ? withoutSecrets(body) : null;
      const targetId = targetParam(request.params) ?? idField(after, 'id') ?? idField(after, 'name');
      const tenantId =
        stringField(after, 'tenant_id') ??
        stringField(pending.before, 'tenant_id') ??
        (route.targetType === 'tenant' ? targetId : null) ??
        idField(request.body, 'tenant_id') ??
        idField(request.query, 'tenant_id');
      try {
        await this.repository.append({
          id: newId('aud'),
          at: new Date(),
          actor: pending.actor,
          action: route.action,
          targetType: route.targetType,
          targetId,
          tenantId,
          requestId: request.id,
          method: request.method,
          path: request.url.split('?')[0] ?? request.url,
          status: reply.statusCode,
          errorCode: succeeded ? null : errorCodeOf(body),
          before: pending.before,
          after,
        });
      } catch (error) {
        // The action has already happened; losing its audit row is logged loudly rather than hidden behind a 500.
        request.log.error({ err: error, requestId: request.id }, 'audit log write failed');
      }
      return payload;
    });
  }
}
