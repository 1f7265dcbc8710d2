/**
 * The response shapes of the overview's usage routes (`contract.ts`, the Overview section) as zod schemas, for
 * the OpenAPI document only; the type checks at the end fail the build when a schema and its contract type differ.
 */
import { z } from 'zod';
import type * as Api from './contract.js';
import { budgetSchema } from './contract.schemas.js';

const time = z.string().meta({ description: 'ISO 8601 UTC time' });
const usd = z.string().meta({ description: 'Decimal USD amount, e.g. "12.50"' });
const latency = z.number().nullable();

const countFields = {
  requests: z.number().int().meta({ description: 'Every call, the failed ones included.' }),
  errors: z.number().int().meta({ description: 'Failed calls among `requests`: HTTP status 400 and above (client aborts included).' }),
  prompt_tokens: z.number().int(),
  completion_tokens: z.number().int(),
  cached_tokens: z.number().int(),
  cost_usd: usd,
  latency_p50_ms: latency.meta({ description: 'Median latency of successful calls, estimated from the rollups; null without any.' }),
  latency_p99_ms: latency.meta({
    description: '99th percentile latency of successful calls, estimated from the rollups; null without any.',
  }),
};
const groupFields = {
  ...countFields,
  group: z.string().nullable().meta({
    description: 'The value of `group_by` (`all` for none); null: calls without it (no key: admin traffic), or the `other` group.',
  }),
  other: z.boolean().meta({ description: 'The groups past `top`, added up.' }),
};

export const usageCountsSchema = z.object(countFields).meta({ id: 'UsageCounts' });
export const usageSeriesGroupSchema = z.object(groupFields).meta({ id: 'UsageSeriesGroup' });
export const usageSeriesPointSchema = z
  .object({ ...groupFields, bucket: time.meta({ description: 'Start of the bucket (UTC).' }) })
  .meta({ id: 'UsageSeriesPoint' });

export const usageSeriesSchema = z
  .object({
    object: z.literal('list'),
    data: z
      .array(usageSeriesPointSchema)
      .meta({ description: 'One row per bucket and group that saw calls, oldest first; empty buckets are absent.' }),
    interval: z.enum(['hour', 'day', 'month']),
    group_by: z.enum(['model', 'key', 'project', 'agent', 'none']),
    from: time.meta({ description: '`from` rounded down to the hour.' }),
    to: time.meta({ description: '`to` rounded up to the hour.' }),
    groups: z.array(usageSeriesGroupSchema).meta({ description: 'Each group over the range, the biggest spender first (`other` last).' }),
    totals: usageCountsSchema,
    latency_relative_error: z.number().meta({ description: 'Bound of the latency estimates’ relative error (0.19: within 19 %).' }),
  })
  .meta({ id: 'UsageSeries' });

export const budgetBurnDownSchema = z
  .object({
    budget: budgetSchema,
    rate_window_start: time.meta({ description: 'The hour 23 hours before the current one; the window runs until now.' }),
    recent_spend_usd: usd.meta({ description: "What the budget's scope spent in the rate window." }),
    rate_usd_per_day: usd.meta({ description: 'That spend per 24 hours.' }),
    exhausted: z.boolean(),
    runs_out_at: time
      .nullable()
      .meta({ description: 'When spent reaches the limit at that rate; null when exhausted, idle lately, or the period ends first.' }),
    projected_usd: usd.nullable().meta({ description: "Spent by the period's end at that rate; null for a total budget." }),
  })
  .meta({ id: 'BudgetBurnDown' });

export const budgetBurnDownListSchema = z.object({ object: z.literal('list'), data: z.array(budgetBurnDownSchema) });

type Same<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
type Matches<Schema extends z.ZodType, Contract> = Same<z.output<Schema>, Contract>;
const contractChecks: [
  Matches<typeof usageSeriesSchema, Api.UsageSeries>,
  Matches<typeof budgetBurnDownListSchema, Api.ListResponse<Api.BudgetBurnDown>>,
] = [true, true];
void contractChecks;
