import { type Clock, decodeSeqCursor, encodeSeqCursor } from '../core/index.js';
import {
  type Database,
  type LedgerFilter,
  LedgerRepository,
  type LedgerRow,
  type UsageFilter,
  type UsageGroupBy,
  UsageRepository,
  type UsageTotals,
} from '../storage/index.js';
import { type BudgetBurn, budgetBurnDown } from './budget-burn.js';
import type { BudgetService } from './budget-service.js';
import { type UsageSeries, type UsageSeriesQuery, usageSeries } from './usage-series.js';

export interface UsageQuery extends UsageFilter {
  /** Absent: every tenant (admin only). */
  tenantId?: string;
  groupBy: UsageGroupBy;
  /** Only the groups that spent the most, biggest first. */
  top?: number;
}

export interface LedgerQuery extends LedgerFilter {
  tenantId?: string;
  cursor?: string;
  limit: number;
}

export interface LedgerPage {
  rows: LedgerRow[];
  /** Pass as `cursor` for the next (older) page; null at the end. */
  nextCursor: string | null;
}

const CURSOR_PREFIX = 'seq';

/**
 * Usage totals and series (from the rollups), budgets' burn-down, and the ledger itself, newest first, with a
 * cursor.
 */
export class UsageService {
  private readonly db: Database;
  private readonly budgets: BudgetService;
  private readonly clock: Clock;

  constructor(db: Database, options: { budgets: BudgetService; clock: Clock }) {
    this.db = db;
    this.budgets = options.budgets;
    this.clock = options.clock;
  }

  summarize(query: UsageQuery): Promise<UsageTotals[]> {
    const { tenantId, groupBy, top, ...filter } = query;
    return new UsageRepository(this.db, tenantId ?? null).summarize(filter, groupBy, top === undefined ? {} : { top });
  }

  /** A time series split by one dimension; a 400 for a range that is empty or has too many buckets. */
  series(query: UsageSeriesQuery): Promise<UsageSeries> {
    return usageSeries(this.db, query);
  }

  /** Every budget of the tenant with its burn-down at the last 24 hours' rate. */
  async burnDown(tenantId: string): Promise<BudgetBurn[]> {
    const budgets = await this.budgets.list({ tenantId });
    return budgetBurnDown(this.db, tenantId, budgets, new Date(this.clock.now()));
  }

  async ledger(query: LedgerQuery): Promise<LedgerPage> {
    const { tenantId, cursor, limit, ...filter } = query;
    const rows = await new LedgerRepository(this.db, tenantId ?? null).page(filter, {
      ...(cursor ? { before: decodeSeqCursor(CURSOR_PREFIX, cursor) } : {}),
      limit: limit + 1,
    });
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    return { rows: page, nextCursor: rows.length > limit && last ? encodeSeqCursor(CURSOR_PREFIX, last.seq) : null };
  }
}
