import type { IncomingHttpHeaders } from 'node:http';
import { parse as parseCookies } from 'cookie';
import { HubError } from '../core/index.js';
import type { Economy } from '../economy/index.js';
import { type Database, UserLookup, type UserRecord, type UserSessionRecord } from '../storage/index.js';
import { type Permission, rolePermits, scopesPermit } from './roles.js';
import { CSRF_HEADER, SESSION_COOKIE, type SessionService } from './session-service.js';

/** Who is calling a tenant route: a person (by personal key or session) or a service key; or the admin key. */
export type Caller =
  | { kind: 'admin' }
  | {
      kind: 'tenant';
      tenantId: string;
      /** The key used; null for a session. */
      keyId: string | null;
      /** The person, for personal keys and sessions; null for a service key. */
      user: UserRecord | null;
      via: 'key' | 'session';
      /** The key's scopes (a service key's permissions come from them). */
      scopes: readonly string[];
      session: UserSessionRecord | null;
    };
export type TenantCallerOf = Extract<Caller, { kind: 'tenant' }>;

/** The API key of a request: `Authorization: Bearer …` or `x-api-key`. */
export function apiKeyOf(headers: IncomingHttpHeaders): string | undefined {
  const authorization = headers.authorization;
  if (typeof authorization === 'string') {
    const match = /^Bearer\s+(.+)$/i.exec(authorization.trim());
    if (match?.[1]) return match[1].trim();
  }
  const xApiKey = headers['x-api-key'];
  return typeof xApiKey === 'string' && xApiKey.length > 0 ? xApiKey.trim() : undefined;
}

export function sessionTokenOf(headers: IncomingHttpHeaders): string | undefined {
  const header = headers.cookie;
  if (typeof header !== 'string' || header.length === 0 || header.length > 8192) return undefined;
  const token = parseCookies(header)[SESSION_COOKIE];
  return token && token.length <= 128 ? token : undefined;
}

export function permits(caller: Caller, permission: Permission): boolean {
  if (caller.kind === 'admin') return true;
  return caller.user ? rolePermits(caller.user.role, permission) : scopesPermit(caller.scopes, permission);
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

const disabled = (): HubError => new HubError('UNAUTHENTICATED', 'This user is disabled.', { code: 'user_disabled' });

/**
 * Resolves the caller of a request: an API key (`Authorization: Bearer` / `x-api-key`) first, else the
 * session cookie. A cookie-authenticated write must carry the session's CSRF token in `x-csrf-token`
 * (a page of another site can make the browser send the cookie, but cannot read the token).
 */
export async function resolveCaller(
  deps: { db: Database; economy: Economy; sessions: SessionService },
  request: { method: string; headers: IncomingHttpHeaders },
): Promise<Caller> {
  const apiKey = apiKeyOf(request.headers);
  if (apiKey) {
    const principal = await deps.economy.gate.authenticate(apiKey);
    if (principal.kind === 'admin' || !principal.tenantId || !principal.keyId) return { kind: 'admin' };
    let user: UserRecord | null = null;
    if (principal.userId) {
      user = (await new UserLookup(deps.db).byId(principal.userId)) ?? null;
      if (!user || user.disabledAt) throw disabled();
    }
    return {
      kind: 'tenant',
      tenantId: principal.tenantId,
      keyId: principal.keyId,
      user,
      via: 'key',
      scopes: principal.scopes,
      session: null,
    };
  }
  const token = sessionTokenOf(request.headers);
  if (!token) throw new HubError('UNAUTHENTICATED', 'Missing API key: send Authorization: Bearer <key> or x-api-key, or sign in.');
  const session = await deps.sessions.session(token);
  if (!session) throw new HubError('UNAUTHENTICATED', 'This session has ended: sign in again.', { code: 'session_expired' });
  const user = await new UserLookup(deps.db).byId(session.userId);
  if (!user || user.disabledAt) throw disabled();
  if (!SAFE_METHODS.has(request.method)) {
    const given = request.headers[CSRF_HEADER];
    if (!deps.sessions.csrfMatches(session, typeof given === 'string' ? given : undefined)) {
      throw new HubError('FORBIDDEN', `A signed-in write needs the session's CSRF token in the ${CSRF_HEADER} header.`, {
        code: 'csrf_token_invalid',
      });
    }
  }
  return { kind: 'tenant', tenantId: user.tenantId, keyId: null, user, via: 'session', scopes: [], session };
}
