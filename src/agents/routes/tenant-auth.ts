import type { IncomingHttpHeaders } from 'node:http';

/** Who calls a tenant route: the tenant and the virtual key (the composition root checks the key and its scopes). */
export interface TenantCaller {
  tenantId: string;
  keyId: string;
}

/**
 * Authenticates a request's virtual key and checks it carries one of `scopes` (403 `missing_scope`
 * otherwise; the admin key gets 403 `virtual_key_required`: it manages agents through `/admin/v1/agents`).
 */
export type AuthenticateTenant = (
  headers: IncomingHttpHeaders,
  scopes: readonly ('agents:write' | 'agents:run')[],
) => Promise<TenantCaller>;
