import { HubError, type Picos, picosToUsd } from '../core/index.js';
import type { BudgetRecord } from '../storage/index.js';
import type { PeriodWindow } from './periods.js';

const describeBudget = (budget: BudgetRecord, window: PeriodWindow): string => {
  const period = budget.period === 'total' ? 'total' : `${budget.period} ${window.label.slice(window.label.indexOf(':') + 1)}`;
  return `the ${budget.scope} budget ${budget.id} (${period})`;
};

/**
 * The refusal for a budget that cannot hold this request's worst case. A `total` budget whose
 * settled spend has reached its limit will never admit anything again: 402. Otherwise 429, with
 * the time after which a retry can succeed (period end, or soon when only reservations are in the way).
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
  if (budget.period === 'total' && settledLeft <= 0n) {
    return new HubError('PAYMENT_REQUIRED', message, { code: 'budget_exhausted' });
  }
  const waitForPeriod = settledLeft < worstCase && window.end !== null;
  const retryAfterSeconds = waitForPeriod && window.end ? Math.max(1, Math.ceil((window.end.getTime() - now) / 1000)) : 1;
  return new HubError('BUDGET_EXCEEDED', message, { code: 'budget_exceeded', retryAfterSeconds });
}

export function rateRefusal(kind: 'rpm' | 'tpm', limit: number, amount: number, windowEnd: number, now: number): HubError {
  const retryAfterSeconds = Math.max(1, Math.ceil((windowEnd - now) / 1000));
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
