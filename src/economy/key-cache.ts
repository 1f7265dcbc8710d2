import type { Clock } from '../core/index.js';
import type { ApiKeyRecord, BudgetRecord } from '../storage/index.js';
import type { Principal } from './contract.js';

/** How long a cached key keeps working while the database cannot be reached (revocations still arrive by pub/sub). */
const STALE_WHILE_DATABASE_DOWN_MS = 15 * 60_000;

/** Everything admission needs about a virtual key, loaded once and then served from memory. */
export interface KeyContext {
  principal: Principal;
  key: ApiKeyRecord;
  /** The key's, its project's and its tenant's budgets. */
  budgets: readonly BudgetRecord[];
}

export interface KeyCacheOptions {
  clock: Clock;
  loadByHash(keyHash: string): Promise<KeyContext | undefined>;
  loadById(keyId: string): Promise<KeyContext | undefined>;
  /** False while invalidations may be missed: entries older than `degradedTtlMs` are then reloaded. */
  invalidationsLive(): boolean;
  maxEntries?: number;
  /** Backstop for a missed invalidation; pub/sub is the real bound. */
  ttlMs?: number;
  degradedTtlMs?: number;
  maxNegativeEntries?: number;
  negativeTtlMs?: number;
}

interface Entry<T> {
  value: T;
  loadedAt: number;
}

/**
 * In-process cache of virtual keys by hash (and by id, for admission), with a bounded negative
 * cache so a flood of wrong keys does not become a flood of queries. Invalidations bump a
 * generation: a load that started before one never stores its (possibly stale) result.
 */
export class KeyCache {
  private readonly options: Required<Omit<KeyCacheOptions, 'loadByHash' | 'loadById' | 'invalidationsLive' | 'clock'>>;
  private readonly clock: Clock;
  private readonly load: Pick<KeyCacheOptions, 'loadByHash' | 'loadById' | 'invalidationsLive'>;
  private readonly byHash = new Map<string, Entry<KeyContext>>();
  private readonly idToHash = new Map<string, string>();
  private readonly negative = new Map<string, number>();
  private readonly inFlight = new Map<string, Promise<KeyContext | undefined>>();
  private generation = 0;

  constructor(options: KeyCacheOptions) {
    this.clock = options.clock;
    this.load = options;
    this.options = {
      maxEntries: options.maxEntries ?? 10_000,
      ttlMs: options.ttlMs ?? 60_000,
      degradedTtlMs: options.degradedTtlMs ?? 1_000,
      maxNegativeEntries: options.maxNegativeEntries ?? 10_000,
      negativeTtlMs: options.negativeTtlMs ?? 30_000,
    };
  }

  async getByHash(keyHash: string): Promise<KeyContext | undefined> {
    const now = this.clock.now();
    const cached = this.byHash.get(keyHash);
    if (cached && this.fresh(cached.loadedAt, now)) {
      // Re-insert to keep the Map in least-recently-used order.
      this.byHash.delete(keyHash);
      this.byHash.set(keyHash, cached);
      return cached.value;
    }
    const missedAt = this.negative.get(keyHash);
    if (missedAt !== undefined && now - missedAt < this.options.negativeTtlMs && this.load.invalidationsLive()) return undefined;
    try {
      return await this.singleFlight(`h:${keyHash}`, () => this.load.loadByHash(keyHash), keyHash);
    } catch (error) {
      // The database is unreachable: keep serving a key we knew, as long as revocations still reach us.
      if (cached && now - cached.loadedAt < STALE_WHILE_DATABASE_DOWN_MS && this.load.invalidationsLive()) return cached.value;
      throw error;
    }
  }

  async getById(keyId: string): Promise<KeyContext | undefined> {
    const keyHash = this.idToHash.get(keyId);
    const cached = keyHash === undefined ? undefined : this.byHash.get(keyHash);
    if (cached && this.fresh(cached.loadedAt, this.clock.now())) return cached.value;
    return this.singleFlight(`i:${keyId}`, () => this.load.loadById(keyId), undefined);
  }

  invalidateKey(keyId: string): void {
    this.generation++;
    const keyHash = this.idToHash.get(keyId);
    if (keyHash !== undefined) this.byHash.delete(keyHash);
    this.idToHash.delete(keyId);
  }

  invalidateTenant(tenantId: string): void {
    this.generation++;
    for (const [keyHash, entry] of this.byHash) {
      if (entry.value.key.tenantId === tenantId) {
        this.byHash.delete(keyHash);
        this.idToHash.delete(entry.value.key.id);
      }
    }
  }

  clear(): void {
    this.generation++;
    this.byHash.clear();
    this.idToHash.clear();
    this.negative.clear();
  }

  private fresh(loadedAt: number, now: number): boolean {
    const age = now - loadedAt;
    return age < this.options.ttlMs && (age < this.options.degradedTtlMs || this.load.invalidationsLive());
  }

  private singleFlight(
    flightKey: string,
    loader: () => Promise<KeyContext | undefined>,
    keyHash: string | undefined,
  ): Promise<KeyContext | undefined> {
    const pending = this.inFlight.get(flightKey);
    if (pending) return pending;
    const generation = this.generation;
    const loadedAt = this.clock.now();
    const promise = loader()
      .then((context) => {
        if (generation === this.generation) this.store(context, keyHash, loadedAt);
        return context;
      })
      .finally(() => this.inFlight.delete(flightKey));
    this.inFlight.set(flightKey, promise);
    return promise;
  }

  private store(context: KeyContext | undefined, keyHash: string | undefined, loadedAt: number): void {
    if (!context) {
      if (keyHash === undefined) return;
      this.negative.delete(keyHash);
      this.negative.set(keyHash, loadedAt);
      if (this.negative.size > this.options.maxNegativeEntries) this.evictOldest(this.negative);
      return;
    }
    const { keyHash: hash, id } = context.key;
    this.negative.delete(hash);
    this.byHash.delete(hash);
    this.byHash.set(hash, { value: context, loadedAt });
    this.idToHash.set(id, hash);
    if (this.byHash.size > this.options.maxEntries) {
      const oldest = this.byHash.keys().next();
      if (!oldest.done) {
        const evicted = this.byHash.get(oldest.value);
        this.byHash.delete(oldest.value);
        if (evicted) this.idToHash.delete(evicted.value.key.id);
      }
    }
  }

  private evictOldest(map: Map<string, unknown>): void {
    const oldest = map.keys().next();
    if (!oldest.done) map.delete(oldest.value);
  }
}
