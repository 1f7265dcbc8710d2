import type { ApiKey, BodyLogging, LedgerPage, ListResponse, RequestBodies } from '@contract';
import { api, apiBase, errorOf, isAdminMode, type Query, requestHeaders, withQuery } from '../../api/client';
import { isRangeId, type RangeId, rangeBounds } from '../../components/time-range';

/** The request log's filters, as they stand in the URL (`?model=…&status=error`), so a view can be shared. */
export interface LedgerFilters {
  /** The hub admin's tenant ('' = every tenant); ignored for a person. */
  tenant: string;
  range: RangeId;
  /** `custom` range: `datetime-local` values, read as UTC. */
  from: string;
  to: string;
  key: string;
  model: string;
  status: '' | 'success' | 'error';
  agent: string;
  request: string;
}

export const FILTER_NAMES = ['tenant', 'range', 'from', 'to', 'key', 'model', 'status', 'agent', 'request'] as const;

export function filtersOf(params: URLSearchParams): LedgerFilters {
  const range = params.get('range');
  const status = params.get('status');
  return {
    tenant: params.get('tenant') ?? '',
    range: isRangeId(range) ? range : 'all',
    from: params.get('from') ?? '',
    to: params.get('to') ?? '',
    key: params.get('key') ?? '',
    model: params.get('model') ?? '',
    status: status === 'success' || status === 'error' ? status : '',
    agent: params.get('agent') ?? '',
    request: params.get('request') ?? '',
  };
}

/** The URL query of a set of filters (defaults left out, so a plain link is the plain view). */
export function searchOf(filters: LedgerFilters): URLSearchParams {
  const params = new URLSearchParams();
  for (const name of FILTER_NAMES) {
    const value = filters[name].trim();
    if (!value || (name === 'range' && value === 'all')) continue;
    if ((name === 'from' || name === 'to') && filters.range !== 'custom') continue;
    params.set(name, value);
  }
  return params;
}

/**
 * The API query of the filters; relative ranges (`24h`) become bounds at `now`, fixed once per page load
 * so that every next page of the same view asks for the same rows.
 */
export function ledgerQuery(filters: LedgerFilters, now: number): Query {
  const bounds = rangeBounds(filters.range, filters.from, filters.to, now);
  return {
    ...(isAdminMode() && filters.tenant ? { tenant_id: filters.tenant } : {}),
    key_id: filters.key.trim(),
    model: filters.model.trim(),
    status: filters.status,
    agent: filters.agent.trim(),
    request_id: filters.request.trim(),
    from: bounds.from,
    to: bounds.to,
  };
}

export const PAGE_SIZE = 50;

/** One page of the ledger: exactly one API call. */
export const fetchLedgerPage = (query: Query, cursor: string | null, signal?: AbortSignal) =>
  api<LedgerPage>(`${apiBase()}/ledger`, { query: { ...query, limit: PAGE_SIZE, ...(cursor ? { cursor } : {}) }, ...(signal ? { signal } : {}) });

/** The CSV export of the same filters (every matching row, streamed by the hub). */
export const csvUrl = (query: Query): string => withQuery(`${apiBase()}/ledger`, { ...query, format: 'csv' });

/**
 * The hub admin's key is a header, not a cookie, so a plain link cannot carry it: the export is fetched
 * and handed to the browser as a file. A person's cookie rides on a plain link (see the page).
 */
export async function downloadCsv(query: Query): Promise<void> {
  const response = await fetch(csvUrl(query), { headers: { ...requestHeaders(), accept: 'text/csv' }, credentials: 'same-origin' });
  if (!response.ok) throw await errorOf(response);
  const url = URL.createObjectURL(await response.blob());
  const link = document.createElement('a');
  link.href = url;
  link.download = 'tokenhub-ledger.csv';
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/** A call's kept bodies; null when none were kept (404). */
export async function fetchBodies(requestId: string): Promise<RequestBodies | null> {
  try {
    return await api<RequestBodies>(`${apiBase()}/ledger/${encodeURIComponent(requestId)}/body`);
  } catch (error) {
    if ((error as { status?: number }).status === 404) return null;
    throw error;
  }
}

export const fetchBodyLogging = (keyId: string) => api<BodyLogging>(`${apiBase()}/keys/${encodeURIComponent(keyId)}/body-logging`);

export const setBodyLogging = (keyId: string, enabled: boolean, retentionDays: number) =>
  api<BodyLogging>(`${apiBase()}/keys/${encodeURIComponent(keyId)}/body-logging`, {
    method: 'PUT',
    body: { enabled, retention_days: retentionDays },
  });

/** The keys the caller may read, for the key filter's names (the admin's: the chosen tenant's, or every tenant's). */
export const listKeys = (tenant: string) =>
  api<ListResponse<ApiKey>>(`${apiBase()}/keys`, { query: isAdminMode() && tenant ? { tenant_id: tenant } : undefined });
