/**
 * The admin API (`/admin/v1/*`, admin key only) and the self-service usage endpoint for virtual
 * keys, as Fastify plugins; `contract.ts` holds the shapes the console and CLI share.
 */
export { type AdminRoutesDeps, adminRoutes } from './admin-routes.js';
export { apiKeyOf } from './api-key.js';
export { appApiPaths } from './app-openapi-paths.js';
export type * from './contract.js';
export { adminApiPaths } from './openapi-paths.js';
export { selfServiceRoutes } from './self-service-routes.js';
export { type TenantScopedDeps, tenantScopedRoutes } from './tenant-scoped/tenant-scoped-routes.js';
export { UPSTREAMS_CHANNEL, UpstreamControl, type UpstreamControlDeps } from './upstreams/upstream-control.js';
