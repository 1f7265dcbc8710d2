import type { FastifyReply, FastifyRequest } from 'fastify';
import { errorCodeOf, newId, responseJsonOf, withoutSecrets } from '../core/index.js';
import type { AuditLogRepository } from '../storage/index.js';
import type { Caller } from './caller.js';

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * What a tenant route that changes the tenant's setup (keys, budgets, projects) declares as its
 * `config.audit`: the action and target type under the admin API's names (`key.create`, `budget.delete`),
 * so one log reads the same whoever acted; and such a route is audited for service keys too (`key:<id>`).
 */
export interface AuditedRouteConfig {
  action: string;
  targetType: string;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    audit?: AuditedRouteConfig;
  }
}

const entitiesBefore = new WeakMap<FastifyRequest, unknown>();

/** The entity as the route renders it before this request changes it: recorded as the row's `before` instead of the request body. */
export function recordAuditBefore(request: FastifyRequest, entity: unknown): void {
  entitiesBefore.set(request, entity);
}

const VERBS: Record<string, string> = { POST: 'create', PUT: 'put', PATCH: 'update', DELETE: 'delete' };

/**
 * The audit action of a tenant route: its path's words joined by dots, parameters left out, then the verb;
 * a POST to an entity's sub-path is that action itself (`POST /v1/users` → `users.create`,
 * `PATCH /v1/users/:id` → `users.update`, `POST /v1/inbox/tasks/:id/claim` → `inbox.tasks.claim`,
 * `POST /v1/inbox/tasks/:id/tools/:name` → `inbox.tasks.tools`).
 */
export function auditAction(method: string, url: string): string {
  const segments = url
    .replace(/^\/(v1\/)?/, '')
    .split('/')
    .filter((segment) => segment.length > 0);
  const words = segments.filter((segment) => !segment.startsWith(':'));
  // `POST …/:id/tools/:name` acts on the entity too: the trailing parameter only says which tool.
  const firstParameter = segments.findIndex((segment) => segment.startsWith(':'));
  const lastWord = segments.findLastIndex((segment) => !segment.startsWith(':'));
  const actionOnEntity = method === 'POST' && firstParameter >= 0 && firstParameter < lastWord;
  const verb = actionOnEntity || words[0] === 'auth' ? null : (VERBS[method] ?? method.toLowerCase());
  return [...words, ...(verb ? [verb] : [])].join('.');
}

const TARGET_ID = /^[A-Za-z0-9][A-Za-z0-9._:/@+-]{0,199}$/;

function targetOf(params: unknown): string | null {
  if (!isRecord(params)) return null;
  const value = params.id ?? params.name;
  return typeof value === 'string' && TARGET_ID.test(value) ? value : null;
}

/**
 * Writes one audit row for a person's write on a tenant route (actor `user:<id>`), before the response
 * leaves; failed attempts are recorded with their status. Service keys' calls are metered in the ledger
 * and not audited here, except on routes that declare `config.audit` (actor `key:<id>`).
 */
export async function recordHumanAction(
  repository: AuditLogRepository,
  caller: Caller,
  request: FastifyRequest,
  reply: FastifyReply,
  payload: unknown,
): Promise<void> {
  if (caller.kind !== 'tenant') return;
  const declared = request.routeOptions.config?.audit;
  const actor = caller.user ? `user:${caller.user.id}` : declared && caller.keyId ? `key:${caller.keyId}` : null;
  if (!actor) return;
  const url = request.routeOptions.url ?? request.url;
  const succeeded = reply.statusCode < 400;
  const body = responseJsonOf(payload);
  const action = declared?.action ?? auditAction(request.method, url);
  const before = entitiesBefore.has(request) ? entitiesBefore.get(request) : isRecord(request.body) ? request.body : null;
  try {
    await repository.append({
      id: newId('aud'),
      at: new Date(),
      actor,
      action,
      targetType: declared?.targetType ?? (action.split('.').slice(0, -1).join('.') || action),
      targetId: targetOf(request.params) ?? (isRecord(body) && typeof body.id === 'string' ? body.id : null),
      tenantId: caller.tenantId,
      requestId: request.id,
      method: request.method,
      path: request.url.split('?')[0] ?? request.url,
      status: reply.statusCode,
      errorCode: succeeded ? null : errorCodeOf(body),
      before: before === null || before === undefined ? null : withoutSecrets(before),
      after: succeeded ? withoutSecrets(body) : null,
    });
  } catch (error) {
    request.log.error({ err: error, requestId: request.id }, 'audit log write failed');
  }
}
