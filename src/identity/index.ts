/**
 * Identity: the people of a tenant (users with a role: owner, developer, operator, viewer), their personal
 * keys and sign-in sessions (scrypt passwords, HttpOnly cookies with a CSRF token), the one role →
 * permission table and the guard that checks every tenant route against it.
 */
import type { FastifyPluginAsync } from 'fastify';
import type { Database } from '../storage/index.js';
import type { Identity } from './identity.js';
import { authRoutes } from './routes/auth-routes.js';
import { ssoRoutes } from './routes/sso-routes.js';
import { userRoutes } from './routes/user-routes.js';

export { apiKeyOf, type Caller, permits, type TenantCallerOf } from './caller.js';
export { type AuditedRouteConfig, auditAction, recordAuditBefore } from './human-audit.js';
export { Identity, PLAYGROUND_KEY_NAME } from './identity.js';
export { identityApiPaths, identitySchemas } from './openapi-paths.js';
export { hashPassword, verifyPassword } from './passwords.js';
export { isRole, keyScopesForRole, PERMISSIONS, type Permission, ROLE_PERMISSIONS, ROLES, type Role, SCOPE_PERMISSIONS } from './roles.js';
export { isGuardedUrl, ROUTE_PERMISSIONS, routeKey } from './route-permissions.js';
export { createdUserDto, personalKeyDto } from './routes/user-routes.js';
export { adminNewUserBody, newKeyBody, userIdParams, userListQuery, userPatchBody } from './routes/user-schemas.js';
export { CSRF_HEADER, SESSION_COOKIE, type SessionOptions } from './session-service.js';
export type { SingleSignOnOptions } from './single-sign-on.js';
export { type UserDto, userDto } from './user-service.js';

/** The tenant routes of identity: `/v1/auth/*`, `/v1/me`, `/v1/users`. */
export function identityRoutes(identity: Identity, db: Database): FastifyPluginAsync {
  return async (app) => {
    await app.register(authRoutes(identity, db));
    await app.register(userRoutes(identity));
    await app.register(ssoRoutes(identity, db));
  };
}
