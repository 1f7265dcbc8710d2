import type { FastifyInstance, FastifyReply, FastifyRequest, onRequestHookHandler, onSendHookHandler, RouteOptions } from 'fastify';
import { type Clock, HubError, systemClock } from '../core/index.js';
import type { Economy } from '../economy/index.js';
import { ApiKeysRepository, AuditLogRepository, type Database } from '../storage/index.js';
import { type Caller, permits, resolveCaller, type TenantCallerOf } from './caller.js';
import { recordHumanAction } from './human-audit.js';
import { type Permission, SCOPE_PERMISSIONS } from './roles.js';
import { isGuardedUrl, ROUTE_PERMISSIONS, routeKey, SELF_CHECKED_URLS } from './route-permissions.js';
import { type SessionOptions, SessionService } from './session-service.js';
import { SingleSignOn, type SingleSignOnOptions } from './single-sign-on.js';
import { UserService } from './user-service.js';

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * The name of the personal key the console playground mints for a person (`POST /v1/playground/key`), one
 * live at a time: minting one revokes the earlier ones. `billingKeyOf` passes it over, so that revocation
 * never stops an agent run billed to it.
 */
export const PLAYGROUND_KEY_NAME = 'console playground';

function refusal(caller: Caller, permission: Permission): HubError {
  if (caller.kind === 'tenant' && caller.user) {
    return new HubError('FORBIDDEN', `Your role \`${caller.user.role}\` may not do this (it needs the "${permission}" permission).`, {
      code: 'permission_denied',
    });
  }
  const scope = Object.entries(SCOPE_PERMISSIONS).find(([, granted]) => granted.includes(permission))?.[0];
  return scope
    ? new HubError('FORBIDDEN', `This API key lacks the "${scope}" scope; create or change the key with scopes including "${scope}".`, {
        code: 'missing_scope',
      })
    : new HubError('FORBIDDEN', `This needs a person: use a personal key or sign in (a service key cannot "${permission}").`, {
        code: 'person_required',
      });
}

const asArray = <T>(value: T | T[] | undefined): T[] => (value === undefined ? [] : Array.isArray(value) ? value : [value]);

/**
 * People and what they may do: users with roles, personal keys, sign-in sessions, and the guard that
 * checks every tenant route against the one permission table before its handler runs.
 */
export class Identity {
  readonly users: UserService;
  readonly sessions: SessionService;
  private readonly db: Database;
  private readonly economy: Economy;
  private readonly audit: AuditLogRepository;
  private readonly callers = new WeakMap<FastifyRequest, Promise<Caller>>();

  /** OpenID Connect sign-in, when configured (`auth.oidc`). */
  readonly sso: SingleSignOn | null;

  constructor(options: { db: Database; economy: Economy; clock?: Clock; sessions?: SessionOptions; sso?: SingleSignOnOptions }) {
    const clock = options.clock ?? systemClock;
    this.db = options.db;
    this.economy = options.economy;
    this.users = new UserService({ db: options.db, economy: options.economy, clock });
    this.sessions = new SessionService({ db: options.db, clock, ...options.sessions });
    this.sso = options.sso ? new SingleSignOn(options.sso, { db: options.db, users: this.users }) : null;
    this.audit = new AuditLogRepository(options.db);
  }

  /** 404 unless the tenant exists. */
  async requireTenant(tenantId: string): Promise<void> {
    await this.economy.tenancy.requireTenant(tenantId);
  }

  /** The caller of a request, resolved once per request (by API key or session cookie). */
  caller(request: FastifyRequest): Promise<Caller> {
    let found = this.callers.get(request);
    if (!found) {
      found = resolveCaller({ db: this.db, economy: this.economy, sessions: this.sessions }, request);
      this.callers.set(request, found);
    }
    return found;
  }

  /** The caller, who must belong to a tenant and hold `permission` (the admin key is refused: it has the admin API). */
  async tenantCaller(request: FastifyRequest, permission: Permission): Promise<TenantCallerOf> {
    const caller = await this.caller(request);
    if (caller.kind === 'admin') {
      throw new HubError('FORBIDDEN', 'This route belongs to a tenant: use a personal or virtual key of that tenant, or the admin API.', {
        code: 'virtual_key_required',
      });
    }
    if (!permits(caller, permission)) throw refusal(caller, permission);
    return caller;
  }

  /** Refuses a caller without `permission` (403 naming the role or the missing scope). */
  requirePermission(caller: Caller, permission: Permission): void {
    if (!permits(caller, permission)) throw refusal(caller, permission);
  }

  /**
   * The key a caller's agent runs are billed to: the key they called with, or for a session the person's
   * newest personal key (403 when they have none left).
   */
  async billingKeyOf(caller: TenantCallerOf): Promise<string> {
    if (caller.keyId) return caller.keyId;
    const userId = caller.user?.id;
    const keys = userId ? await new ApiKeysRepository(this.db, caller.tenantId).forUser(userId) : [];
    const live = keys.filter((key) => key.revokedAt === null && key.name !== PLAYGROUND_KEY_NAME).at(-1);
    if (!live) {
      throw new HubError('FORBIDDEN', 'Runs are billed to a key: create a personal key (POST /v1/users/{id}/keys) first.', {
        code: 'personal_key_required',
      });
    }
    return live.id;
  }

  /**
   * Installs the guard on every route registered after this in `app`'s context: a route under `/v1/`,
   * `/mcp` or `/apps/` is checked against `ROUTE_PERMISSIONS` (and refused when it is missing there), and
   * a person's write is recorded in the audit log with who did it.
   */
  guardRoutes(app: FastifyInstance): void {
    app.addHook('onRoute', (route: RouteOptions) => {
      if (!isGuardedUrl(route.url)) return;
      const url = route.url;
      const guard = async (request: FastifyRequest): Promise<void> => {
        const method = request.method === 'HEAD' ? 'GET' : request.method;
        const permission = ROUTE_PERMISSIONS[routeKey(method, url)];
        if (permission === undefined) {
          throw new HubError('FORBIDDEN', `${method} ${url} has no entry in the permission table, so it is refused.`, {
            code: 'route_not_permitted',
          });
        }
        if (permission === 'inference' || permission === 'public') return;
        if (SELF_CHECKED_URLS.has(url)) {
          // The route answers a bad key or a service key's missing scope in its own protocol's shape, but it
          // checks only scopes: a person is held to their role here.
          const caller = await this.caller(request).catch(() => undefined);
          if (caller?.kind === 'tenant' && caller.user && permission !== 'signed-in' && !permits(caller, permission)) {
            throw refusal(caller, permission);
          }
          return;
        }
        const caller = await this.caller(request);
        if (permission !== 'signed-in' && !permits(caller, permission)) throw refusal(caller, permission);
      };
      const audit = async (request: FastifyRequest, reply: FastifyReply, payload: unknown): Promise<unknown> => {
        const caller = UNSAFE.has(request.method) ? await this.callers.get(request)?.catch(() => undefined) : undefined;
        if (caller) await recordHumanAction(this.audit, caller, request, reply, payload);
        return payload;
      };
      route.onRequest = [...asArray(route.onRequest), guard as onRequestHookHandler];
      route.onSend = [...asArray(route.onSend), audit as onSendHookHandler];
    });
  }
}
