import { z } from 'zod';
import {
  HubError,
  isStorableText,
  MAX_BUDGET_USD,
  type Picos,
  parseInput,
  UNSTORABLE_TEXT_MESSAGE,
  USD_DECIMALS,
  usdAmountProblem,
  usdToPicos,
} from '../core/index.js';
import { KEY_SCOPES } from '../economy/index.js';

/** Parses with zod; the first issue becomes a 400 naming the field (`details.param`). */
export const parse = parseInput;

/** A string the database can hold (no NUL, no unpaired surrogate): every free-text field that is stored or queried. */
export const storableText = z.string().refine(isStorableText, UNSTORABLE_TEXT_MESSAGE);

// Ids are minted as `<prefix>_<base62>`; anything else (NUL bytes, slashes, …) never reaches the database.
const id = z.string().regex(/^[A-Za-z0-9_-]{1,200}$/, 'is not a TokenHub id');
const name = storableText.trim().min(1).max(200);
// A decimal string, or a JSON number only when it says exactly which amount is meant (float noise is refused, not stored).
const usd = z.union([z.number(), z.string()]).superRefine((value, ctx) => {
  const problem = usdAmountProblem(value, { decimals: USD_DECIMALS, max: MAX_BUDGET_USD });
  if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
});

export const toPicos = (value: string | number, param: string): Picos => {
  try {
    return usdToPicos(value);
  } catch (error) {
    throw new HubError('INVALID_REQUEST', `Invalid ${param}: ${(error as Error).message}`, { param });
  }
};

const period = z.enum(['total', 'day', 'month']);
const rateLimits = z.strictObject({
  rpm: z.number().int().positive().optional(),
  tpm: z.number().int().positive().optional(),
  max_concurrency: z.number().int().positive().optional(),
});
const models = z.array(storableText.min(1).max(200)).max(1000);
const scopes = z
  .array(z.enum(KEY_SCOPES, { error: `must be one of ${KEY_SCOPES.join(', ')}` }))
  .min(1)
  .max(KEY_SCOPES.length * 4);

export const createTenantBody = z.strictObject({ name });
export const createProjectBody = z.strictObject({ tenant_id: id, name });
export const createKeyBody = z.strictObject({
  tenant_id: id,
  project_id: id.optional(),
  name: name.optional(),
  models: models.optional(),
  rate_limits: rateLimits.optional(),
  scopes: scopes.optional(),
  budget: z.strictObject({ limit_usd: usd, period }).optional(),
});
export const updateKeyBody = z.strictObject({
  name: name.nullable().optional(),
  models: models.nullable().optional(),
  rate_limits: rateLimits.optional(),
  scopes: scopes.optional(),
});
export const createBudgetBody = z.strictObject({
  scope: z.enum(['tenant', 'project', 'key']),
  tenant_id: id.optional(),
  project_id: id.optional(),
  key_id: id.optional(),
  limit_usd: usd,
  period,
});
export const updateBudgetBody = z.strictObject({ limit_usd: usd });
export const idParams = z.object({ id });

// JavaScript dates reach ±275,760 years, PostgreSQL's from 4713 BC, and drivers write years below 1 and
// past 9999 in ways the database refuses; no usage, ledger or audit row lies outside this. The last day
// is left out so that rounding a bound up to the hour of the rollups stays within year 9999.
const EARLIEST = Date.parse('1970-01-01T00:00:00Z');
const LATEST = Date.parse('9999-12-31T00:00:00Z');
const date = z
  .string()
  .refine((value) => !Number.isNaN(Date.parse(value)), 'must be an ISO 8601 date or time')
  .refine((value) => {
    const time = Date.parse(value);
    return Number.isNaN(time) || (time >= EARLIEST && time <= LATEST);
  }, 'must lie between 1970-01-01 and 9999-12-31')
  .transform((value) => new Date(value));
const modelFilter = storableText.min(1);
// Agent names as definitions allow them (`agents/definition.ts`).
const agentFilter = z.string().regex(/^[a-zA-Z0-9_-]{1,64}$/, 'is not an agent name');

export const tenantQuery = z.object({ tenant_id: id.optional(), project_id: id.optional() });
export const budgetQuery = z.object({
  tenant_id: id.optional(),
  project_id: id.optional(),
  key_id: id.optional(),
  scope: z.enum(['tenant', 'project', 'key']).optional(),
});
export const usageQuery = z.object({
  tenant_id: id.optional(),
  project_id: id.optional(),
  key_id: id.optional(),
  model: modelFilter.optional(),
  agent: agentFilter.optional(),
  run_id: id.optional(),
  from: date.optional(),
  to: date.optional(),
  group_by: z.enum(['model', 'key', 'project', 'day', 'hour', 'none', 'agent', 'run', 'usage_kind']).default('model'),
  interval: z
    .enum(['hour', 'day', 'month'])
    .optional()
    .meta({ description: 'Answer a time series with buckets of this width (UTC); `group_by` is then model, key, project, agent or none.' }),
  top: z.coerce
    .number()
    .int()
    .min(1)
    .max(1000)
    .optional()
    .meta({ description: 'Only the groups that spent the most, biggest first; in a series the rest are added up into one `other` group.' }),
});
export const usageBudgetsQuery = z.object({ tenant_id: id.meta({ description: 'The tenant whose budgets to show.' }) });
// `success` (below 400), `error` (400 and up), or one HTTP status.
const ledgerStatus = z
  .string()
  .regex(/^(success|error|[1-5][0-9][0-9])$/, 'must be success, error or an HTTP status')
  .transform((value): 'success' | 'error' | number => (value === 'success' || value === 'error' ? value : Number(value)));
export const ledgerQuery = z.object({
  tenant_id: id.optional(),
  project_id: id.optional(),
  key_id: id.optional(),
  model: modelFilter.optional(),
  status: ledgerStatus.optional(),
  agent: agentFilter.optional(),
  run_id: id.optional(),
  request_id: id.optional(),
  usage_kind: z.enum(['tokens', 'sandbox']).optional(),
  sandbox_id: id.optional(),
  from: date.optional(),
  to: date.optional(),
  cursor: z.string().min(1).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  format: z.enum(['json', 'csv']).default('json'),
});
export const meUsageQuery = z.object({
  model: modelFilter.optional(),
  from: date.optional(),
  to: date.optional(),
  group_by: z.enum(['model', 'day', 'hour', 'none', 'agent', 'usage_kind']).default('model'),
});
export const auditQuery = z.object({
  tenant_id: id.optional(),
  action: z
    .string()
    .regex(/^[a-z_]+(\.[a-z_]+)+$/)
    .optional(),
  // As the log writes them: `admin:<hash prefix>`, `user:<id>`, `key:<id>`.
  actor: z
    .string()
    .regex(/^[a-z]+:[A-Za-z0-9_-]{1,200}$/, 'is not an actor (`admin:…`, `user:…`, `key:…`)')
    .optional(),
  target_type: z
    .string()
    .regex(/^[a-z_]{1,64}(\.[a-z_]{1,64}){0,4}$/, 'is not a target type')
    .optional(),
  // Entity ids and names as the log records them (model names like `qwen/qwen-2.5` included).
  target_id: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9._:/@+-]{0,199}$/, 'is not a target id')
    .optional(),
  from: date.optional(),
  to: date.optional(),
  cursor: z.string().min(1).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});
