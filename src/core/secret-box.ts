import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';

/**
 * Authenticated encryption of secrets at rest (provider API keys): AES-256-GCM under a key derived
 * from `TOKENHUB_SECRET_KEY`. A sealed value names the key that sealed it, so a rotation can keep
 * opening old values with the previous key while sealing new ones with the current key.
 *
 * Sealed form: `thsb1.<key id>.<iv>.<ciphertext>.<tag>` (base64url parts). `context` is bound as
 * additional authenticated data (e.g. the provider id), so a sealed value copied onto another row
 * does not open there.
 */
export interface SecretBox {
  /** Names the current key without revealing it (12 hex characters of an HMAC of the key). */
  readonly keyId: string;
  /** Key ids this box can open: the current one first, then the previous ones. */
  readonly keyIds: readonly string[];
  seal(plaintext: string, context: string): string;
  /** Throws `SecretBoxError` for a value sealed by an unknown key, tampered with, or bound to another context. */
  open(sealed: string, context: string): string;
}

export class SecretBoxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SecretBoxError';
  }
}

const VERSION = 'thsb1';
/** Short secrets are passphrases an attacker holding the database could guess offline. */
export const MIN_SECRET_KEY_LENGTH = 32;

interface DerivedKey {
  id: string;
  key: Buffer;
}

function derive(secret: string, variable: string): DerivedKey {
  if (secret.length < MIN_SECRET_KEY_LENGTH) {
    throw new SecretBoxError(
      `${variable} must be at least ${MIN_SECRET_KEY_LENGTH} characters (e.g. the output of \`openssl rand -base64 32\`)`,
    );
  }
  const key = Buffer.from(hkdfSync('sha256', Buffer.from(secret, 'utf8'), 'tokenhub/secret-box/v1', 'aes-256-gcm', 32));
  const id = createHmac('sha256', key).update('tokenhub key id').digest('hex').slice(0, 12);
  return { id, key };
}

/**
 * Builds the box from the current secret and any previous ones (kept only to open values sealed
 * before a rotation; `rotate` re-seals them under the current key).
 */
export function createSecretBox(current: string, previous: readonly string[] = []): SecretBox {
  const primary = derive(current, 'TOKENHUB_SECRET_KEY');
  const keys = new Map<string, Buffer>([[primary.id, primary.key]]);
  for (const secret of previous) {
    const older = derive(secret, 'TOKENHUB_SECRET_KEY_PREVIOUS');
    if (!keys.has(older.id)) keys.set(older.id, older.key);
  }
  return {
    keyId: primary.id,
    keyIds: [...keys.keys()],
    seal(plaintext, context) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', primary.key, iv);
      cipher.setAAD(Buffer.from(context, 'utf8'));
      const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      return [
        VERSION,
        primary.id,
        iv.toString('base64url'),
        ciphertext.toString('base64url'),
        cipher.getAuthTag().toString('base64url'),
      ].join('.');
    },
    open(sealed, context) {
      const parts = sealed.split('.');
      const [version, keyId, iv, ciphertext, tag] = parts;
      if (parts.length !== 5 || version !== VERSION || !keyId || iv === undefined || ciphertext === undefined || !tag) {
        throw new SecretBoxError('not a sealed TokenHub secret');
      }
      const key = keys.get(keyId);
      if (!key) {
        throw new SecretBoxError(
          `sealed with key ${keyId}, which is neither TOKENHUB_SECRET_KEY (${primary.id}) nor one of TOKENHUB_SECRET_KEY_PREVIOUS`,
        );
      }
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
        decipher.setAAD(Buffer.from(context, 'utf8'));
        decipher.setAuthTag(Buffer.from(tag, 'base64url'));
        return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]).toString('utf8');
      } catch {
        throw new SecretBoxError(`sealed secret under key ${keyId} failed authentication (tampered with, or bound to another record)`);
      }
    },
  };
}

/** The key id a sealed value names, or undefined when it is not a sealed value. */
export function sealedKeyId(sealed: string): string | undefined {
  const parts = sealed.split('.');
  return parts.length === 5 && parts[0] === VERSION ? parts[1] : undefined;
}
