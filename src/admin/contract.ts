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
  /** The person a personal key belongs to (its scopes follow their role); null for a service key. */
  user_id: string | null;
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
  /** Every call, the failed ones included. */
  requests: number;
  /** Failed calls among `requests`: HTTP status 400 and above (client aborts, 499, included). */
  errors: number;
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
  /** Workflow traffic: the workflow whose run made the call (`run_id`). */
  workflow: string | null;
  /** `tokens` (model calls) or `sandbox` (a sandbox's CPU time or storage). */
  usage_kind: 'tokens' | 'sandbox';
  /** Sandbox usage: the sandbox, its code's CPU time (ms) and its files' bytes × seconds kept. */
  sandbox_id: string | null;
  cpu_ms: number | null;
  storage_byte_seconds: number | null;
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

// --- People (`/v1/users`, `/admin/v1/users`): the console's Users and roles page ---

export type UserRole = 'owner' | 'developer' | 'operator' | 'viewer';

/** A person of a tenant, never with their password or its hash. */
export interface User {
  id: string;
  object: 'user';
  tenant_id: string;
  email: string;
  name: string;
  role: UserRole;
  has_password: boolean;
  disabled: boolean;
  /** Present while disabled. */
  disabled_at?: string;
  created_at: string;
  updated_at: string;
}

/** `POST /v1/users` (the admin's `POST /admin/v1/users` adds `tenant_id`). */
export interface CreateUserRequest {
  email: string;
  name: string;
  role: UserRole;
  /** Without one the person cannot sign in with a password (single sign-on, or keys only). */
  password?: string;
}

/** A new user with their first personal key: the secret in `key`, shown in this response only. */
export interface CreatedUser extends User {
  key: string;
  key_id: string;
}

/** Fields present are changed; disabling revokes the person's keys and ends their sessions. */
export interface UpdateUserRequest {
  role?: UserRole;
  name?: string;
  password?: string;
  disabled?: boolean;
}

/** `POST /v1/users/:id/keys`: another personal key, its scopes following the person's role; the secret in `key`, shown once. */
export interface PersonalKey {
  id: string;
  object: 'api_key';
  name: string | null;
  key: string;
  key_prefix: string;
  scopes: KeyScope[];
  user_id: string;
  created_at: string;
}

// ---- Inbox and Division of labour (`/v1/inbox/*`; the console's Inbox and Division of labour pages) ----

export type InboxTaskKind = 'handoff' | 'approval';
export type InboxTaskStatus = 'open' | 'claimed' | 'resolved' | 'returned' | 'cancelled';
export type InboxTaskPriority = 'low' | 'normal' | 'high' | 'urgent';

/** A hand-off or approval task as `/v1/inbox/tasks` shows it. */
export interface InboxTask {
  id: string;
  object: 'inbox.task';
  kind: InboxTaskKind;
  status: InboxTaskStatus;
  /** The hub's reasons (`transfer_to_human`, `needs_attention`, `approval`, …) or the agent's own words. */
  reason: string;
  priority: InboxTaskPriority;
  queue: string;
  skills: string[];
  subject: string;
  summary: string;
  agent: string | null;
  thread_id: string | null;
  run_id: string | null;
  /** Approvals only: the call waiting for a decision. */
  call?: { id: string | null; name: string | null; arguments: unknown };
  /** The holder's user id while claimed. */
  assignee: string | null;
  lease_expires_at: string | null;
  due_at: string | null;
  sla_breached: boolean;
  first_response_at: string | null;
  claimed_at: string | null;
  closed_at: string | null;
  resolution: string | null;
  created_at: string;
  updated_at: string;
}

export interface InboxTaskPage extends ListResponse<InboxTask> {
  has_more: boolean;
  /** The tenant's latest event number, read before the page: follow `/v1/inbox/events?after=` from it. */
  last_event_seq: string;
}

export interface InboxEvent {
  /** Decimal string (a bigint): the SSE `id:`. */
  seq: string;
  type: string;
  task_id: string;
  /** `user:<id>`, `agent:<name>`, `customer` or `system`. */
  actor: string | null;
  data: Record<string, unknown>;
  at: string;
}

/** One SSE `data:` of `/v1/inbox/events`: the event and the task as it now stands. */
export interface InboxStreamEvent extends InboxEvent {
  task?: InboxTask;
}

export interface InboxTranscriptMessage {
  id: string;
  /** `user` (the customer), `assistant` (the agent), `human` (a person), `note` (a note to the agent). */
  role: 'user' | 'assistant' | 'human' | 'note';
  author?: string;
  content: unknown;
  created_at: string;
}

