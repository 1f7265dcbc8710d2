/**
 * The admin API (`/admin/v1/*`, admin key only) and the self-service usage endpoint for virtual
 * keys, as Fastify plugins; `contract.ts` holds the shapes the console and CLI share.
 */
export { type AdminRoutesDeps, adminRoutes } from './admin-routes.js';
export { apiKeyOf } from './api-key.js';
export { appApiPaths } from './app-openapi-paths.js';
export type * from './contract.js';
export { adminApiPaths } from './openapi-paths.js';
export { playgroundApiPaths } from './playground-openapi-paths.js';
export { type PlaygroundDeps, playgroundRoutes } from './playground-routes.js';
export { selfServiceRoutes } from './self-service-routes.js';
export { ledgerApiPaths } from './tenant-scoped/ledger-openapi-paths.js';
export { tenantScopedApiPaths } from './tenant-scoped/openapi-paths.js';
export { type TenantScopedDeps, tenantScopedRoutes } from './tenant-scoped/tenant-scoped-routes.js';
export { usageApiPaths } from './tenant-scoped/usage-openapi-paths.js';
export { UPSTREAMS_CHANNEL, UpstreamControl, type UpstreamControlDeps } from './upstreams/upstream-control.js';
