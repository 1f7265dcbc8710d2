import type { Clock } from '../core/index.js';

export type BreakerState = 'closed' | 'open' | 'half-open';

export interface BreakerOptions {
  failureThreshold: number;
  cooldownMs: number;
}

/**
 * Per-target circuit breaker: opens after `failureThreshold` consecutive failures, lets one trial
 * request through after `cooldownMs` (half-open), and closes again on its success.
 */
export class CircuitBreaker {
  private failures = 0;
  private openedAt = 0;
  private state: BreakerState = 'closed';
  private trialInFlight = false;
  private readonly options: BreakerOptions;
  private readonly clock: Clock;

  constructor(options: BreakerOptions, clock: Clock) {
    this.options = options;
    this.clock = clock;
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
    this.state = 'half-open';
    return true;
  }

  onSuccess(): void {
    this.failures = 0;
    this.trialInFlight = false;
    this.state = 'closed';
  }

  onFailure(): void {
    this.trialInFlight = false;
    this.failures++;
    if (this.state === 'half-open' || this.failures >= this.options.failureThreshold) {
      this.state = 'open';
      this.openedAt = this.clock.now();
    }
  }

  /** A request that ended for a reason that says nothing of the upstream's health (e.g. client abort). */
  onNeutral(): void {
    this.trialInFlight = false;
  }
}
