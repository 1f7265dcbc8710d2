import type { z } from 'zod';
import { HubError } from '../core/index.js';
import type { Economy } from '../economy/index.js';
import type * as Api from './contract.js';
import { usageDto } from './dto.js';
import { budgetBurnDownDto, usageSeriesDto } from './usage-series-dto.js';
import type { usageQuery } from './validation.js';

type UsageParams = Omit<z.output<typeof usageQuery>, 'tenant_id'>;

const SERIES_GROUPS = ['model', 'key', 'project', 'agent', 'none'] as const;
type SeriesGroup = (typeof SERIES_GROUPS)[number];
const isSeriesGroup = (value: string): value is SeriesGroup => (SERIES_GROUPS as readonly string[]).includes(value);

/**
 * `GET /admin/v1/usage` and `GET /v1/usage` (the tenant given by the caller, or absent for every tenant):
 * totals per group, or with `interval` a time series split by `group_by`, both from the rollups.
 */
export async function usageAnswer(
  economy: Economy,
  query: UsageParams,
  tenantId: string | undefined,
  now: Date,
): Promise<Api.ListResponse<Api.UsageRow> | Api.UsageSeries> {
  const filter = {
    ...(tenantId ? { tenantId } : {}),
    ...(query.project_id ? { projectId: query.project_id } : {}),
    ...(query.key_id ? { keyId: query.key_id } : {}),
    ...(query.model ? { model: query.model } : {}),
    ...(query.agent ? { agent: query.agent } : {}),
  };
  if (query.interval === undefined) {
    const rows = await economy.usage.summarize({
      ...filter,
      ...(query.run_id ? { runId: query.run_id } : {}),
      ...(query.from ? { from: query.from } : {}),
      ...(query.to ? { to: query.to } : {}),
      groupBy: query.group_by,
      ...(query.top !== undefined ? { top: query.top } : {}),
    });
    return { object: 'list', data: rows.map(usageDto) };
  }
  if (!isSeriesGroup(query.group_by)) {
    throw new HubError('INVALID_REQUEST', `With interval, group_by must be one of ${SERIES_GROUPS.join(', ')}.`, { param: 'group_by' });
  }
  if (query.run_id)
    throw new HubError('INVALID_REQUEST', 'A series has no run_id filter (runs are not in the rollups).', { param: 'run_id' });
  if (!query.from) throw new HubError('INVALID_REQUEST', 'A series needs from (to defaults to now).', { param: 'from' });
  const series = await economy.usage.series({
    ...filter,
    from: query.from,
    to: query.to ?? now,
    interval: query.interval,
    groupBy: query.group_by,
    ...(query.top !== undefined ? { top: query.top } : {}),
  });
  return usageSeriesDto(series);
}

/** `GET /admin/v1/usage/budgets` and `GET /v1/usage/budgets`: a tenant's budgets with their burn-down. */
export async function budgetBurnDownAnswer(economy: Economy, tenantId: string): Promise<Api.ListResponse<Api.BudgetBurnDown>> {
  const burns = await economy.usage.burnDown(tenantId);
  return { object: 'list', data: burns.map(budgetBurnDownDto) };
}
