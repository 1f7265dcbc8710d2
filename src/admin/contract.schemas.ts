/**
 * The response shapes of `contract.ts` as zod schemas, for the OpenAPI document only (nothing parses
 * with them). The type checks at the end fail the build when a schema and its contract type differ,
 * so `contract.ts` stays the one source the CLI and console read.
 */
import { z } from 'zod';
import type * as Api from './contract.js';

const time = z.string().meta({ description: 'ISO 8601 UTC time' });
const usd = z.string().meta({ description: 'Decimal USD amount, e.g. "12.50"' });
const budgetScope = z.enum(['tenant', 'project', 'key']);
const budgetPeriod = z.enum(['total', 'day', 'month']);
const source = z.enum(['config', 'admin']);
const status = z.enum(['ready', 'unavailable']);

const list = <Item extends z.ZodType>(item: Item) => z.object({ object: z.literal('list'), data: z.array(item) });
const page = <Item extends z.ZodType>(item: Item) =>
  z.object({
    object: z.literal('list'),
    data: z.array(item),
    next_cursor: z.string().nullable().meta({ description: 'Pass as `cursor` for the next (older) page; null when there is none.' }),
    has_more: z.boolean(),
  });

export const tenantSchema = z.object({ id: z.string(), name: z.string(), created_at: time }).meta({ id: 'Tenant' });
export const projectSchema = z
  .object({ id: z.string(), tenant_id: z.string(), name: z.string(), created_at: time })
  .meta({ id: 'Project' });

const rateLimits = z.object({
  rpm: z.number().int().optional(),
  tpm: z.number().int().optional(),
  max_concurrency: z.number().int().optional(),
});

const apiKeyFields = {
  id: z.string(),
  tenant_id: z.string(),
  project_id: z.string().nullable(),
  name: z.string().nullable(),
  key_prefix: z.string().meta({ description: 'The first characters of the secret, e.g. `thk_Ab3dEf9h`.' }),
  models: z.array(z.string()).nullable().meta({ description: 'Allowed model names (a trailing `*` matches a prefix); null: every model.' }),
  rate_limits: rateLimits,
  scopes: z.array(z.enum(['inference', 'agents:write', 'agents:run'])).meta({ description: 'What the key may do.' }),
  user_id: z
    .string()
    .nullable()
    .meta({ description: 'The person a personal key belongs to (its scopes follow their role); null for a service key.' }),
  created_at: time,
  revoked_at: time.nullable(),
};
export const apiKeySchema = z.object(apiKeyFields).meta({ id: 'ApiKey' });

export const budgetSchema = z
  .object({
    id: z.string(),
    scope: budgetScope,
    tenant_id: z.string(),
    project_id: z.string().nullable(),
    key_id: z.string().nullable(),
    limit_usd: usd,
    period: budgetPeriod,
    period_start: time.nullable(),
    period_end: time.nullable(),
    spent_usd: usd,
    reserved_usd: usd.meta({ description: 'Held by requests in flight.' }),
    remaining_usd: usd,
    created_at: time,
  })
  .meta({ id: 'Budget' });

export const createdKeySchema = z
  .object({
    ...apiKeyFields,
    key: z.string().meta({ description: 'The secret: shown in this response only, stored hashed.' }),
    budget: budgetSchema.nullable(),
  })
  .meta({ id: 'CreatedKey' });

export const deletedBudgetSchema = z.object({ id: z.string(), deleted: z.literal(true) }).meta({ id: 'DeletedBudget' });

export const usageRowSchema = z
  .object({
    group: z
      .string()
      .nullable()
      .meta({ description: 'The value of `group_by` (model, key id, project id, day, hour) or `all`; null: admin traffic.' }),
    requests: z.number().int().meta({ description: 'Every call, the failed ones included.' }),
    errors: z.number().int().meta({ description: 'Failed calls among `requests`: HTTP status 400 and above (client aborts included).' }),
    prompt_tokens: z.number().int(),
    completion_tokens: z.number().int(),
    cached_tokens: z.number().int(),
    cost_usd: usd,
  })
  .meta({ id: 'UsageRow' });

export const ledgerRowSchema = z
  .object({
    request_id: z.string().meta({ description: 'Minted by the hub (the `x-request-id` response header).' }),
    client_request_id: z.string().nullable(),
    tenant_id: z.string().nullable(),
    project_id: z.string().nullable(),
    key_id: z.string().nullable(),
    surface: z.string(),
    model_requested: z.string(),
    model_served: z.string(),
    provider: z.string().nullable(),
    upstream_model: z.string().nullable(),
    prompt_tokens: z.number().int(),
    completion_tokens: z.number().int(),
    cached_tokens: z.number().int(),
    cache_write_tokens: z.number().int(),
    usage_source: z.enum(['upstream', 'tokenizer']),
    usage_anomaly: z.enum(['invalid_upstream_usage', 'sub_count_exceeds_total', 'output_exceeds_max_tokens']).nullable(),
    agent: z.string().nullable().meta({ description: 'Agent traffic: the agent the call was made for.' }),
    run_id: z.string().nullable(),
    thread_id: z.string().nullable(),
    workflow: z.string().nullable(),
    usage_kind: z
      .enum(['tokens', 'sandbox'])
      .meta({ description: '`tokens` (model calls) or `sandbox` (CPU time or storage of a sandbox).' }),
    sandbox_id: z.string().nullable(),
    cpu_ms: z.number().nullable(),
    storage_byte_seconds: z.number().nullable(),
    cost_usd: usd,
    price_known: z.boolean(),
    latency_ms: z.number(),
    ttfb_ms: z.number().nullable(),
    status: z.number().int(),
    error_code: z.string().nullable(),
    stream: z.boolean(),
    attempts: z.number().int(),
    created_at: time,
  })
  .meta({ id: 'LedgerRow' });

