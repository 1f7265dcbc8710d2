import type { ApiKey, Budget, BudgetPeriod, CreatedKey, KeyScope, ListResponse, Project, RateLimits, RoutedModel, UsageRow, User } from '@contract';
import { api, apiBase } from '../../api/client';

/** A key as either API lists it; `user_id` names a personal key's owner (null: a service key). */
export type KeyRow = ApiKey;

export const KEY_SCOPES: readonly KeyScope[] = ['inference', 'agents:write', 'agents:run'];
export const BUDGET_PERIODS: readonly BudgetPeriod[] = ['total', 'day', 'month'];

/** The hub admin names the tenant; a person's routes take it from their session. */
const tenantQuery = (tenantId: string | null) => (apiBase() === '/admin/v1' && tenantId ? { tenant_id: tenantId } : undefined);

export const keysKey = (tenantId: string | null) => ['keys', apiBase(), tenantId] as const;

export const listKeys = (tenantId: string | null) => api<ListResponse<KeyRow>>(`${apiBase()}/keys`, { query: tenantQuery(tenantId) });
export const getKey = (id: string) => api<KeyRow>(`${apiBase()}/keys/${encodeURIComponent(id)}`);
export const listProjects = (tenantId: string | null) => api<ListResponse<Project>>(`${apiBase()}/projects`, { query: tenantQuery(tenantId) });
export const listUsers = (tenantId: string | null) => api<ListResponse<User>>(`${apiBase()}/users`, { query: tenantQuery(tenantId) });
/** Model names to suggest: the admin API lists the routed models; a person types them. */
export const listModelNames = async (): Promise<string[]> =>
  (await api<ListResponse<RoutedModel>>('/admin/v1/models')).data.filter((model) => model.kind === 'chat').map((model) => model.name);

export interface KeyDraft {
  name: string;
  projectId: string;
  scopes: KeyScope[];
  models: string[];
  rpm: string;
  tpm: string;
  maxConcurrency: string;
  budgetUsd: string;
  budgetPeriod: BudgetPeriod;
}

export const emptyDraft = (): KeyDraft => ({
  name: '',
  projectId: '',
  scopes: ['inference'],
  models: [],
  rpm: '',
  tpm: '',
  maxConcurrency: '',
  budgetUsd: '',
  budgetPeriod: 'month',
});

export const draftOf = (key: KeyRow): KeyDraft => ({
  name: key.name ?? '',
  projectId: key.project_id ?? '',
  scopes: [...key.scopes],
  models: [...(key.models ?? [])],
  rpm: key.rate_limits.rpm?.toString() ?? '',
  tpm: key.rate_limits.tpm?.toString() ?? '',
  maxConcurrency: key.rate_limits.max_concurrency?.toString() ?? '',
  budgetUsd: '',
  budgetPeriod: 'month',
});

/** Blank limits are unset; the hub answers a bad number with a 400 naming the field. */
function limitsOf(draft: KeyDraft): RateLimits {
  const number = (text: string) => (text.trim() === '' ? undefined : Number(text.trim()));
  const rpm = number(draft.rpm);
  const tpm = number(draft.tpm);
  const maxConcurrency = number(draft.maxConcurrency);
  return {
    ...(rpm !== undefined ? { rpm } : {}),
    ...(tpm !== undefined ? { tpm } : {}),
    ...(maxConcurrency !== undefined ? { max_concurrency: maxConcurrency } : {}),
  };
}

export function createKey(tenantId: string | null, draft: KeyDraft): Promise<CreatedKey> {
  const admin = apiBase() === '/admin/v1';
  const budget = draft.budgetUsd.trim();
  return api<CreatedKey>(`${apiBase()}/keys`, {
    method: 'POST',
    body: {
      ...(admin && tenantId ? { tenant_id: tenantId } : {}),
      ...(draft.projectId ? { project_id: draft.projectId } : {}),
      ...(draft.name.trim() ? { name: draft.name.trim() } : {}),
      ...(draft.models.length > 0 ? { models: draft.models } : {}),
      rate_limits: limitsOf(draft),
      scopes: draft.scopes,
      // The limit stays the decimal string typed: money never passes through a float.
      ...(budget ? { budget: { limit_usd: budget, period: draft.budgetPeriod } } : {}),
    },
  });
}

export function updateKey(id: string, draft: KeyDraft): Promise<KeyRow> {
  return api<KeyRow>(`${apiBase()}/keys/${encodeURIComponent(id)}`, {
    method: 'PATCH',
    body: {
      name: draft.name.trim() ? draft.name.trim() : null,
      models: draft.models.length > 0 ? draft.models : null,
      rate_limits: limitsOf(draft),
      scopes: draft.scopes,
    },
  });
}

export const revokeKey = (id: string) => api<KeyRow>(`${apiBase()}/keys/${encodeURIComponent(id)}`, { method: 'DELETE' });

export const keyUsage = (id: string) => api<ListResponse<UsageRow>>(`${apiBase()}/usage`, { query: { key_id: id, group_by: 'day' } });
export const keyBudgets = (id: string) => api<ListResponse<Budget>>(`${apiBase()}/budgets`, { query: { key_id: id } });
export const createKeyBudget = (keyId: string, limitUsd: string, period: BudgetPeriod) =>
  api<Budget>(`${apiBase()}/budgets`, { method: 'POST', body: { scope: 'key', key_id: keyId, limit_usd: limitUsd, period } });
export const deleteBudget = (id: string) => api<{ id: string; deleted: true }>(`${apiBase()}/budgets/${encodeURIComponent(id)}`, { method: 'DELETE' });
