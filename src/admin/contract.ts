/**
 * Request and response shapes of the admin API (`/admin/v1/*`) and of `GET /v1/me/usage`, shared
 * with the console and the CLI (`import type` only). Money is always a decimal USD string
 * ("12.50", "0.000042"), never a float; times are ISO 8601 UTC strings.
 */
export type BudgetScope = 'tenant' | 'project' | 'key';
export type BudgetPeriod = 'total' | 'day' | 'month';
/** `agent` and `run` cover agent traffic only (model calls of agent runs). */
export type UsageGroupBy = 'model' | 'key' | 'project' | 'day' | 'hour' | 'none' | 'agent' | 'run';

export interface ListResponse<T> {
  object: 'list';
  data: T[];
}

export interface Tenant {
  id: string;
  name: string;
  created_at: string;
}

export interface CreateTenantRequest {
  name: string;
}

export interface Project {
  id: string;
  tenant_id: string;
  name: string;
  created_at: string;
}

export interface CreateProjectRequest {
  tenant_id: string;
  name: string;
}

export interface RateLimits {
  /** Requests per minute. */
  rpm?: number;
  /** Tokens per minute: prompt + worst-case output at admission, corrected to the actual at settlement. */
  tpm?: number;
  max_concurrency?: number;
}

export interface ApiKey {
  id: string;
  tenant_id: string;
  project_id: string | null;
  name: string | null;
  /** The first characters of the secret, e.g. `thk_Ab3dEf9h`. */
  key_prefix: string;
  /** Allowed model names (a trailing `*` matches a prefix); null: every model. */
  models: string[] | null;
  rate_limits: RateLimits;
  /** What the key may do: `inference` (the model APIs), `agents:write` (define agents), `agents:run` (run them). */
  scopes: KeyScope[];
  created_at: string;
  revoked_at: string | null;
}

export type KeyScope = 'inference' | 'agents:write' | 'agents:run';

export interface CreateKeyRequest {
  tenant_id: string;
  project_id?: string;
  name?: string;
  models?: string[];
  rate_limits?: RateLimits;
  /** Default `['inference']`. */
  scopes?: KeyScope[];
  /** A key-scoped budget created with the key. */
  budget?: { limit_usd: string | number; period: BudgetPeriod };
}

export interface CreatedKey extends ApiKey {
  /** The secret: shown in this response only, stored hashed. */
  key: string;
  budget: Budget | null;
}

/** Fields present are changed; `null` clears `name`, `models` (all models allowed). */
export interface UpdateKeyRequest {
  name?: string | null;
  models?: string[] | null;
  rate_limits?: RateLimits;
  scopes?: KeyScope[];
}

export interface Budget {
  id: string;
  scope: BudgetScope;
  tenant_id: string;
  project_id: string | null;
  key_id: string | null;
  limit_usd: string;
  period: BudgetPeriod;
  /** The current period (null bounds for `total`). */
  period_start: string | null;
  period_end: string | null;
  spent_usd: string;
  /** Held by requests in flight. */
  reserved_usd: string;
  remaining_usd: string;
  created_at: string;
}

export interface CreateBudgetRequest {
  scope: BudgetScope;
  tenant_id?: string;
  project_id?: string;
  key_id?: string;
  limit_usd: string | number;
  period: BudgetPeriod;
}

export interface UpdateBudgetRequest {
  limit_usd: string | number;
}

export interface UsageRow {
  /** The value of `group_by` (model name, key id, project id, `YYYY-MM-DD`, hour, agent name, run id) or `all`; null: none (admin traffic). */
  group: string | null;
  requests: number;
  prompt_tokens: number;
  completion_tokens: number;
  cached_tokens: number;
  cost_usd: string;
}

export interface LedgerRow {
  /** Minted by the hub (the `x-request-id` response header). */
  request_id: string;
  /** The client's own `x-client-request-id` / `x-request-id`, when it sent one. */
  client_request_id: string | null;
  tenant_id: string | null;
  project_id: string | null;
  key_id: string | null;
  surface: string;
  model_requested: string;
  model_served: string;
  provider: string | null;
  upstream_model: string | null;
  prompt_tokens: number;
  completion_tokens: number;
  cached_tokens: number;
  cache_write_tokens: number;
  usage_source: 'upstream' | 'tokenizer';
  /** Why the upstream's usage was not billed as reported: invalid (tokenizer count), a sub-count cut to fit, or output past max_tokens (billed at the cap). */
  usage_anomaly: 'invalid_upstream_usage' | 'sub_count_exceeds_total' | 'output_exceeds_max_tokens' | null;
  /** Agent traffic: the agent, run and thread the call was made for. */
  agent: string | null;
  run_id: string | null;
  thread_id: string | null;
  cost_usd: string;
  price_known: boolean;
  latency_ms: number;
  ttfb_ms: number | null;
  status: number;
  error_code: string | null;
  stream: boolean;
  attempts: number;
  created_at: string;
}

export interface LedgerPage extends ListResponse<LedgerRow> {
  /** Pass as `cursor` to get the next (older) page; null when there is none. */
  next_cursor: string | null;
  has_more: boolean;
}