/** A step of a run as `/v1/runs/:id` shows it (model calls, tool calls). */
export interface InboxRunStep {
  seq: number;
  kind: string;
  name: string;
  status: string;
  input: Record<string, unknown> | null;
  output: Record<string, unknown> | null;
  error: Record<string, unknown> | null;
  attempts: number;
  started_at: string;
  finished_at: string | null;
  duration_ms: number | null;
}

export interface InboxRun {
  id: string;
  object: 'agent.run';
  agent: string;
  version: number;
  thread_id: string | null;
  status: string;
  output: Record<string, unknown> | null;
  error: Record<string, unknown> | null;
  usage: { input_tokens: number; output_tokens: number; cost_usd: string; model_calls: number };
  pending_approvals?: unknown[];
  created_at: string;
  finished_at: string | null;
  steps?: InboxRunStep[];
}

/** `GET /v1/inbox/tasks/:id`: the task, its conversation, its run with steps, and its history. */
export interface InboxTaskDetail extends InboxTask {
  transcript: InboxTranscriptMessage[];
  run: InboxRun | null;
  events: InboxEvent[];
}

/** `POST /v1/inbox/tasks/:id/tools/:name`. */
export interface InboxToolResult {
  object: 'inbox.tool_result';
  call_id: string;
  tool: string;
  result?: unknown;
  error?: string;
  handoff?: unknown;
}

/** The measures of one agent on one UTC day (`day`), or over the whole window (`day` null). */
export interface InboxStatsRow {
  agent: string | null;
  day: string | null;
  conversations: number;
  closed_by_agent: number;
  containment: number | null;
  handoffs: { total: number; by_reason: Record<string, number> };
  approvals: { total: number; approved: number; rejected: number };
  time_to_first_human_response_s: { median: number | null; p90: number | null; samples: number };
  human_handling_s: { median: number | null; samples: number };
  resolved_conversations: number;
  tokens: { total: number; per_resolved_conversation: number | null };
  cost_usd: { total: string; per_resolved_conversation: string | null };
  sla_breaches: number;
}

/** `GET /v1/inbox/stats` and `GET /admin/v1/inbox/stats?tenant_id=`. */
export interface InboxStats {
  object: 'inbox.stats';
  tenant_id: string;
  from: string;
  to: string;
  agent: string | null;
  data: InboxStatsRow[];
  totals: InboxStatsRow[];
}

// --- Providers and models: health and connection tests (`/admin/v1/providers/:id/health`, `…/test`); the Playground (`/v1/playground/*`) ---

/** `closed`: requests flow; `open`: none go to the target until its cool-down ends; `half_open`: one trial is let through. */
export type BreakerStateName = 'closed' | 'open' | 'half_open';

/** One routing target (`provider/model`) of a provider, as the breaker of the replica that answered sees it. */
export interface TargetHealth {
  /** `provider/upstream model`, the breaker's key. */
  target: string;
  upstream_model: string;
  /** The routed model names that send to this target. */
  models: string[];
  breaker: BreakerStateName;
  /** When the breaker entered its state; null for a target no request has tried yet on this replica. */
  since: string | null;
  consecutive_failures: number;
  /** Over the latest (up to 100) attempts on this replica. */
  recent_attempts: number;
  recent_failures: number;
  /** The latest failure's message (never the provider's credentials). */
  last_error: string | null;
  last_failure_at: string | null;
}

/** `GET /admin/v1/providers/:id/health`: read-only, this replica's view (breakers are per replica). */
export interface ProviderHealth {
  object: 'provider_health';
  provider: string;
  /** Served, or stored but unservable (see `problem`). */
  status: 'ready' | 'unavailable';
  problem: string | null;
  /** The worst of its targets' breakers (`closed` when it has none). */
  breaker: BreakerStateName;
  targets: TargetHealth[];
}

/** `POST /admin/v1/providers/:id/test` and `POST /admin/v1/providers/test`. */
export interface ProviderTestRequest {
  /** The upstream model to ask; default: the first chat model that routes to the provider. */
  model?: string;
  /** Default 10,000; at most 60,000. */
  timeout_ms?: number;
}

/** A provider not saved yet, tested as it would be created (the address policy applies). */
export interface ProviderDraftTestRequest extends ProviderTestRequest {
  type: 'openai' | 'anthropic';
  preset?: string;
  base_url?: string;
  api_key?: string;
  headers?: Record<string, string>;
  model: string;
}

/**
 * One tiny real request (a 1-token chat completion) through the provider, metered to no tenant and
 * outside the router (no retries, no breaker). The provider's key is never in it.
 */
