import { type Picos, picos } from '../core/index.js';
import { type Database, UsageRepository } from '../storage/index.js';
import type { BudgetStatus } from './budget-counters.js';

/** A budget with how fast it is being spent and when it runs out at that pace. */
export interface BudgetBurn {
  status: BudgetStatus;
  /** What the budget's scope spent in the rate window (from the hourly rollups). */
  recentPicos: Picos;
  /** The rate window: from the start of the hour 23 hours ago until now (23 to 24 hours). */
  rateWindowStart: Date;
  rateWindowMs: number;
  /** Nothing left (limit − spent − reserved is zero). */
  exhausted: boolean;
  /**
   * When spent reaches the limit if the scope keeps spending at the window's rate; null when nothing is left
   * already, nothing was spent in the window, or the period ends (and the budget resets) first.
   */
  runsOutAt: Date | null;
  /** Spent by the end of the period at that rate (null for a `total` budget, which has no end). */
  projectedPicos: Picos | null;
}

const HOUR_MS = 3_600_000;
const RATE_WINDOW_HOURS = 24;
const LAST_DATE_MS = 8.64e15;

/**
 * Burn-down of a tenant's budgets at the recent rate: the last 24 hours' spend (the 23 whole hours before the
 * current one, and the current hour so far) over the time that covers. The last day rather than the
 * period-to-date average, so a budget that was busy early in the month but is quiet now is not shown as about
 * to run out, and a sudden surge shows at once. Money stays exact (bigint picos); only the projected instant
 * is rounded, to the millisecond.
 */
export async function budgetBurnDown(db: Database, tenantId: string, budgets: BudgetStatus[], now: Date): Promise<BudgetBurn[]> {
  const currentHour = Math.floor(now.getTime() / HOUR_MS) * HOUR_MS;
  const rateWindowStart = new Date(currentHour - (RATE_WINDOW_HOURS - 1) * HOUR_MS);
  const rateWindowMs = now.getTime() - rateWindowStart.getTime();
  const spend =
    budgets.length === 0
      ? []
      : await new UsageRepository(db, tenantId).spendByKey({ from: rateWindowStart, to: new Date(currentHour + HOUR_MS) });
  return budgets.map((status) => {
    const { budget } = status;
    let recent = 0n;
    for (const row of spend) {
      if (budget.scope === 'project' && row.projectId !== budget.projectId) continue;
      if (budget.scope === 'key' && row.keyId !== budget.keyId) continue;
      recent += row.costPicos;
    }
    const window = BigInt(rateWindowMs);
    const exhausted = status.remaining <= 0n;
    let runsOutAt: Date | null = null;
    if (!exhausted && recent > 0n) {
      const untilEmpty = (status.remaining * window) / recent;
      // Past the end of the period (or of what a Date can hold), it does not run out.
      const horizon = BigInt((status.window.end?.getTime() ?? LAST_DATE_MS) - now.getTime());
      runsOutAt = untilEmpty < horizon ? new Date(now.getTime() + Number(untilEmpty)) : null;
    }
    const projectedPicos = status.window.end
      ? picos(status.spent + (recent * BigInt(Math.max(0, status.window.end.getTime() - now.getTime()))) / window)
      : null;
    return { status, recentPicos: picos(recent), rateWindowStart, rateWindowMs, exhausted, runsOutAt, projectedPicos };
  });
}
