import { EventEmitter } from 'node:events';
import type { AdmitCommand, AdmitResult, BudgetCounter, ClusterHealth, ClusterState, SettleCommand } from './contract.js';

interface BudgetEntry {
  spent: bigint;
  reserved: bigint;
  /** reservation id → amount and lease expiry */
  reservations: Map<string, { amount: bigint; expiresAt: number }>;
  expiresAt: number | null;
}

interface WindowEntry {
  used: number;
  expiresAt: number;
}

const SWEEP_INTERVAL_MS = 60_000;

/**
 * Single-node cluster state. Each operation runs to completion within one turn of the event loop,
 * which is what makes check-then-charge atomic here.
 */
/**
 * The part of the previous window's usage a sliding window still counts, rounded up (less a hair for
 * float error, as the Redis script does) so the estimate never lets the minute exceed its limit.
 */
function slidingShare(previousUsed: number, weight: number | undefined): number {
  return weight === undefined ? 0 : Math.max(0, Math.ceil(previousUsed * Math.min(1, Math.max(0, weight)) - 1e-9));
}

export class MemoryClusterState implements ClusterState {
  readonly kind = 'memory';
  private readonly budgets = new Map<string, BudgetEntry>();
  private readonly windows = new Map<string, WindowEntry>();
  private readonly concurrency = new Map<string, Map<string, number>>();
  private readonly emitter = new EventEmitter();
  private readonly sweeper: NodeJS.Timeout;

  constructor() {
    this.emitter.setMaxListeners(0);
    // Forget finished periods and windows so memory stays bounded on a long-running node.
    this.sweeper = setInterval(() => this.forgetExpired(Date.now()), SWEEP_INTERVAL_MS);
    this.sweeper.unref();
  }

  async admit(command: AdmitCommand): Promise<AdmitResult> {
    const { now } = command;
    if (command.concurrency) {
      const holders = this.liveHolders(command.concurrency.key, now);
      if (holders.size >= command.concurrency.limit) return { ok: false, reason: 'concurrency', active: holders.size };
    }
    for (const [windowIndex, window] of command.windows.entries()) {
      const current = this.windowUsed(window.key, now);
      const previous = window.previous ? this.windowUsed(window.previous.key, now) : 0;
      const used = current + slidingShare(previous, window.previous?.weight);
      if (used + window.amount > window.limit) return { ok: false, reason: 'window', windowIndex, used, current, previous };
    }
    const entries: BudgetEntry[] = [];
    for (const [budgetIndex, budget] of command.budgets.entries()) {
      const entry = this.budgets.get(budget.key);
      if (!entry) return { ok: false, reason: 'unseeded', budgetIndex };
      this.releaseExpired(entry, now);
      if (entry.spent + entry.reserved + command.amount > budget.limit) {
        return { ok: false, reason: 'budget', budgetIndex, spent: entry.spent, reserved: entry.reserved };
      }
      entries.push(entry);
    }

    for (const entry of entries) {
      entry.reserved += command.amount;
      entry.reservations.set(command.reservationId, { amount: command.amount, expiresAt: command.leaseExpiresAt });
    }
    for (const window of command.windows) {
      const entry = this.windows.get(window.key);
      if (entry && entry.expiresAt > now) entry.used += window.amount;
      else this.windows.set(window.key, { used: window.amount, expiresAt: window.expiresAt });
    }
    if (command.concurrency) this.liveHolders(command.concurrency.key, now).set(command.reservationId, command.leaseExpiresAt);
    return { ok: true };
  }

  private windowUsed(key: string, now: number): number {
    const entry = this.windows.get(key);
    return entry && entry.expiresAt > now ? entry.used : 0;
  }

  async settle(command: SettleCommand): Promise<void> {
    for (const key of command.budgetKeys) {
      const entry = this.budgets.get(key);
      if (!entry) continue;
      const reservation = entry.reservations.get(command.reservationId);
      if (reservation) {
        entry.reserved -= reservation.amount;
        entry.reservations.delete(command.reservationId);
      }
      entry.spent += command.actual;
    }
    for (const adjustment of command.windowAdjustments) {
      const entry = this.windows.get(adjustment.key);
      if (entry && entry.expiresAt > command.now) entry.used = Math.max(0, entry.used + adjustment.delta);
    }
    if (command.concurrencyKey) this.concurrency.get(command.concurrencyKey)?.delete(command.reservationId);
  }

  async seedBudget(key: string, spent: bigint, expiresAt: number | null): Promise<void> {
    if (!this.budgets.has(key)) this.budgets.set(key, { spent, reserved: 0n, reservations: new Map(), expiresAt });
  }

  async readBudget(key: string, now: number): Promise<BudgetCounter | null> {
    const entry = this.budgets.get(key);
    if (!entry) return null;
    this.releaseExpired(entry, now);
    return { spent: entry.spent, reserved: entry.reserved };
  }

  async publish(channel: string, message: string): Promise<void> {
    // Asynchronous like Redis delivery, so publishers never run subscriber code re-entrantly.
    queueMicrotask(() => this.emitter.emit(channel, message));
  }

  async subscribe(channel: string, handler: (message: string) => void): Promise<() => Promise<void>> {
    this.emitter.on(channel, handler);
    return async () => {
      this.emitter.off(channel, handler);
    };
  }

  onResync(): void {
    // Nothing is ever missed in process.
  }

  invalidationsLive(): boolean {
    return true;
  }

  async health(): Promise<ClusterHealth> {
    return { ok: true, detail: 'in memory (single node)' };
  }

  async close(): Promise<void> {
    clearInterval(this.sweeper);
    this.emitter.removeAllListeners();
  }

  private liveHolders(key: string, now: number): Map<string, number> {
    let holders = this.concurrency.get(key);
    if (!holders) {
      holders = new Map();
      this.concurrency.set(key, holders);
    }
    for (const [id, expiresAt] of holders) if (expiresAt <= now) holders.delete(id);
    return holders;
  }

  private releaseExpired(entry: BudgetEntry, now: number): void {
    for (const [id, reservation] of entry.reservations) {
      if (reservation.expiresAt <= now) {
        entry.reserved -= reservation.amount;
        entry.reservations.delete(id);
      }
    }
  }

  private forgetExpired(now: number): void {
    for (const [key, entry] of this.budgets) if (entry.expiresAt !== null && entry.expiresAt <= now) this.budgets.delete(key);
    for (const [key, entry] of this.windows) if (entry.expiresAt <= now) this.windows.delete(key);
    for (const key of this.concurrency.keys()) if (this.liveHolders(key, now).size === 0) this.concurrency.delete(key);
  }
}