export interface ProviderTestResult {
  object: 'provider_test';
  /** Null for a draft. */
  provider: string | null;
  model: string;
  ok: boolean;
  latency_ms: number;
  /** The upstream's HTTP status when it answered (200 when ok); null when it could not be reached or timed out. */
  status: number | null;
  error: { code: string; message: string } | null;
}

/** `POST /v1/playground/key`: the signed-in person's console playground key (the previous one is revoked). */
export interface PlaygroundKey {
  object: 'playground_key';
  /** The secret, shown this once; the console keeps it in the tab's sessionStorage. */
  key: string;
  key_id: string;
  key_prefix: string;
  name: string;
  scopes: string[];
  /** How many earlier playground keys of this person were revoked. */
  revoked: number;
}

// ---- Agents and Runs (`/v1/agents`, `/admin/v1/agents`, `/v1/runs`; the console's Agents and Runs pages) ----

/** A tool in an agent definition; `type` says which fields the rest holds (see docs/agents.md). */
export interface AgentToolDefinition {
  type: 'builtin' | 'http' | 'mcp' | 'agent' | 'app';
  name: string;
  approval?: 'never' | 'always';
  idempotent?: boolean;
  [field: string]: unknown;
}

export interface AgentLimits {
  max_turns: number;
  max_tool_calls: number;
  /** Decimal USD; absent: no per-run limit. */
  max_cost_usd?: string | number;
  timeout_s: number;
}

/** An agent as its owner writes it (`POST /v1/agents`, `PUT /v1/agents/:name`). */
export interface AgentDefinition {
  name: string;
  model: string;
  instructions?: string;
  tools?: AgentToolDefinition[];
  handoffs?: string[];
  output_schema?: Record<string, unknown>;
  limits?: Partial<AgentLimits>;
  escalation?: Record<string, unknown>;
  metadata?: Record<string, unknown>;
}

/** An agent at its active version, as `GET /v1/agents` lists it. `config`: from the config file, read-only. */
export interface Agent extends AgentDefinition {
  object: 'agent';
  source: 'config' | 'api';
  active_version: number;
  latest_version: number;
  created_at: string | null;
  updated_at: string | null;
}

export interface AgentVersion {
  version: number;
  definition: AgentDefinition;
  created_at: string;
}

export type RunStatus =
  | 'queued'
  | 'running'
  | 'waiting_approval'
  | 'handed_off'
  | 'needs_attention'
  | 'completed'
  | 'failed'
  | 'cancelled'
  | 'budget_exceeded'
  | 'max_turns';

/** Exactly the run's ledger rows and those of the runs it started (agent tools). */
export interface RunUsage {
  input_tokens: number;
  output_tokens: number;
  cost_usd: string;
  model_calls: number;
}

/** A run as `GET /v1/runs` lists it. */
export interface RunSummary {
  id: string;
  object: 'agent.run';
  agent: string;
  version: number;
  status: RunStatus;
  parent_run_id: string | null;
  thread_id: string | null;
  error: Record<string, unknown> | null;
  usage: RunUsage;
  steps: number;
  created_at: string;
  finished_at: string | null;
}

export interface RunPage extends ListResponse<RunSummary> {
  /** Pass as `cursor` for the next (older) page; null when there is none. */
  next_cursor: string | null;
  has_more: boolean;
}

/** A model step's ledger rows: null while none is on the ledger yet. */
export interface RunStepUsage {
  model: string;
  input_tokens: number;
  output_tokens: number;
  cost_usd: string;
  latency_ms: number;
  requests: number;
}

/** A step of a run: a model call (`input.turn`; `output.content`, `output.tool_calls`) or a tool call (`input.arguments`; `output.type` result|error). */
export interface RunStep extends InboxRunStep {
  usage?: RunStepUsage | null;
}

export interface PendingApproval {
  call_id: string;
  tool: string;
  arguments: Record<string, unknown>;
}

/** `GET /v1/runs/:id`. */
export interface Run {
  id: string;
  object: 'agent.run';
  agent: string;
  version: number;
  thread_id: string | null;
  status: RunStatus;
  output: { text?: string; json?: unknown; [field: string]: unknown } | null;
  error: { code?: string; message?: string; [field: string]: unknown } | null;
  usage: RunUsage;
  pending_approvals?: PendingApproval[];
  metadata: Record<string, unknown>;
  created_at: string;
  finished_at: string | null;
  steps?: RunStep[];
}

/** One SSE `data:` of `/v1/runs/:id/events` (`id:` is `seq`; resume with `Last-Event-ID`). */
export interface RunEvent {
  seq: number;
  type: string;
  [field: string]: unknown;
}

