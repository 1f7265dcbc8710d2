import { hash, randomBytes, timingSafeEqual } from 'node:crypto';

/** sha256 hex; the one-shot `crypto.hash` builds no Hash object (it runs on every virtual-key request). */
export function hashSecret(secret: string): string {
  return hash('sha256', secret, 'hex');
}

/** Constant-time comparison of a presented secret against a stored sha256 hex hash. */
export function secretMatchesHash(secret: string, hashHex: string): boolean {
  const presented = Buffer.from(hashSecret(secret), 'hex');
  const stored = Buffer.from(hashHex, 'hex');
  return presented.length === stored.length && timingSafeEqual(presented, stored);
}

export function generateAdminKey(): string {
  return `thadm_${randomBytes(24).toString('base64url')}`;
}
