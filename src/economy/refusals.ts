import { HubError, type Picos, picosToUsd } from '../core/index.js';
import type { BudgetRecord } from '../storage/index.js';
import type { PeriodWindow } from './periods.js';

const describeBudget = (budget: BudgetRecord, window: PeriodWindow): string => {
  const period = budget.period === 'total' ? 'total' : `${budget.period} ${window.label.slice(window.label.indexOf(':') + 1)}`;
  return `the ${budget.scope} budget ${budget.id} (${period})`;
};

/**
 * The refusal for a budget that cannot hold this request's worst case: always 402 `budget_exceeded`,
 * whether settled spend or open reservations are in the way. `retry-after` says when a retry can
 * succeed (the period's end, or soon when only reservations block it); a `total` budget whose settled
 * spend has reached its limit will never admit anything again and gets none.
 */
export function budgetRefusal(options: {
  budget: BudgetRecord;
  window: PeriodWindow;
  spent: bigint;
  reserved: bigint;
  worstCase: Picos;
  now: number;
}): HubError {
  const { budget, window, spent, reserved, worstCase, now } = options;
  const left = budget.limitPicos - spent - reserved;
  const remaining = left > 0n ? left : 0n;
  const message =
    `Budget exceeded: ${describeBudget(budget, window)} has a limit of $${picosToUsd(budget.limitPicos)} ` +
    `and $${picosToUsd(remaining)} remaining; this request may cost up to $${picosToUsd(worstCase)}.` +
    (worstCase > 0n ? ' Lower max_tokens or raise the budget.' : '');
  const settledLeft = budget.limitPicos - spent;
  if (budget.period === 'total' && settledLeft <= 0n) return new HubError('BUDGET_EXCEEDED', message, { code: 'budget_exceeded' });
  const waitForPeriod = settledLeft < worstCase && window.end !== null;
  const retryAfterSeconds = waitForPeriod && window.end ? Math.max(1, Math.ceil((window.end.getTime() - now) / 1000)) : 1;
  return new HubError('BUDGET_EXCEEDED', message, { code: 'budget_exceeded', retryAfterSeconds });
}

/** A run whose own `max_cost_usd` cannot hold its next call's worst case: it stops with `budget_exceeded`. */
export function runBudgetRefusal(options: { runId: string; limit: bigint; spent: bigint; reserved: bigint; worstCase: Picos }): HubError {
  const left = options.limit - options.spent - options.reserved;
  return new HubError(
    'BUDGET_EXCEEDED',
    `Run budget exceeded: run ${options.runId} has a limit of $${picosToUsd(options.limit)} and $${picosToUsd(left > 0n ? left : 0n)} remaining; ` +
      `its next model call may cost up to $${picosToUsd(options.worstCase)}.`,
    { code: 'run_budget_exceeded' },
  );
}

/** Where a sliding-minute refusal stands: the two counters, and when the current minute ends. */
export interface WindowState {
  current: number;
  previous: number;
  /** End of the current minute, ms since epoch. */
  end: number;
  windowMs: number;
}

/**
 * How long until `amount` more fits in the sliding minute. While the current minute still has room, only
 * the previous minute's share must shrink (it falls linearly to 0 at `end`); otherwise after `end` the
 * current minute becomes the previous one and its share must shrink in turn.
 */
export function slidingRetryAfterMs(limit: number, amount: number, state: WindowState, now: number): number {
  // Whole milliseconds, rounded up (less a hair of float error): waiting that long is always enough.
  return Math.max(0, Math.ceil(slidingWaitMs(limit, amount, state, now) - 1e-6));
}

function slidingWaitMs(limit: number, amount: number, state: WindowState, now: number): number {
  const room = limit - amount;
  if (state.current <= room) {
    if (state.previous <= 0) return 0;
    const weight = (room - state.current) / state.previous;
    return Math.max(0, state.end - weight * state.windowMs - now);
  }
  const weight = state.current <= 0 ? 0 : Math.max(0, room) / state.current;
  return state.end - now + (1 - Math.min(1, weight)) * state.windowMs;
}

export function rateRefusal(kind: 'rpm' | 'tpm', limit: number, amount: number, state: WindowState, now: number): HubError {
  const retryAfterSeconds = Math.max(1, Math.ceil(slidingRetryAfterMs(limit, amount, state, now) / 1000));
  if (kind === 'tpm' && amount > limit) {
    return new HubError(
      'RATE_LIMITED',
      `Request too large: it may use ${amount} tokens (prompt + max_tokens) but this key's limit is ${limit} tokens per minute. Lower max_tokens.`,
      { code: 'tokens_per_minute_exceeded', retryAfterSeconds },
    );
  }
  const unit = kind === 'rpm' ? 'requests' : 'tokens';
  return new HubError(
    'RATE_LIMITED',
    `Rate limit reached: this key allows ${limit} ${unit} per minute. Retry after ${retryAfterSeconds}s.`,
    {
      code: kind === 'rpm' ? 'requests_per_minute_exceeded' : 'tokens_per_minute_exceeded',
      retryAfterSeconds,
    },
  );
}

export function concurrencyRefusal(limit: number): HubError {
  return new HubError('RATE_LIMITED', `Too many concurrent requests: this key allows ${limit} at a time.`, {
    code: 'concurrency_limit_exceeded',
    retryAfterSeconds: 1,
  });
}