export interface MeUsageResponse {
  key_id: string;
  tenant_id: string;
  project_id: string | null;
  usage: UsageRow[];
  /** Every budget this key's requests are charged to (its own, its project's, its tenant's). */
  budgets: Budget[];
}

/** One admin action, as `GET /admin/v1/audit` returns it. */
export interface AuditEntry {
  id: string;
  at: string;
  /** `admin:<first 12 hex of the admin key's sha256>`; never the key itself. */
  actor: string;
  /** `<target type>.<verb>`: `tenant.create`, `project.create`, `key.create`, `key.update`, `key.revoke`, `budget.create`, `budget.update`, `budget.delete`. */
  action: string;
  target_type: string;
  target_id: string | null;
  tenant_id: string | null;
  request_id: string;
  method: string;
  path: string;
  /** The HTTP status the admin got: failed attempts (400, 404…) are recorded too. */
  status: number;
  error_code: string | null;
  /** The entity before the action, as this API renders it (null for creations and failures before the read). */
  before: unknown;
  /** The response body after a successful action, with secrets (a new key's `key`) removed; null on failure. */
  after: unknown;
}

export interface AuditPage extends ListResponse<AuditEntry> {
  /** Pass as `cursor` to get the next (older) page; null when there is none. */
  next_cursor: string | null;
  has_more: boolean;
}

/**
 * An upstream provider. `source: 'config'` entries come from the config file and are read-only here;
 * `source: 'admin'` ones were created through this API. Secrets are never returned: `has_api_key`
 * and `header_names` say what is set.
 */
export interface UpstreamProvider {
  id: string;
  type: 'openai' | 'anthropic' | 'local' | 'scripted';
  source: 'config' | 'admin';
  preset: string | null;
  base_url: string | null;
  has_api_key: boolean;
  header_names: string[];
  max_connections: number;
  responses_api: boolean;
  /** `unavailable`: stored but not servable (e.g. its secret does not open under this hub's TOKENHUB_SECRET_KEY); see `problem`. */
  status: 'ready' | 'unavailable';
  problem: string | null;
  /** Which TOKENHUB_SECRET_KEY sealed its secrets (null: none stored). */
  secret_key_id: string | null;
  /** The model names that route to it. */
  models: string[];
  created_at: string | null;
  updated_at: string | null;
}

export interface CreateProviderRequest {
  id: string;
  type: 'openai' | 'anthropic';
  preset?: string;
  base_url?: string;
  /** Stored sealed under TOKENHUB_SECRET_KEY; never returned. */
  api_key?: string;
  /** Extra upstream headers; sealed with the API key, since they may carry credentials. */
  headers?: Record<string, string>;
  max_connections?: number;
  responses_api?: boolean;
}

/** Fields present are changed; `null` clears `preset`, `base_url`, `api_key`, `headers`, `responses_api`. */
export interface UpdateProviderRequest {
  preset?: string | null;
  base_url?: string | null;
  api_key?: string | null;
  headers?: Record<string, string> | null;
  max_connections?: number;
  responses_api?: boolean | null;
}

export interface ModelTarget {
  provider: string;
  model: string;
  weight: number;
}

export interface ModelPricing {
  input_per_mtok: string | number;
  output_per_mtok: string | number;
  cached_input_per_mtok?: string | number;
  cache_write_per_mtok?: string | number;
}

/** A model name clients ask for, and how it routes. `source` as for providers. */
export interface RoutedModel {
  name: string;
  kind: 'chat' | 'embedding';
  source: 'config' | 'admin';
  targets: ModelTarget[];
  fallbacks: string[];
  pricing: ModelPricing | null;
  max_output_tokens: number | null;
  context_window: number | null;
  /**
   * `unavailable`: a stored row that does not pass validation (written by an older version, say) is not
   * served; `problem` says why. It can still be read and deleted.
   */
  status: 'ready' | 'unavailable';
  problem: string | null;
  created_at: string | null;
  updated_at: string | null;
}

export interface CreateModelRequest {
  name: string;
  kind?: 'chat' | 'embedding';
  targets: { provider: string; model: string; weight?: number }[];
  fallbacks?: string[];
  pricing?: ModelPricing;
  max_output_tokens?: number;
  context_window?: number;
}

/** Fields present replace the stored ones; `null` clears `pricing`, `max_output_tokens`, `context_window`. */
export interface UpdateModelRequest {
  kind?: 'chat' | 'embedding';
  targets?: { provider: string; model: string; weight?: number }[];
  fallbacks?: string[];
  pricing?: ModelPricing | null;
  max_output_tokens?: number | null;
  context_window?: number | null;
}

/** `POST /admin/v1/secrets/rotate`: every stored secret re-sealed under the current TOKENHUB_SECRET_KEY. */
export interface SecretRotation {
  object: 'secret_rotation';
  key_id: string;
  /** Secrets that were sealed under a previous key and are now sealed under `key_id`. */
  resealed: number;
  /** Providers with stored secrets, all now under `key_id`. */
  providers: number;
  /** Agents' tool secrets that were sealed under a previous key and are now sealed under `key_id`. */
  tool_secrets_resealed: number;
}
