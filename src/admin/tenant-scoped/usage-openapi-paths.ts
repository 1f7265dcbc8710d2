import type { z } from 'zod';
import type { ZodOpenApiOperationObject, ZodOpenApiPathsObject } from 'zod-openapi';
import * as Out from '../contract.schemas.js';
import { budgetBurnDownListSchema, usageSeriesSchema } from '../usage-series.schemas.js';
import { usageBudgetsQuery } from '../validation.js';
import { scopedUsageQuery } from './usage.js';

/**
 * What `/admin/v1/usage` (and so `/v1/usage`) answers, with and without `interval`: shared by the admin
 * document (`openapi-paths.ts`) and the tenant routes below.
 */
export const USAGE_DESCRIPTION = [
  'From the usage rollups (hourly, and daily for whole days of long ranges), never the ledger, except for `group_by=run` and `run_id` (a run’s ledger rows). `from` is rounded down and `to` up to the hour.',
  '',
  'Without `interval`: totals per `group_by` value (`agent` groups agent traffic only); `top=N` keeps the N groups that spent the most, biggest first.',
  '',
  'With `interval=hour|day|month`: a time series, one row per UTC bucket (`bucket`, its start) and `group_by` value (model, key, project, agent or none) that saw calls; `from` is required, `to` defaults to now. `groups` and `totals` add the rows up exactly (money as decimal strings from integer picos). `top=N` keeps the N biggest spenders and adds the rest up into one `other` group. `requests` counts every call and `errors` the failed ones among them (status ≥ 400); `latency_p50_ms` / `latency_p99_ms` are of successful calls, estimated from log-spaced histograms in the rollups to within `latency_relative_error` (19 %). A `to` not after `from` is a 400 naming `to`; more than 10,000 buckets a 400 naming `interval`.',
].join('\n');

const BUDGETS_DESCRIPTION =
  'Each budget of the tenant with its current period’s spend and its burn-down at the recent rate: what its scope spent from the start of the hour 23 hours ago until now (23 to 24 hours, from the hourly rollups), per day, when spent reaches the limit at that rate (null when exhausted, idle lately, or the period resets first), and the projected spend at the period’s end.';

const ERRORS = {
  default: {
    description:
      'An error, as `{ "error": { "message", "type", "param", "code" } }`: 400 naming the field (a `tenant_id` is one on `/v1`), 401, 403 (`permission_denied` without usage:read; `virtual_key_required` for the admin key on `/v1`).',
    content: { 'application/json': {} },
  },
};

const answer = (description: string, schema: z.ZodType) => ({
  '200': { description, content: { 'application/json': { schema } } },
});

function operation(tag: string, summary: string, rest: Omit<ZodOpenApiOperationObject, 'summary' | 'tags'>): ZodOpenApiOperationObject {
  return { summary, tags: [tag], ...rest, responses: { ...rest.responses, ...ERRORS } };
}

/** Totals (a list of `UsageRow`) or, with `interval`, a `UsageSeries`. */
export const usageAnswerSchema = (): z.ZodType => Out.usageListSchema.or(usageSeriesSchema);

/** `/admin/v1/usage/budgets`, `/v1/usage` and `/v1/usage/budgets` (the console's overview). */
export function usageApiPaths(): ZodOpenApiPathsObject {
  return {
    '/admin/v1/usage/budgets': {
      get: operation('Admin', "A tenant's budgets with their burn-down", {
        description: BUDGETS_DESCRIPTION,
        requestParams: { query: usageBudgetsQuery },
        responses: answer('The budgets, each with its burn-down.', budgetBurnDownListSchema),
      }),
    },
    '/v1/usage': {
      get: operation('Tenant administration', "The tenant's usage: totals or a time series (usage:read)", {
        description: `As \`GET /admin/v1/usage\`, for the caller's own tenant (no \`tenant_id\`).\n\n${USAGE_DESCRIPTION}`,
        requestParams: { query: scopedUsageQuery },
        responses: answer('Totals per group, or with `interval` a series.', usageAnswerSchema()),
      }),
    },
    '/v1/usage/budgets': {
      get: operation('Tenant administration', "The tenant's budgets with their burn-down (usage:read)", {
        description: `As \`GET /admin/v1/usage/budgets\`, for the caller's own tenant. ${BUDGETS_DESCRIPTION}`,
        responses: answer('The budgets, each with its burn-down.', budgetBurnDownListSchema),
      }),
    },
  };
}
