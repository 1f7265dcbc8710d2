/** Cluster-wide cache invalidation messages: a key changed or was revoked, or a tenant's budgets changed. */
export const INVALIDATION_CHANNEL = 'economy:invalidate';

export type Invalidation = { type: 'key'; keyId: string } | { type: 'tenant'; tenantId: string };

export function encodeInvalidation(invalidation: Invalidation): string {
  return JSON.stringify(invalidation);
}

export function decodeInvalidation(message: string): Invalidation | undefined {
  try {
    const value = JSON.parse(message) as Partial<{ type: string; keyId: string; tenantId: string }>;
    if (value.type === 'key' && typeof value.keyId === 'string') return { type: 'key', keyId: value.keyId };
    if (value.type === 'tenant' && typeof value.tenantId === 'string') return { type: 'tenant', tenantId: value.tenantId };
  } catch {
    // A malformed message is ignored; the cache TTL still bounds staleness.
  }
  return undefined;
}
