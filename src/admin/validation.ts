import { z } from 'zod';
import { HubError, type Picos, usdToPicos } from '../core/index.js';

/** Parses with zod; the first issue becomes a 400 naming the field (`details.param`). */
export function parse<T>(schema: z.ZodType<T>, value: unknown): T {
  const result = schema.safeParse(value ?? {});
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const param = issue?.path.map(String).join('.') || undefined;
  throw new HubError('INVALID_REQUEST', param ? `Invalid ${param}: ${issue?.message}` : `Invalid request: ${issue?.message}`, {
    ...(param ? { param } : {}),
  });
}

// Ids are minted as `<prefix>_<base62>`; anything else (NUL bytes, slashes, …) never reaches the database.
const id = z.string().regex(/^[A-Za-z0-9_-]{1,200}$/, 'is not a TokenHub id');
const name = z.string().trim().min(1).max(200);
const usd = z.union([z.number().nonnegative(), z.string().regex(/^\d+(\.\d{1,12})?$/, 'must be a decimal USD amount')]);

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
const models = z.array(z.string().min(1).max(200)).max(1000);

export const createTenantBody = z.strictObject({ name });
export const createProjectBody = z.strictObject({ tenant_id: id, name });
export const createKeyBody = z.strictObject({
  tenant_id: id,
  project_id: id.optional(),
  name: name.optional(),
  models: models.optional(),
  rate_limits: rateLimits.optional(),
  budget: z.strictObject({ limit_usd: usd, period }).optional(),
});
export const updateKeyBody = z.strictObject({
  name: name.nullable().optional(),
  models: models.nullable().optional(),
  rate_limits: rateLimits.optional(),
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

const date = z
  .string()
  .refine((value) => !Number.isNaN(Date.parse(value)), 'must be an ISO 8601 date or time')
  .transform((value) => new Date(value));

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
  model: z.string().min(1).optional(),
  from: date.optional(),
  to: date.optional(),
  group_by: z.enum(['model', 'key', 'project', 'day', 'hour', 'none']).default('model'),
});
export const ledgerQuery = z.object({
  tenant_id: id.optional(),
  project_id: id.optional(),
  key_id: id.optional(),
  model: z.string().min(1).optional(),
  from: date.optional(),
  to: date.optional(),
  cursor: z.string().min(1).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  format: z.enum(['json', 'csv']).default('json'),
});
export const meUsageQuery = z.object({
  model: z.string().min(1).optional(),
  from: date.optional(),
  to: date.optional(),
  group_by: z.enum(['model', 'day', 'hour', 'none']).default('model'),
});
export const auditQuery = z.object({
  tenant_id: id.optional(),
  action: z
    .string()
    .regex(/^[a-z_]+\.[a-z_]+$/)
    .optional(),
  from: date.optional(),
  to: date.optional(),
  cursor: z.string().min(1).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});
