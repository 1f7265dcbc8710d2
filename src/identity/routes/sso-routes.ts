import { parse as parseCookies, serialize } from 'cookie';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { HubError, newId } from '../../core/index.js';
import { AuditLogRepository, type Database } from '../../storage/index.js';
import type { Identity } from '../identity.js';
import { SESSION_COOKIE } from '../session-service.js';
import { decodePending, encodePending } from '../single-sign-on.js';

const PENDING_COOKIE = 'tokenhub_sso';
/** Hands the new session's CSRF token to the console once (it moves it to storage and deletes the cookie). */
export const CSRF_HANDOFF_COOKIE = 'tokenhub_csrf';
const CALLBACK_PATH = '/v1/auth/sso/callback';

const isHttps = (request: FastifyRequest): boolean => request.protocol === 'https';

/**
 * `GET /v1/auth/sso` (whether single sign-on is on), `/v1/auth/sso/login` (to the issuer) and
 * `/v1/auth/sso/callback` (back from it: a session cookie, then the console). Failures land on the
 * console's sign-in page with the error's code, never on a bare error page.
 */
export function ssoRoutes(identity: Identity, db: Database): FastifyPluginAsync {
  const audit = new AuditLogRepository(db);
  return async (app) => {
    app.get('/v1/auth/sso', async () =>
      identity.sso ? { object: 'sso', enabled: true, login_url: '/v1/auth/sso/login' } : { object: 'sso', enabled: false },
    );

    app.get('/v1/auth/sso/login', async (request, reply) => {
      const sso = identity.sso;
      if (!sso) throw new HubError('NOT_FOUND', 'Single sign-on is not configured (auth.oidc).', { code: 'sso_not_configured' });
      const { url, pending } = await sso.begin(`${request.protocol}://${request.host}${CALLBACK_PATH}`);
      // Lax, not Strict: the issuer's redirect back is a cross-site navigation that must carry it.
      reply.header(
        'set-cookie',
        serialize(PENDING_COOKIE, encodePending(pending), {
          httpOnly: true,
          sameSite: 'lax',
          path: CALLBACK_PATH,
          secure: isHttps(request),
          maxAge: 600,
        }),
      );
      return reply.header('cache-control', 'no-store').redirect(url, 302);
    });

    app.get(CALLBACK_PATH, async (request, reply) => {
      const sso = identity.sso;
      if (!sso) throw new HubError('NOT_FOUND', 'Single sign-on is not configured (auth.oidc).', { code: 'sso_not_configured' });
      const clearPending = serialize(PENDING_COOKIE, '', { httpOnly: true, sameSite: 'lax', path: CALLBACK_PATH, maxAge: 0 });
      const pending = decodePending(parseCookies(request.headers.cookie ?? '')[PENDING_COOKIE]);
      const query = new URL(request.url, 'http://callback.invalid').searchParams;
      try {
        const user = await sso.complete(query, pending);
        const started = await identity.sessions.startFor(user);
        await audit.append({
          id: newId('aud'),
          at: new Date(),
          actor: `user:${user.id}`,
          action: 'auth.sso_login',
          targetType: 'user',
          targetId: user.id,
          tenantId: user.tenantId,
          requestId: request.id,
          method: request.method,
          path: CALLBACK_PATH,
          status: 302,
          errorCode: null,
          before: null,
          after: null,
        });
        const secure = isHttps(request);
        reply.header('set-cookie', [
          clearPending,
          serialize(SESSION_COOKIE, started.token, {
            httpOnly: true,
            sameSite: 'strict',
            path: '/',
            secure,
            maxAge: Math.floor(identity.sessions.sessionTtlMs / 1000),
          }),
          serialize(CSRF_HANDOFF_COOKIE, started.csrfToken, { sameSite: 'strict', path: '/console', secure, maxAge: 120 }),
        ]);
        return reply.header('cache-control', 'no-store').redirect('/console/', 302);
      } catch (error) {
        return failed(reply, clearPending, error);
      }
    });
  };
}

function failed(reply: FastifyReply, clearPending: string, error: unknown) {
  const code = error instanceof HubError ? (error.details.code ?? error.code.toLowerCase()) : 'sso_failed';
  reply.log.warn({ err: error }, 'single sign-on failed');
  return reply
    .header('set-cookie', clearPending)
    .header('cache-control', 'no-store')
    .redirect(`/console/login?sso_error=${encodeURIComponent(code)}`, 302);
}
