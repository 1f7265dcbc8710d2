import type { AuditPage, ListResponse, User } from '@contract';
import { api, apiBase, isAdminMode, type Query } from '../../api/client';
import { isRangeId, type RangeId, rangeBounds } from '../../components/time-range';

/** The audit log's filters, as they stand in the URL. */
export interface AuditFilters {
  /** The hub admin's tenant ('' = every tenant and the hub's own entries); ignored for a person. */
  tenant: string;
  range: RangeId;
  from: string;
  to: string;
  actor: string;
  action: string;
  targetType: string;
  targetId: string;
}

const PARAMS: Record<keyof AuditFilters, string> = {
  tenant: 'tenant',
  range: 'range',
  from: 'from',
  to: 'to',
  actor: 'actor',
  action: 'action',
  targetType: 'target_type',
  targetId: 'target_id',
};

export function filtersOf(params: URLSearchParams): AuditFilters {
  const range = params.get('range');
  const value = (name: keyof AuditFilters) => params.get(PARAMS[name]) ?? '';
  return {
    tenant: value('tenant'),
    range: isRangeId(range) ? range : 'all',
    from: value('from'),
    to: value('to'),
    actor: value('actor'),
    action: value('action'),
    targetType: value('targetType'),
    targetId: value('targetId'),
  };
}

export function searchOf(filters: AuditFilters): URLSearchParams {
  const params = new URLSearchParams();
  for (const name of Object.keys(PARAMS) as (keyof AuditFilters)[]) {
    const value = filters[name].trim();
    if (!value || (name === 'range' && value === 'all')) continue;
    if ((name === 'from' || name === 'to') && filters.range !== 'custom') continue;
    params.set(PARAMS[name], value);
  }
  return params;
}

export function auditQuery(filters: AuditFilters, now: number): Query {
  const bounds = rangeBounds(filters.range, filters.from, filters.to, now);
  return {
    ...(isAdminMode() && filters.tenant ? { tenant_id: filters.tenant } : {}),
    actor: filters.actor.trim(),
    action: filters.action.trim(),
    target_type: filters.targetType.trim(),
    target_id: filters.targetId.trim(),
    from: bounds.from,
    to: bounds.to,
  };
}

export const PAGE_SIZE = 50;

export const fetchAuditPage = (query: Query, cursor: string | null, signal?: AbortSignal) =>
  api<AuditPage>(`${apiBase()}/audit`, { query: { ...query, limit: PAGE_SIZE, ...(cursor ? { cursor } : {}) }, ...(signal ? { signal } : {}) });

/** People's names for `user:<id>` actors, as far as the caller may list people. */
export const listUsers = () => api<ListResponse<User>>(`${apiBase()}/users`);

/** What the audit log writes as target types (the filter offers these; any other can be typed in the URL). */
export const TARGET_TYPES = ['tenant', 'project', 'key', 'budget', 'user', 'agent', 'provider', 'model', 'secret', 'app', 'webhook'] as const;
