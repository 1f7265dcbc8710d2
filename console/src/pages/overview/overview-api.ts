import type { BudgetBurnDown, ListResponse, UsageInterval, UsageRow, UsageSeries } from '@contract';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { api, apiBase } from '../../api/client';
import type { Range, Split } from './overview-range';

/** Groups drawn one by one in the charts; the rest are added up by the hub into one `other` group. */
export const CHART_GROUPS = 8;
export const TOP_SPENDERS = 5;
const REFRESH_MS = 60_000;

export interface OverviewView {
  range: Range;
  interval: UsageInterval;
  split: Split;
  /** The hub admin's tenant filter (null: every tenant); a person's is always their own (not sent). */
  tenantId: string | null;
  admin: boolean;
}

/**
 * The overview's data in four calls, made at once: the series split by the chosen dimension (cards, charts
 * and the split table all come from it), the top keys and the top agents by spend over the same range, and the
 * budgets' burn-down (only for one tenant). Every number is read from the hub's usage rollups.
 */
export function useOverview(view: OverviewView) {
  const base = apiBase();
  const scope = view.admin && view.tenantId ? { tenant_id: view.tenantId } : {};
  const range = { from: view.range.from.toISOString(), to: view.range.to.toISOString() };
  const key = [base, view.tenantId, range.from, range.to] as const;
  const series = useQuery({
    queryKey: ['overview', 'series', ...key, view.interval, view.split],
    queryFn: ({ signal }) =>
      api<UsageSeries>(`${base}/usage`, { signal, query: { ...scope, ...range, interval: view.interval, group_by: view.split, top: CHART_GROUPS } }),
    placeholderData: keepPreviousData,
    refetchInterval: REFRESH_MS,
  });
  const top = (groupBy: 'key' | 'agent') =>
    ({
      queryKey: ['overview', 'top', groupBy, ...key],
      queryFn: ({ signal }: { signal: AbortSignal }) =>
        api<ListResponse<UsageRow>>(`${base}/usage`, { signal, query: { ...scope, ...range, group_by: groupBy, top: TOP_SPENDERS } }),
      placeholderData: keepPreviousData,
      refetchInterval: REFRESH_MS,
    }) as const;
  const topKeys = useQuery(top('key'));
  const topAgents = useQuery(top('agent'));
  const budgets = useQuery({
    queryKey: ['overview', 'budgets', base, view.tenantId],
    queryFn: ({ signal }) => api<ListResponse<BudgetBurnDown>>(`${base}/usage/budgets`, { signal, query: scope }),
    enabled: !view.admin || view.tenantId !== null,
    refetchInterval: REFRESH_MS,
  });
  return { series, topKeys, topAgents, budgets };
}
