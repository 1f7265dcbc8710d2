import { createHash, randomFillSync } from 'node:crypto';

const ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';
// 248 is the largest multiple of 62 below 256: bytes at or above it are skipped so every character is
// equally likely (no modulo bias).
const UNBIASED_LIMIT = 248;
const POOL_SIZE = 4096;

// One getrandom call per 4 KiB of ids instead of one per id: ids are minted on every request.
const pool = Buffer.allocUnsafe(POOL_SIZE);
let offset = POOL_SIZE;

function nextByte(): number {
  if (offset >= POOL_SIZE) {
    randomFillSync(pool);
    offset = 0;
  }
  return pool[offset++] as number;
}

/** A random id with a type prefix, e.g. `req_3kT9…` (24 characters ≈ 143 bits). */
export function newId(prefix: string, length = 24): string {
  let out = `${prefix}_`;
  while (out.length < prefix.length + 1 + length) {
    const byte = nextByte();
    if (byte < UNBIASED_LIMIT) out += ALPHABET[byte % 62];
  }
  return out;
}

/**
 * An id derived from `seed` (its SHA-256, 24 characters): whoever derives it from the same seed gets the same id,
 * so a row inserted under it is inserted once however often, or on however many replicas, it is derived (a
 * child run replayed after a crash, a schedule's slot, an event's run).
 */
export function derivedId(prefix: string, seed: string): string {
  const digest = createHash('sha256').update(seed).digest();
  let out = `${prefix}_`;
  for (let index = 0; index < 24; index++) out += ALPHABET[(digest[index] ?? 0) % 62];
  return out;
}
