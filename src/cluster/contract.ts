/**
 * Shared counters, limits and pub/sub behind one interface, so a single node keeps them in memory
 * and N replicas share them in Redis with the same semantics. Every operation that checks and then
 * changes state does both atomically (one JS turn in memory, one Lua script in Redis).
 */

/** One budget counter for one period. */
export interface BudgetSlot {
  /** Counter key including the period start, e.g. `budget:bud_x:month:2026-11`. */
  key: string;
  /** Limit in the ledger unit (picos). */
  limit: bigint;
  /** When the counter may be forgotten (after its period ends), ms since epoch; null: never. */
  expiresAt: number | null;
}

/**
 * A rate-limit counter (requests or tokens per minute). With `previous`, it is a sliding window: the
 * check counts the current window's usage plus the share of the previous window's usage that still
 * lies inside the last minute (`ceil(previous × weight)`, the previous window's requests taken as
 * evenly spread), so no burst at a window boundary gets twice the limit. Only the current window is charged.
 */
export interface WindowSlot {
  /** Counter key including the window start, e.g. `rl:key_x:rpm:29496120`. */
  key: string;
  limit: number;
  /** What this request adds to the window. */
  amount: number;
  /** When the counter may be forgotten, ms since epoch (for a sliding window: once the next window ends too). */
  expiresAt: number;
  /** The previous window's counter and the share of it (0–1) still inside the sliding window. */
  previous?: { key: string; weight: number };
}

export interface ConcurrencySlot {
  key: string;
  limit: number;
}

export interface AdmitCommand {
  /** Identifies the reservation and the concurrency slot until settle (the request id). */
  reservationId: string;
  /** Reserved on every budget, in picos. */
  amount: bigint;
  budgets: readonly BudgetSlot[];
  windows: readonly WindowSlot[];
  concurrency?: ConcurrencySlot;
  /**
   * When a holder that never settles (a crashed replica) has its reservation and concurrency slot
   * released, ms since epoch. Must lie beyond the longest request.
   */
  leaseExpiresAt: number;
  /** Current time, ms since epoch (injectable for tests). */
  now: number;
}

export type AdmitResult =
  | { ok: true }
  /** The budget counter does not exist yet: seed it from the ledger, then retry. */
  | { ok: false; reason: 'unseeded'; budgetIndex: number }
  | { ok: false; reason: 'budget'; budgetIndex: number; spent: bigint; reserved: bigint }
  /** `used`: what the check counted; `current` and `previous`: the two counters it was made of (previous is 0 for a fixed window). */
  | { ok: false; reason: 'window'; windowIndex: number; used: number; current: number; previous: number }
  | { ok: false; reason: 'concurrency'; active: number };

export interface SettleCommand {
  reservationId: string;
  /** The same budget keys the reservation was made on. */
  budgetKeys: readonly string[];
  /** Actual cost added to every budget's spend, in picos. */
  actual: bigint;
  /** Corrections to windows charged at admission (e.g. tokens: actual − reserved). */
  windowAdjustments: readonly { key: string; delta: number }[];
  concurrencyKey?: string;
  now: number;
}

export interface BudgetCounter {
  spent: bigint;
  /** Held by admitted requests that have not settled yet. */
  reserved: bigint;
}

export interface ClusterHealth {
  ok: boolean;
  detail: string;
}

export interface ClusterState {
  readonly kind: 'memory' | 'redis';
  /** Checks every limit and budget, then charges all of them, or refuses naming the first that would overflow. */
  admit(command: AdmitCommand): Promise<AdmitResult>;
  /** Moves a reservation to spent at its actual cost (once; a second settle of the same id changes no reservation). */
  settle(command: SettleCommand): Promise<void>;
  /** Creates a budget counter with this spend unless it already exists. */
  seedBudget(key: string, spent: bigint, expiresAt: number | null): Promise<void>;
  /** The counter as it stands, or null when not seeded. */
  readBudget(key: string, now: number): Promise<BudgetCounter | null>;
  publish(channel: string, message: string): Promise<void>;
  /** Delivers messages on `channel`; the returned function unsubscribes. */
  subscribe(channel: string, handler: (message: string) => void): Promise<() => Promise<void>>;
  /** Called after messages may have been missed (pub/sub reconnected): caches should drop everything. */
  onResync(handler: () => void): void;
  /** False while published invalidations may not be arriving; caches must then not trust old entries. */
  invalidationsLive(): boolean;
  health(): Promise<ClusterHealth>;
  close(): Promise<void>;
}
