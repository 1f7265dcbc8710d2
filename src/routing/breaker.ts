import type { Clock } from '../core/index.js';

export type BreakerState = 'closed' | 'open' | 'half-open';

export interface BreakerOptions {
  failureThreshold: number;
  cooldownMs: number;
}

/** How many of the latest attempts `recent` counts over. */
const RECENT_WINDOW = 100;

/** What a breaker has seen, for the admin API (read-only; this replica's view). */
export interface BreakerSnapshot {
  state: BreakerState;
  /** Epoch milliseconds the breaker entered `state` (its creation for a breaker that never changed). */
  since: number;
  consecutiveFailures: number;
  /** Over the latest `RECENT_WINDOW` attempts that said something of the upstream's health. */
  recentAttempts: number;
  recentFailures: number;
  lastError: string | null;
  lastFailureAt: number | null;
}

/**
 * Per-target circuit breaker: opens after `failureThreshold` consecutive failures, lets one trial
 * request through after `cooldownMs` (half-open), and closes again on its success. It also keeps a
 * window of the latest outcomes and the last failure's message for the admin API's health view.
 */
export class CircuitBreaker {
  private failures = 0;
  private openedAt = 0;
  private state: BreakerState = 'closed';
  private changedAt: number;
  private trialInFlight = false;
  private readonly options: BreakerOptions;
  private readonly clock: Clock;
  /** 1 for a failure, 0 for a success, as a ring over the latest attempts. */
  private readonly outcomes = new Uint8Array(RECENT_WINDOW);
  private recorded = 0;
  private lastError: string | null = null;
  private lastFailureAt: number | null = null;

  constructor(options: BreakerOptions, clock: Clock) {
    this.options = options;
    this.clock = clock;
    this.changedAt = clock.now();
  }

  get current(): BreakerState {
    if (this.state === 'open' && this.clock.now() - this.openedAt >= this.options.cooldownMs) return 'half-open';
    return this.state;
  }

  /** Milliseconds until an open breaker lets its half-open trial through (0 when it is not open). */
  msUntilTrial(): number {
    if (this.state !== 'open') return 0;
    return Math.max(0, this.options.cooldownMs - (this.clock.now() - this.openedAt));
  }

  /** Whether a request may go to this target now; in half-open, only one trial at a time. */
  tryAcquire(): boolean {
    const state = this.current;
    if (state === 'closed') return true;
    if (state === 'open') return false;
    if (this.trialInFlight) return false;
    this.trialInFlight = true;
    this.moveTo('half-open');
    return true;
  }

  onSuccess(): void {
    this.failures = 0;
    this.trialInFlight = false;
    this.record(0);
    this.moveTo('closed');
  }

  /** `reason`: the failure's message (already free of the provider's credentials), kept for the health view. */
  onFailure(reason?: string): void {
    this.trialInFlight = false;
    this.failures++;
    this.record(1);
    this.lastFailureAt = this.clock.now();
    if (reason !== undefined) this.lastError = reason;
    if (this.state === 'half-open' || this.failures >= this.options.failureThreshold) {
      this.openedAt = this.clock.now();
      this.moveTo('open', true);
    }
  }

  /** A request that ended for a reason that says nothing of the upstream's health (e.g. client abort). */
  onNeutral(): void {
    this.trialInFlight = false;
  }

  snapshot(): BreakerSnapshot {
    const state = this.current;
    const counted = Math.min(this.recorded, RECENT_WINDOW);
    let recentFailures = 0;
    for (let index = 0; index < counted; index++) recentFailures += this.outcomes[index] ?? 0;
    return {
      state,
      // An open breaker turns half-open by time alone, with no call to note it.
      since: state === 'half-open' && this.state === 'open' ? this.openedAt + this.options.cooldownMs : this.changedAt,
      consecutiveFailures: this.failures,
      recentAttempts: counted,
      recentFailures,
      lastError: this.lastError,
      lastFailureAt: this.lastFailureAt,
    };
  }

  private record(outcome: 0 | 1): void {
    this.outcomes[this.recorded % RECENT_WINDOW] = outcome;
    this.recorded++;
  }

  /** `reopen`: a failed half-open trial opens the breaker anew, so its `since` moves even though it was open before. */
  private moveTo(state: BreakerState, reopen = false): void {
    if (this.state !== state || reopen) this.changedAt = this.clock.now();
    this.state = state;
  }
}