export const meUsageSchema = z
  .object({
    key_id: z.string(),
    tenant_id: z.string(),
    project_id: z.string().nullable(),
    usage: z.array(usageRowSchema),
    budgets: z.array(budgetSchema).meta({ description: "Every budget this key's requests are charged to." }),
  })
  .meta({ id: 'MeUsage' });

export const auditEntrySchema = z
  .object({
    id: z.string(),
    at: time,
    actor: z.string().meta({ description: "`admin:<first 12 hex of the admin key's sha256>`; never the key itself." }),
    action: z.string().meta({ description: '`<target type>.<verb>`, e.g. `key.create`.' }),
    target_type: z.string(),
    target_id: z.string().nullable(),
    tenant_id: z.string().nullable(),
    request_id: z.string(),
    method: z.string(),
    path: z.string(),
    status: z.number().int(),
    error_code: z.string().nullable(),
    before: z.unknown(),
    after: z.unknown(),
  })
  .meta({ id: 'AuditEntry' });

export const upstreamProviderSchema = z
  .object({
    id: z.string(),
    type: z.enum(['openai', 'anthropic', 'local', 'scripted']),
    source,
    preset: z.string().nullable(),
    base_url: z.string().nullable(),
    has_api_key: z.boolean(),
    header_names: z.array(z.string()),
    max_connections: z.number().int(),
    responses_api: z.boolean(),
    status,
    problem: z.string().nullable(),
    secret_key_id: z.string().nullable(),
    models: z.array(z.string()).meta({ description: 'The model names that route to it.' }),
    created_at: time.nullable(),
    updated_at: time.nullable(),
  })
  .meta({ id: 'UpstreamProvider' });

const price = z.union([z.string(), z.number()]);
export const routedModelSchema = z
  .object({
    name: z.string(),
    kind: z.enum(['chat', 'embedding']),
    source,
    targets: z.array(z.object({ provider: z.string(), model: z.string(), weight: z.number() })),
    fallbacks: z.array(z.string()),
    pricing: z
      .object({
        input_per_mtok: price,
        output_per_mtok: price,
        cached_input_per_mtok: price.optional(),
        cache_write_per_mtok: price.optional(),
      })
      .nullable(),
    max_output_tokens: z.number().int().nullable(),
    context_window: z.number().int().nullable(),
    status,
    problem: z.string().nullable(),
    created_at: time.nullable(),
    updated_at: time.nullable(),
  })
  .meta({ id: 'RoutedModel' });

export const secretRotationSchema = z
  .object({
    object: z.literal('secret_rotation'),
    key_id: z.string(),
    resealed: z.number().int(),
    providers: z.number().int(),
    tool_secrets_resealed: z.number().int(),
  })
  .meta({ id: 'SecretRotation' });

export const tenantListSchema = list(tenantSchema);
export const projectListSchema = list(projectSchema);
export const apiKeyListSchema = list(apiKeySchema);
export const budgetListSchema = list(budgetSchema);
export const usageListSchema = list(usageRowSchema);
export const ledgerPageSchema = page(ledgerRowSchema);
export const auditPageSchema = page(auditEntrySchema);
export const upstreamProviderListSchema = list(upstreamProviderSchema);
export const routedModelListSchema = list(routedModelSchema);

// Compile-time: each schema renders exactly its contract type (a field added to one and not the other fails `tsc`).
type Same<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
type Matches<Schema extends z.ZodType, Contract> = Same<z.output<Schema>, Contract>;
const contractChecks: [
  Matches<typeof tenantSchema, Api.Tenant>,
  Matches<typeof projectSchema, Api.Project>,
  Matches<typeof apiKeySchema, Api.ApiKey>,
  Matches<typeof createdKeySchema, Api.CreatedKey>,
  Matches<typeof budgetSchema, Api.Budget>,
  Matches<typeof usageRowSchema, Api.UsageRow>,
  Matches<typeof ledgerPageSchema, Api.LedgerPage>,
  Matches<typeof meUsageSchema, Api.MeUsageResponse>,
  Matches<typeof auditPageSchema, Api.AuditPage>,
  Matches<typeof upstreamProviderSchema, Api.UpstreamProvider>,
  Matches<typeof routedModelSchema, Api.RoutedModel>,
  Matches<typeof secretRotationSchema, Api.SecretRotation>,
  Matches<typeof tenantListSchema, Api.ListResponse<Api.Tenant>>,
] = [true, true, true, true, true, true, true, true, true, true, true, true, true];
void contractChecks;
