import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
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
