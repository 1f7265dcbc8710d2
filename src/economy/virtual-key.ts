import { randomBytes } from 'node:crypto';

export const VIRTUAL_KEY_PREFIX = 'thk_';
/** Characters of the secret kept in clear for recognising a key in lists (prefix plus 8 random ones). */
const DISPLAY_PREFIX_LENGTH = VIRTUAL_KEY_PREFIX.length + 8;

/** A new virtual key: 32 random bytes (256 bits), shown once; only its sha256 is stored. */
export function generateVirtualKey(): { secret: string; displayPrefix: string } {
  const secret = `${VIRTUAL_KEY_PREFIX}${randomBytes(32).toString('base64url')}`;
  return { secret, displayPrefix: secret.slice(0, DISPLAY_PREFIX_LENGTH) };
}

export function looksLikeVirtualKey(apiKey: string): boolean {
  return apiKey.startsWith(VIRTUAL_KEY_PREFIX);
}
