import type { BudgetPeriod } from '../storage/index.js';

/** One budget period, calendar-aligned in UTC. */
export interface PeriodWindow {
  /** Part of the counter key: `total`, `day:2026-11-05`, `month:2026-11`. */
  label: string;
  /** Inclusive; null for `total`. */
  start: Date | null;
  /** Exclusive; null for `total`. */
  end: Date | null;
}

const pad = (value: number): string => value.toString().padStart(2, '0');

export function periodWindow(period: BudgetPeriod, now: number): PeriodWindow {
  const date = new Date(now);
  const year = date.getUTCFullYear();
  const month = date.getUTCMonth();
  switch (period) {
    case 'total':
      return { label: 'total', start: null, end: null };
    case 'day': {
      const day = date.getUTCDate();
      return {
        label: `day:${year}-${pad(month + 1)}-${pad(day)}`,
        start: new Date(Date.UTC(year, month, day)),
        end: new Date(Date.UTC(year, month, day + 1)),
      };
    }
    case 'month':
      return {
        label: `month:${year}-${pad(month + 1)}`,
        start: new Date(Date.UTC(year, month, 1)),
        end: new Date(Date.UTC(year, month + 1, 1)),
      };
  }
}

/** The fixed one-minute window that `now` falls in, for rpm/tpm counters. */
export function minuteWindow(now: number): { index: number; end: number } {
  const index = Math.floor(now / 60_000);
  return { index, end: (index + 1) * 60_000 };
}
