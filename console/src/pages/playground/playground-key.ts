import type { PlaygroundKey } from '@contract';
import { ApiError, api } from '../../api/client';

/**
 * The playground's key. The model APIs take API keys only (the hot path reads no session), so the page asks
 * the hub for the signed-in person's own "console playground" key (`POST /v1/playground/key`: their role's
 * scopes, budgets and limits; minting revokes their previous one) and keeps its secret in this tab's
 * sessionStorage, reused until it stops working (another tab minted a newer one), when it mints once more.
 */
const PREFIX = 'tokenhub.playground-key:';

interface StoredKey {
  key: string;
  prefix: string;
}

const storageKey = (userId: string) => `${PREFIX}${userId}`;

function stored(userId: string): StoredKey | null {
  try {
    const value = JSON.parse(sessionStorage.getItem(storageKey(userId)) ?? 'null') as StoredKey | null;
    return value && typeof value.key === 'string' && typeof value.prefix === 'string' ? value : null;
  } catch {
    return null;
  }
}

let minting: Promise<StoredKey> | null = null;

/** One mint at a time, shared by every caller (two panes that both find the key revoked get the same new one). */
function mint(userId: string): Promise<StoredKey> {
  minting ??= api<PlaygroundKey>('/v1/playground/key', { method: 'POST' })
    .then((created) => {
      // Another person signed in earlier in this tab: their secret does not stay behind.
      for (let index = sessionStorage.length - 1; index >= 0; index--) {
        const name = sessionStorage.key(index);
        if (name?.startsWith(PREFIX) && name !== storageKey(userId)) sessionStorage.removeItem(name);
      }
      const value = { key: created.key, prefix: created.key_prefix };
      sessionStorage.setItem(storageKey(userId), JSON.stringify(value));
      return value;
    })
    .finally(() => {
      minting = null;
    });
  return minting;
}

/** The stored key, or a newly minted one. */
export async function playgroundKey(userId: string): Promise<StoredKey> {
  return stored(userId) ?? mint(userId);
}

/** Runs `call` with the key; a 401 (the key was revoked or replaced) mints a new one and tries once more. */
export async function withPlaygroundKey<T>(userId: string, call: (key: string) => Promise<T>): Promise<T> {
  const first = await playgroundKey(userId);
  try {
    return await call(first.key);
  } catch (error) {
    if (!(error instanceof ApiError) || error.status !== 401) throw error;
    if (stored(userId)?.key === first.key) sessionStorage.removeItem(storageKey(userId));
    const fresh = stored(userId) ?? (await mint(userId));
    return call(fresh.key);
  }
}
