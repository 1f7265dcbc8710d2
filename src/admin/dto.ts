import { picosToUsd } from '../core/index.js';
import type { BudgetStatus } from '../economy/index.js';
import type { ApiKeyRecord, LedgerRow, ProjectRecord, TenantRecord, UsageTotals } from '../storage/index.js';
import type * as Api from './contract.js';

/** Storage records → the API's snake_case shapes, money as decimal USD strings. */
export const tenantDto = (tenant: TenantRecord): Api.Tenant => ({
  id: tenant.id,
  name: tenant.name,
  created_at: tenant.createdAt.toISOString(),
});

export const projectDto = (project: ProjectRecord): Api.Project => ({
  id: project.id,
  tenant_id: project.tenantId,
  name: project.name,
  created_at: project.createdAt.toISOString(),
});

export const keyDto = (key: ApiKeyRecord): Api.ApiKey => ({
  id: key.id,
  tenant_id: key.tenantId,
  project_id: key.projectId,
  name: key.name,
  key_prefix: key.keyPrefix,
  models: key.models,
  rate_limits: {
    ...(key.rateLimits.rpm !== undefined ? { rpm: key.rateLimits.rpm } : {}),
    ...(key.rateLimits.tpm !== undefined ? { tpm: key.rateLimits.tpm } : {}),
    ...(key.rateLimits.maxConcurrency !== undefined ? { max_concurrency: key.rateLimits.maxConcurrency } : {}),
  },
  scopes: key.scopes as Api.KeyScope[],
  user_id: key.userId,
  created_at: key.createdAt.toISOString(),
  revoked_at: key.revokedAt ? key.revokedAt.toISOString() : null,
});

export const budgetDto = (status: BudgetStatus): Api.Budget => ({
  id: status.budget.id,
  scope: status.budget.scope,
  tenant_id: status.budget.tenantId,
  project_id: status.budget.projectId,
  key_id: status.budget.keyId,
  limit_usd: picosToUsd(status.budget.limitPicos),
  period: status.budget.period,
  period_start: status.window.start ? status.window.start.toISOString() : null,
  period_end: status.window.end ? status.window.end.toISOString() : null,
  spent_usd: picosToUsd(status.spent),
  reserved_usd: picosToUsd(status.reserved),
  remaining_usd: picosToUsd(status.remaining),
  created_at: status.budget.createdAt.toISOString(),
});

export const usageDto = (row: UsageTotals): Api.UsageRow => ({
  group: row.group,
  requests: row.requests,
  errors: row.errors,
  prompt_tokens: row.inputTokens,
  completion_tokens: row.outputTokens,
  cached_tokens: row.cachedTokens,
  cost_usd: picosToUsd(row.costPicos),
});

export const ledgerDto = (row: LedgerRow): Api.LedgerRow => ({
  request_id: row.requestId,
  client_request_id: row.clientRequestId,
  tenant_id: row.tenantId,
  project_id: row.projectId,
  key_id: row.keyId,
  surface: row.surface,
  model_requested: row.modelRequested,
  model_served: row.modelServed,
  provider: row.providerId,
  upstream_model: row.upstreamModel,
  prompt_tokens: row.inputTokens,
  completion_tokens: row.outputTokens,
  cached_tokens: row.cachedTokens,
  cache_write_tokens: row.cacheWriteTokens,
  usage_source: row.usageSource,
  usage_anomaly: row.usageAnomaly,
  agent: row.agent,
  run_id: row.runId,
  thread_id: row.threadId,
  workflow: row.workflow,
  usage_kind: row.usageKind ?? 'tokens',
  sandbox_id: row.sandboxId ?? null,
  cpu_ms: row.cpuMs ?? null,
  storage_byte_seconds: row.storageByteSeconds ?? null,
  cost_usd: picosToUsd(row.costPicos),
  price_known: row.priceKnown,
  latency_ms: row.latencyMs,
  ttfb_ms: row.ttfbMs,
  status: row.status,
  error_code: row.errorCode,
  stream: row.stream,
  attempts: row.attempts,
  created_at: row.createdAt.toISOString(),
});
