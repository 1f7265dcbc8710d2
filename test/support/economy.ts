import type { CreatedKey, LedgerPage, LedgerRow, Tenant } from '../../src/admin/contract.js';
import type { TestHub } from './hub.js';

/** Calls the admin API of a test hub with its admin key; throws on a non-2xx answer. */
export async function admin<T>(hub: TestHub, method: string, path: string, body?: unknown): Promise<T> {
  const response = await fetch(`${hub.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${hub.adminKey}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path} → ${response.status}: ${text}`);
  return JSON.parse(text) as T;
}

export async function createTenant(hub: TestHub, name: string): Promise<Tenant> {
  return admin<Tenant>(hub, 'POST', '/admin/v1/tenants', { name });
}

export async function createKey(hub: TestHub, body: Record<string, unknown>): Promise<CreatedKey> {
  return admin<CreatedKey>(hub, 'POST', '/admin/v1/keys', body);
}

/** Every ledger row of the hub (journal flushed first), newest first. */
export async function ledgerRows(hub: TestHub): Promise<LedgerRow[]> {
  await hub.hub.economy.flush();
  const rows: LedgerRow[] = [];
  let cursor: string | null = null;
  do {
    const page: LedgerPage = await admin<LedgerPage>(
      hub,
      'GET',
      `/admin/v1/ledger?limit=500${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
    );
    rows.push(...page.data);
    cursor = page.next_cursor;
  } while (cursor);
  return rows;
}

export async function ledgerRow(hub: TestHub, requestId: string): Promise<LedgerRow> {
  const row = (await ledgerRows(hub)).find((candidate) => candidate.request_id === requestId);
  if (!row) throw new Error(`no ledger row for ${requestId}`);
  return row;
}

/** The one ledger row carrying the client's own request id (`x-client-request-id`). */
export async function ledgerRowByClientId(hub: TestHub, clientRequestId: string): Promise<LedgerRow> {
  const rows = (await ledgerRows(hub)).filter((candidate) => candidate.client_request_id === clientRequestId);
  if (rows.length !== 1) throw new Error(`${rows.length} ledger rows for client id ${clientRequestId}`);
  return rows[0] as LedgerRow;
}
