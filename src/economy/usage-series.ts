import { addHistograms, emptyHistogram, HubError, type Picos, picos } from '../core/index.js';
import {
  type Database,
  type UsageInterval,
  UsageRepository,
  type UsageSeriesGroupBy,
  type UsageSeriesRow,
  type UsageTotals,
} from '../storage/index.js';

/** The most buckets one series may have (a longer interval or a shorter range is needed past it). */
export const MAX_SERIES_BUCKETS = 10_000;

export interface UsageSeriesQuery {
  /** Absent: every tenant (admin only). */
  tenantId?: string;
  projectId?: string;
  keyId?: string;
  model?: string;
  agent?: string;
  /** Inclusive, rounded down to the hour. */
  from: Date;
  /** Exclusive, rounded up to the hour. */
  to: Date;
  interval: UsageInterval;
  groupBy: UsageSeriesGroupBy;
  /** Keep the `top` groups that spent the most; the rest are added up into one `other` group. */
  top?: number;
}

export interface UsageCounts extends Omit<UsageTotals, 'group'> {
  /** Of the successful calls (see `core/latency-histogram.ts`). */
  latencyHistogram: number[];
}

export interface UsageSeriesGroup extends UsageCounts {
  group: string | null;
  /** The groups past `top`, added up (group null). */
  other: boolean;
}

export interface UsageSeriesPoint extends UsageSeriesGroup {
  bucket: Date;
}

export interface UsageSeries {
  /** The range actually covered: whole hours. */
  from: Date;
  to: Date;
  interval: UsageInterval;
  groupBy: UsageSeriesGroupBy;
  /** Bucket by bucket (oldest first), groups in the order of `groups`; buckets without calls are absent. */
  points: UsageSeriesPoint[];
  /** Each group over the whole range, the biggest spender first (`other` last). */
  groups: UsageSeriesGroup[];
  totals: UsageCounts;
}

const HOUR_MS = 3_600_000;
const floorHour = (date: Date): Date => new Date(Math.floor(date.getTime() / HOUR_MS) * HOUR_MS);
const ceilHour = (date: Date): Date => new Date(Math.ceil(date.getTime() / HOUR_MS) * HOUR_MS);

/** How many buckets of `interval` [from, to) touches. */
export function bucketCount(from: Date, to: Date, interval: UsageInterval): number {
  switch (interval) {
    case 'hour':
      return Math.ceil((to.getTime() - from.getTime()) / HOUR_MS);
    case 'day':
      return Math.ceil(to.getTime() / (24 * HOUR_MS)) - Math.floor(from.getTime() / (24 * HOUR_MS));
    case 'month': {
      const months = (date: Date) => date.getUTCFullYear() * 12 + date.getUTCMonth();
      const last = new Date(to.getTime() - 1);
      return months(last) - months(from) + 1;
    }
  }
}

const zeroCounts = (): UsageCounts => ({
  requests: 0,
  errors: 0,
  inputTokens: 0,
  outputTokens: 0,
  cachedTokens: 0,
  costPicos: picos(0n),
  latencyHistogram: emptyHistogram(),
});

function add(into: UsageCounts, row: UsageCounts): void {
  into.requests += row.requests;
  into.errors += row.errors;
  into.inputTokens += row.inputTokens;
  into.outputTokens += row.outputTokens;
  into.cachedTokens += row.cachedTokens;
  into.costPicos = picos(into.costPicos + row.costPicos) as Picos;
  addHistograms(into.latencyHistogram, row.latencyHistogram);
}

const groupKey = (group: string | null): string => (group === null ? '\u0000null' : `=${group}`);

/**
 * A usage series from the rollups: per bucket and group, the groups' totals and the range's, all exact
 * (money in picos, added as bigint). Checks the range first: `from` before `to`, at most
 * `MAX_SERIES_BUCKETS` buckets.
 */
export async function usageSeries(db: Database, query: UsageSeriesQuery): Promise<UsageSeries> {
  if (query.from >= query.to) throw new HubError('INVALID_REQUEST', '`to` must be after `from`.', { param: 'to' });
  const from = floorHour(query.from);
  const to = ceilHour(query.to);
  const buckets = bucketCount(from, to, query.interval);
  if (buckets > MAX_SERIES_BUCKETS) {
    throw new HubError(
      'INVALID_REQUEST',
      `The range has ${buckets} ${query.interval} buckets; at most ${MAX_SERIES_BUCKETS}: choose a longer interval or a shorter range.`,
      { param: 'interval' },
    );
  }
  const filter = {
    ...(query.projectId !== undefined ? { projectId: query.projectId } : {}),
    ...(query.keyId !== undefined ? { keyId: query.keyId } : {}),
    ...(query.model !== undefined ? { model: query.model } : {}),
    ...(query.agent !== undefined ? { agent: query.agent } : {}),
  };
  const rows = await new UsageRepository(db, query.tenantId ?? null).series(
    filter,
    { from, to },
    query.interval,
    query.groupBy,
    query.top === undefined ? {} : { top: query.top },
  );
  return assemble(rows, { from, to, interval: query.interval, groupBy: query.groupBy });
}

function assemble(
  rows: UsageSeriesRow[],
  shape: { from: Date; to: Date; interval: UsageInterval; groupBy: UsageSeriesGroupBy },
): UsageSeries {
  const totals = zeroCounts();
  const byGroup = new Map<string, UsageSeriesGroup>();
  const keyOf = (row: { group: string | null; other: boolean }) => (row.other ? 'other' : groupKey(row.group));
  for (const row of rows) {
    add(totals, row);
    const key = keyOf(row);
    let group = byGroup.get(key);
    if (!group) {
      group = { group: row.group, other: row.other, ...zeroCounts() };
      byGroup.set(key, group);
    }
    add(group, row);
  }
  // The biggest spender first, `other` last.
  const groups = [...byGroup.values()].sort(
    (a, b) =>
      Number(a.other) - Number(b.other) ||
      (a.costPicos === b.costPicos ? 0 : a.costPicos > b.costPicos ? -1 : 1) ||
      b.requests - a.requests ||
      (groupKey(a.group) < groupKey(b.group) ? -1 : 1),
  );
  const rank = new Map(groups.map((group, index) => [keyOf(group), index]));
  const points: UsageSeriesPoint[] = [...rows];
  points.sort((a, b) => a.bucket.getTime() - b.bucket.getTime() || (rank.get(keyOf(a)) ?? 0) - (rank.get(keyOf(b)) ?? 0));
  return { from: shape.from, to: shape.to, interval: shape.interval, groupBy: shape.groupBy, points, groups, totals };
}
