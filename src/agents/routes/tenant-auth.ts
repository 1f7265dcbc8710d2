import type { FastifyRequest } from 'fastify';

/** Who calls a tenant route: the tenant and the virtual key (the composition root checks the key and its scopes). */
export interface TenantCaller {
  tenantId: string;
  keyId: string;
}

/**
 * Authenticates a request (a virtual or personal key, or a person's session) and checks a service key
 * carries one of `scopes` (403 `missing_scope` otherwise; people are held to their role's permissions by
 * the identity guard; the admin key gets 403 `virtual_key_required`: it manages agents through
 * `/admin/v1/agents`). `keyId` is the key the caller's runs are billed to.
 */
export type AuthenticateTenant = (
  request: FastifyRequest,
  scopes: readonly ('agents:write' | 'agents:run' | 'sandboxes')[],
) => Promise<TenantCaller>;
