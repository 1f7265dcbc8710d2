import type { FastifyInstance } from 'fastify';
import type { TenantScopedDeps } from './tenant-scoped-routes.js';

export function registerScopedLedgerRoutes(_app: FastifyInstance, _deps: TenantScopedDeps): void {}
