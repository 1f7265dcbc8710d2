import type { FastifyInstance } from 'fastify';
import { HubError } from '../../core/index.js';
import { DEFAULT_KEY_SCOPES, type KeyScope } from '../../economy/index.js';
import { type Identity, recordAuditBefore, SCOPE_PERMISSIONS, type TenantCallerOf } from '../../identity/index.js';
import type { ApiKeyPatch, ApiKeyRecord } from '../../storage/index.js';
import type * as Api from '../contract.js';
import { budgetDto, keyDto } from '../dto.js';
import { distinct, rateLimitsOf } from '../key-routes.js';
import { idParams, parse, toPicos, updateKeyBody } from '../validation.js';
import { scoped } from './scoped-schemas.js';
import type { TenantScopedDeps } from './tenant-scoped-routes.js';

/** A service key can do what its scopes grant: nobody hands out more than they hold themselves. */
function requireScopesHeld(identity: Identity, caller: TenantCallerOf, scopes: readonly KeyScope[]): void {
  for (const scope of scopes) for (const permission of SCOPE_PERMISSIONS[scope]) identity.requirePermission(caller, permission);
}

/**
 * `/v1/keys`: the caller's tenant's keys, service and personal. Service keys are created, changed and
 * revoked with `service_keys:write`; a personal key's scopes follow its person's role, so it is never
 * changed here, only revoked: by its person (`keys:write`) or by whoever manages people (`users:write`).
 */
export function registerScopedKeyRoutes(app: FastifyInstance, { economy, identity }: TenantScopedDeps): void {
  /** The key, when it is the caller's tenant's: a key of another tenant is the same 404 `key_not_found` as a missing one. */
  const keyOf = (caller: TenantCallerOf, id: string): Promise<ApiKeyRecord> => economy.keys.get(id, caller.tenantId);

  app.get('/v1/keys', async (request): Promise<Api.ListResponse<Api.ApiKey>> => {
    const caller = await identity.tenantCaller(request, 'keys:read');
    const query = parse(scoped.keyQuery, request.query);
    const keys = await economy.keys.list({ tenantId: caller.tenantId, ...(query.project_id ? { projectId: query.project_id } : {}) });
    return { object: 'list', data: keys.map(keyDto) };
  });

  app.get('/v1/keys/:id', async (request): Promise<Api.ApiKey> => {
    const caller = await identity.tenantCaller(request, 'keys:read');
    const { id } = parse(idParams, request.params);
    return keyDto(await keyOf(caller, id));
  });

  app.post(
    '/v1/keys',
    { config: { audit: { action: 'key.create', targetType: 'key' } } },
    async (request, reply): Promise<Api.CreatedKey> => {
      const caller = await identity.tenantCaller(request, 'service_keys:write');
      const body = parse(scoped.createKey, request.body);
      const scopes = body.scopes ? distinct(body.scopes) : [...DEFAULT_KEY_SCOPES];
      requireScopesHeld(identity, caller, scopes);
      if (body.budget) identity.requirePermission(caller, 'budgets:write');
      const created = await economy.keys.create({
        tenantId: caller.tenantId,
        projectId: body.project_id ?? null,
        name: body.name ?? null,
        models: body.models ?? null,
        rateLimits: rateLimitsOf(body.rate_limits),
        scopes,
        ...(body.budget ? { budget: { limitPicos: toPicos(body.budget.limit_usd, 'budget.limit_usd'), period: body.budget.period } } : {}),
      });
      const budget = created.budget ? budgetDto(await economy.budgets.get(created.budget.id)) : null;
      reply.code(201);
      return { ...keyDto(created.record), key: created.secret, budget };
    },
  );

  app.patch('/v1/keys/:id', { config: { audit: { action: 'key.update', targetType: 'key' } } }, async (request): Promise<Api.ApiKey> => {
    const caller = await identity.tenantCaller(request, 'service_keys:write');
    const { id } = parse(idParams, request.params);
    const body = parse(updateKeyBody, request.body);
    const existing = await keyOf(caller, id);
    recordAuditBefore(request, keyDto(existing));
    if (existing.userId !== null) {
      throw new HubError('FORBIDDEN', "A personal key's scopes follow its person's role: revoke it and create another instead.", {
        code: 'personal_key_not_editable',
      });
    }
    if (body.scopes) requireScopesHeld(identity, caller, body.scopes);
    const patch: ApiKeyPatch = {
      ...(body.name !== undefined ? { name: body.name } : {}),
      ...(body.models !== undefined ? { models: body.models } : {}),
      ...(body.rate_limits !== undefined ? { rateLimits: rateLimitsOf(body.rate_limits) } : {}),
      ...(body.scopes !== undefined ? { scopes: distinct(body.scopes) } : {}),
    };
    return keyDto(await economy.keys.update(id, patch));
  });

  // The table asks for `keys:write` (anyone may revoke their own personal key); the key decides what more is needed.
  app.delete('/v1/keys/:id', { config: { audit: { action: 'key.revoke', targetType: 'key' } } }, async (request): Promise<Api.ApiKey> => {
    const caller = await identity.tenantCaller(request, 'keys:write');
    const { id } = parse(idParams, request.params);
    const existing = await keyOf(caller, id);
    recordAuditBefore(request, keyDto(existing));
    if (existing.userId === null) identity.requirePermission(caller, 'service_keys:write');
    else if (existing.userId !== caller.user?.id) identity.requirePermission(caller, 'users:write');
    return keyDto(await economy.keys.revoke(id));
  });
}