// ── Overview: usage series and budgets' burn-down (`GET /admin/v1/usage?interval=…`, `GET /admin/v1/usage/budgets`, and `/v1/…`) ──

export type UsageInterval = 'hour' | 'day' | 'month';
/** What a series is split by; null groups are calls without that value (no key: admin traffic; no agent: not agent traffic). */
export type UsageSeriesGroupBy = 'model' | 'key' | 'project' | 'agent' | 'none';

export interface UsageCounts {
  /** Every call, the failed ones included. */
  requests: number;
  /** Failed calls among `requests`: HTTP status 400 and above (client aborts, 499, included). */
  errors: number;
  prompt_tokens: number;
  completion_tokens: number;
  cached_tokens: number;
  cost_usd: string;
  /** Of successful calls, estimated from the rollups' latency histograms (within `latency_relative_error`); null without any. */
  latency_p50_ms: number | null;
  latency_p99_ms: number | null;
}

export interface UsageSeriesGroup extends UsageCounts {
  /** The value of `group_by` (`all` for none); null: calls without it, or the `other` group. */
  group: string | null;
  /** The groups past `top`, added up. */
  other: boolean;
}

export interface UsageSeriesPoint extends UsageSeriesGroup {
  /** Start of the bucket (ISO 8601, UTC). */
  bucket: string;
}

/** `GET /admin/v1/usage` with `interval`: one row per bucket and group that saw calls (empty buckets are absent). */
export interface UsageSeries extends ListResponse<UsageSeriesPoint> {
  interval: UsageInterval;
  group_by: UsageSeriesGroupBy;
  /** The range covered: `from` rounded down and `to` up to the hour (the first and last bucket may be partial). */
  from: string;
  to: string;
  /** Each group over the range, the biggest spender first (`other` last). */
  groups: UsageSeriesGroup[];
  totals: UsageCounts;
  /** Bound of the latency estimates' relative error (0.19: within 19 % of the exact percentile). */
  latency_relative_error: number;
}

/** `GET /admin/v1/usage/budgets`: a budget and its burn-down at the last 24 hours' rate. */
export interface BudgetBurnDown {
  budget: Budget;
  /** Start of the rate window: the hour 23 hours before the current one (the window runs until now: 23 to 24 hours). */
  rate_window_start: string;
  /** What the budget's scope spent in the rate window. */
  recent_spend_usd: string;
  /** That spend per 24 hours. */
  rate_usd_per_day: string;
  /** Nothing left: limit − spent − reserved is zero. */
  exhausted: boolean;
  /** When spent reaches the limit at that rate; null when exhausted already, nothing was spent lately, or the period ends first. */
  runs_out_at: string | null;
  /** Spent by the period's end at that rate; null for a `total` budget. */
  projected_usd: string | null;
}

// --- Request log (`/v1/ledger`, `/admin/v1/ledger`): opt-in request and response bodies ---

/** `PUT …/keys/{id}/body-logging` and `PUT …/projects/{id}/body-logging`. */
export interface BodyLoggingRequest {
  /** `false` on a key opts it out of its project's retention. */
  enabled: boolean;
  /** How long a kept body stays: 1 to 365 days (default 30). */
  retention_days?: number;
}

/** A key's or a project's body retention (`GET …/keys/{id}/body-logging`, `…/projects/{id}/body-logging`). */
export interface BodyLogging {
  object: 'body_logging';
  scope: 'key' | 'project';
  id: string;
  tenant_id: string;
  /** Its own setting; null: none (a key then follows its project's). */
  setting: { enabled: boolean; retention_days: number; updated_at: string } | null;
  /** What its calls get now: a key's own setting, else its project's (`source`); off when neither has one. */
  effective: { enabled: boolean; retention_days: number | null; source: 'key' | 'project' | null };
  /** Each kept body (request, response) holds at most this many bytes of UTF-8, redacted; the rest is cut. */
  max_body_bytes: number;
}

/** `GET …/ledger/{request_id}/body`: one call's kept bodies, redacted (keys, bearer tokens, JWTs, passwords, emails masked). */
export interface RequestBodies {
  object: 'request_bodies';
  request_id: string;
  tenant_id: string;
  key_id: string | null;
  created_at: string;
  /** When the retention sweep deletes them. */
  expires_at: string;
  /** The request's JSON. */
  request: { body: string; truncated: boolean };
  /** `json`: the response body; `stream`: the text its events carried, assembled; `text`: anything else. */
  response: { body: string; truncated: boolean; kind: 'json' | 'stream' | 'text' };
}
