import type { BudgetSlot, ClusterState } from '../cluster/index.js';
import type { Clock, Picos } from '../core/index.js';
import { picos } from '../core/index.js';
import { type BudgetRecord, type Database, spentInPeriod, spentOnRun } from '../storage/index.js';
import { type PeriodWindow, periodWindow } from './periods.js';

/** How long a finished period's counter is kept, for requests that settle after it ended. */
const COUNTER_GRACE_MS = 2 * 86_400_000;

export interface BudgetStatus {
  budget: BudgetRecord;
  window: PeriodWindow;
  spent: Picos;
  reserved: Picos;
  /** limit − spent − reserved, never below zero. */
  remaining: Picos;
}

/**
 * Maps budgets onto cluster counters (one per budget and period) and seeds a counter from the
 * ledger rollups the first time it is used, so a restart (or a Redis that lost its data) resumes
 * from the recorded spend instead of zero.
 */
export class BudgetCounters {
  private readonly db: Database;
  private readonly cluster: ClusterState;
  private readonly clock: Clock;
  private readonly seeding = new Map<string, Promise<void>>();

  constructor(options: { db: Database; cluster: ClusterState; clock: Clock }) {
    this.db = options.db;
    this.cluster = options.cluster;
    this.clock = options.clock;
  }

  slot(budget: BudgetRecord, now: number): { slot: BudgetSlot; window: PeriodWindow } {
    const window = periodWindow(budget.period, now);
    return {
      window,
      slot: {
        key: `budget:${budget.id}:${window.label}`,
        limit: budget.limitPicos,
        expiresAt: window.end ? window.end.getTime() + COUNTER_GRACE_MS : null,
      },
    };
  }

  /** Creates the counter from the ledger unless it exists; concurrent callers share one query. */
  seed(budget: BudgetRecord, now: number): Promise<void> {
    const { slot, window } = this.slot(budget, now);
    const pending = this.seeding.get(slot.key);
    if (pending) return pending;
    const promise = spentInPeriod(
      this.db,
      {
        tenantId: budget.tenantId,
        projectId: budget.scope === 'project' ? budget.projectId : null,
        keyId: budget.scope === 'key' ? budget.keyId : null,
      },
      window.start,
      window.end,
    )
      .then((spent) => this.cluster.seedBudget(slot.key, spent, slot.expiresAt))
      .finally(() => this.seeding.delete(slot.key));
    this.seeding.set(slot.key, promise);
    return promise;
  }

  /** Creates a run's budget counter from what it and the runs it started already spent, unless it exists. */
  async seedRun(slot: BudgetSlot, tenantId: string, runId: string): Promise<void> {
    await this.cluster.seedBudget(slot.key, await spentOnRun(this.db, tenantId, runId), slot.expiresAt);
  }

  async status(budget: BudgetRecord): Promise<BudgetStatus> {
    const now = this.clock.now();
    const { slot, window } = this.slot(budget, now);
    let counter = await this.cluster.readBudget(slot.key, now);
    if (!counter) {
      await this.seed(budget, now);
      counter = (await this.cluster.readBudget(slot.key, now)) ?? { spent: 0n, reserved: 0n };
    }
    const left = budget.limitPicos - counter.spent - counter.reserved;
    return {
      budget,
      window,
      spent: picos(counter.spent),
      reserved: picos(counter.reserved),
      remaining: picos(left > 0n ? left : 0n),
    };
  }
}
