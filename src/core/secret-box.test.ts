import { describe, expect, it } from 'vitest';
import { createSecretBox, SecretBoxError, sealedKeyId } from './secret-box.js';

const CURRENT = 'c'.repeat(24) + 'current-secret-key';
const OLD = 'o'.repeat(24) + 'old-secret-key-000';

describe('secret box', () => {
  it('round-trips, and the sealed form reveals neither the plaintext nor the key', () => {
    const box = createSecretBox(CURRENT);
    const sealed = box.seal('sk-live-1234567890', 'prov_a');
    expect(sealed).not.toContain('sk-live');
    expect(sealed).not.toContain(CURRENT);
    expect(sealedKeyId(sealed)).toBe(box.keyId);
    expect(box.open(sealed, 'prov_a')).toBe('sk-live-1234567890');
    // A fresh IV each time: equal plaintexts do not give equal ciphertexts.
    expect(box.seal('sk-live-1234567890', 'prov_a')).not.toBe(sealed);
  });

  it('refuses a value bound to another record, tampered with, or not sealed at all', () => {
    const box = createSecretBox(CURRENT);
    const sealed = box.seal('sk-live', 'prov_a');
    expect(() => box.open(sealed, 'prov_b')).toThrow(SecretBoxError);
    const parts = sealed.split('.');
    const flipped = [...parts];
    flipped[3] = Buffer.from(Buffer.from(parts[3] ?? '', 'base64url').map((byte) => byte ^ 1)).toString('base64url');
    expect(() => box.open(flipped.join('.'), 'prov_a')).toThrow(/failed authentication/);
    expect(() => box.open('sk-plain-text', 'prov_a')).toThrow(/not a sealed/);
  });

  it('opens values sealed by a previous key, seals only with the current one', () => {
    const before = createSecretBox(OLD);
    const sealedBefore = before.seal('sk-old', 'prov_a');
    const rotated = createSecretBox(CURRENT, [OLD]);
    expect(rotated.keyIds).toEqual([rotated.keyId, before.keyId]);
    expect(rotated.open(sealedBefore, 'prov_a')).toBe('sk-old');
    expect(sealedKeyId(rotated.seal('sk-new', 'prov_a'))).toBe(rotated.keyId);
    const withoutOld = createSecretBox(CURRENT);
    expect(() => withoutOld.open(sealedBefore, 'prov_a')).toThrow(/neither TOKENHUB_SECRET_KEY/);
  });

  it('refuses secrets short enough to guess', () => {
    expect(() => createSecretBox('hunter2')).toThrow(/at least 32 characters/);
    expect(() => createSecretBox(CURRENT, ['short'])).toThrow(/TOKENHUB_SECRET_KEY_PREVIOUS/);
  });
});
