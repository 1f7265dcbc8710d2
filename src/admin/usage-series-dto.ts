import { LATENCY_RELATIVE_ERROR, latencyPercentile, picos, picosToUsd } from '../core/index.js';
import type { BudgetBurn, UsageCounts, UsageSeries, UsageSeriesGroup, UsageSeriesPoint } from '../economy/index.js';
import type * as Api from './contract.js';
import { budgetDto } from './dto.js';

const DAY_MS = 86_400_000n;

const countsDto = (counts: UsageCounts): Api.UsageCounts => ({
  requests: counts.requests,
  errors: counts.errors,
  prompt_tokens: counts.inputTokens,
  completion_tokens: counts.outputTokens,
  cached_tokens: counts.cachedTokens,
  cost_usd: picosToUsd(counts.costPicos),
  latency_p50_ms: latencyPercentile(counts.latencyHistogram, 0.5),
  latency_p99_ms: latencyPercentile(counts.latencyHistogram, 0.99),
});

const groupDto = (group: UsageSeriesGroup): Api.UsageSeriesGroup => ({ group: group.group, other: group.other, ...countsDto(group) });

const pointDto = (point: UsageSeriesPoint): Api.UsageSeriesPoint => ({ bucket: point.bucket.toISOString(), ...groupDto(point) });

export const usageSeriesDto = (series: UsageSeries): Api.UsageSeries => ({
  object: 'list',
  data: series.points.map(pointDto),
  interval: series.interval,
  group_by: series.groupBy,
  from: series.from.toISOString(),
  to: series.to.toISOString(),
  groups: series.groups.map(groupDto),
  totals: countsDto(series.totals),
  latency_relative_error: LATENCY_RELATIVE_ERROR,
});

export const budgetBurnDownDto = (burn: BudgetBurn): Api.BudgetBurnDown => ({
  budget: budgetDto(burn.status),
  rate_window_start: burn.rateWindowStart.toISOString(),
  recent_spend_usd: picosToUsd(burn.recentPicos),
  rate_usd_per_day: picosToUsd(picos((burn.recentPicos * DAY_MS) / BigInt(Math.max(1, burn.rateWindowMs)))),
  exhausted: burn.exhausted,
  runs_out_at: burn.runsOutAt ? burn.runsOutAt.toISOString() : null,
  projected_usd: burn.projectedPicos === null ? null : picosToUsd(burn.projectedPicos),
});
