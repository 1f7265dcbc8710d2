import { serialize } from 'cookie';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { newId, parseInput } from '../../core/index.js';
import { AuditLogRepository, type Database } from '../../storage/index.js';
import { permits, sessionTokenOf } from '../caller.js';
import type { Identity } from '../identity.js';
import { PERMISSIONS } from '../roles.js';
import { SESSION_COOKIE } from '../session-service.js';
import { userDto } from '../user-service.js';
import { loginBody } from './user-schemas.js';

const isHttps = (request: FastifyRequest): boolean => request.protocol === 'https';

/** `POST /v1/auth/login` (email + password → HttpOnly, SameSite=Strict session cookie), `logout`, and `GET /v1/me`. */
export function authRoutes(identity: Identity, db: Database): FastifyPluginAsync {
  const audit = new AuditLogRepository(db);
  return async (app) => {
    app.post('/v1/auth/login', async (request, reply) => {
      const body = parseInput(loginBody, request.body);
      const started = await identity.sessions.login(body, request.ip);
      await audit.append({
        id: newId('aud'),
        at: new Date(),
        actor: `user:${started.user.id}`,
        action: 'auth.login',
        targetType: 'user',
        targetId: started.user.id,
        tenantId: started.user.tenantId,
        requestId: request.id,
        method: request.method,
        path: '/v1/auth/login',
        status: 200,
        errorCode: null,
        before: null,
        after: null,
      });
      reply.header(
        'set-cookie',
        serialize(SESSION_COOKIE, started.token, {
          httpOnly: true,
          sameSite: 'strict',
          path: '/',
          secure: isHttps(request),
          maxAge: Math.floor(identity.sessions.sessionTtlMs / 1000),
        }),
      );
      reply.header('cache-control', 'no-store');
      return { object: 'session', user: userDto(started.user), csrf_token: started.csrfToken, expires_at: started.expiresAt.toISOString() };
    });

    app.post('/v1/auth/logout', async (request, reply) => {
      await identity.caller(request);
      const token = sessionTokenOf(request.headers);
      if (token) await identity.sessions.logout(token);
      reply.header('set-cookie', serialize(SESSION_COOKIE, '', { httpOnly: true, sameSite: 'strict', path: '/', maxAge: 0 }));
      return reply.code(204).send();
    });

    app.get('/v1/me', async (request) => {
      const caller = await identity.caller(request);
      if (caller.kind === 'admin') return { object: 'caller', kind: 'admin', permissions: [...PERMISSIONS] };
      return {
        object: 'caller',
        kind: caller.user ? 'user' : 'service_key',
        via: caller.via,
        tenant_id: caller.tenantId,
        key_id: caller.keyId,
        ...(caller.user ? { user: userDto(caller.user) } : {}),
        permissions: PERMISSIONS.filter((permission) => permits(caller, permission)),
      };
    });
  };
}
