import { decodeSeqCursor, encodeSeqCursor } from '../core/index.js';
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

export interface UsageQuery extends UsageFilter {
  /** Absent: every tenant (admin only). */
  tenantId?: string;
  groupBy: UsageGroupBy;
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

/** Usage totals (from the hourly rollups) and the ledger itself, newest first, with a cursor. */
export class UsageService {
  private readonly db: Database;

  constructor(db: Database) {
    this.db = db;
  }

  summarize(query: UsageQuery): Promise<UsageTotals[]> {
    const { tenantId, groupBy, ...filter } = query;
    return new UsageRepository(this.db, tenantId ?? null).summarize(filter, groupBy);
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
