import { ADMIN_KEY, PRICE_INPUT_PER_MTOK, PRICE_OUTPUT_PER_MTOK } from './hub.js';
import type { UpstreamCounters } from './upstream.js';

/** The credentials one measured run uses. */
export type RunAccount = { kind: 'virtual-key'; key: string; tenantId: string } | { kind: 'admin-key'; key: string; reason: string };

async function adminPost(origin: string, path: string, body: unknown): Promise<{ status: number; json: unknown; text: string }> {
  const response = await fetch(`${origin}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(10_000),
  });
  const text = await response.text();
  let json: unknown = null;
  try {
    json = JSON.parse(text);
  } catch {
    json = null;
  }
  return { status: response.status, json, text };
}

const field = (value: unknown, name: string): unknown =>
  value && typeof value === 'object' ? (value as Record<string, unknown>)[name] : undefined;

/**
 * A fresh tenant and virtual key (with rate limits far above the offered load and a budget far above
 * the spend, so both are checked on every request but never refuse), through the admin API. Falls
 * back to the admin key, with the reason, while that API is not there.
 */
export async function provisionAccount(origin: string, label: string): Promise<RunAccount> {
  const tenant = await adminPost(origin, '/admin/v1/tenants', { name: `bench-${label}-${Date.now().toString(36)}` });
  if (tenant.status === 404)
    return { kind: 'admin-key', key: ADMIN_KEY, reason: 'POST /admin/v1/tenants answered 404 (economy admin API not registered)' };
  const tenantId = field(tenant.json, 'id') ?? field(field(tenant.json, 'tenant'), 'id');
  if (tenant.status >= 300 || typeof tenantId !== 'string') {
    return { kind: 'admin-key', key: ADMIN_KEY, reason: `POST /admin/v1/tenants → ${tenant.status} ${tenant.text.slice(0, 200)}` };
  }
  const keyBody = {
    tenant_id: tenantId,
    rate_limits: { rpm: 1_000_000, tpm: 1_000_000_000 },
    budget: { limit_usd: '1000000', period: 'month' },
  };
  const created = await adminPost(origin, '/admin/v1/keys', keyBody);
  const key = field(created.json, 'key');
  if (created.status >= 300 || typeof key !== 'string') {
    return { kind: 'admin-key', key: ADMIN_KEY, reason: `POST /admin/v1/keys → ${created.status} ${created.text.slice(0, 200)}` };
  }
  return { kind: 'virtual-key', key, tenantId };
}

export interface LedgerCheck {
  upstream: { responses: number; promptTokens: number; completionTokens: number; costUsd: string };
  ledger: { promptTokens: number; completionTokens: number; costUsd: string } | null;
  diff: { promptTokens: number; completionTokens: number; costPicos: string } | null;
  exact: boolean;
  note: string | null;
}

const PICOS_PER_USD = 1_000_000_000_000n;

/** Picodollars per token from a USD/Mtok decimal string (exact: ≤ 6 decimals). */
function picosPerToken(usdPerMtok: string): bigint {
  const [whole = '0', fraction = ''] = usdPerMtok.split('.');
  return BigInt(whole) * 1_000_000n + BigInt(fraction.padEnd(6, '0').slice(0, 6));
}

export function usdToPicos(value: unknown): bigint | null {
  const text = typeof value === 'number' ? value.toFixed(12) : typeof value === 'string' ? value.trim() : null;
  if (text === null || !/^-?\d+(\.\d+)?$/.test(text)) return null;
  const negative = text.startsWith('-');
  const [whole = '0', fraction = ''] = text.replace('-', '').split('.');
  const picos = BigInt(whole) * PICOS_PER_USD + BigInt(fraction.padEnd(12, '0').slice(0, 12));
  return negative ? -picos : picos;
}

export function picosToUsd(picos: bigint): string {
  const sign = picos < 0n ? '-' : '';
  const absolute = picos < 0n ? -picos : picos;
  return `${sign}${absolute / PICOS_PER_USD}.${(absolute % PICOS_PER_USD).toString().padStart(12, '0')}`;
}

interface LedgerTotals {
  promptTokens: number;
  completionTokens: number;
  costPicos: bigint;
}

async function readUsage(origin: string, tenantId: string): Promise<LedgerTotals | string> {
  const response = await fetch(`${origin}/admin/v1/usage?tenant_id=${encodeURIComponent(tenantId)}&group_by=model`, {
    headers: { authorization: `Bearer ${ADMIN_KEY}` },
    signal: AbortSignal.timeout(10_000),
  });
  if (!response.ok) return `GET /admin/v1/usage → ${response.status}`;
  const body = (await response.json()) as unknown;
  const rows = Array.isArray(body) ? body : (field(body, 'data') ?? field(body, 'rows') ?? field(body, 'usage'));
  if (!Array.isArray(rows)) return 'GET /admin/v1/usage: no rows array in the answer';
  const totals: LedgerTotals = { promptTokens: 0, completionTokens: 0, costPicos: 0n };
  for (const row of rows) {
    totals.promptTokens += Number(field(row, 'prompt_tokens') ?? 0);
    totals.completionTokens += Number(field(row, 'completion_tokens') ?? 0);
    totals.costPicos += usdToPicos(field(row, 'cost_usd')) ?? 0n;
  }
  return totals;
}

/**
 * Compares what the ledger billed the run's tenant with what the upstream reported. The journal is
 * group-committed, so the ledger is polled until it matches or stops moving (at most `waitMs`).
 */
export async function checkLedger(origin: string, account: RunAccount, upstream: UpstreamCounters, waitMs = 6_000): Promise<LedgerCheck> {
  const expectedPicos =
    BigInt(upstream.promptTokens) * picosPerToken(PRICE_INPUT_PER_MTOK) +
    BigInt(upstream.completionTokens) * picosPerToken(PRICE_OUTPUT_PER_MTOK);
  const expected = {
    responses: upstream.reported,
    promptTokens: upstream.promptTokens,
    completionTokens: upstream.completionTokens,
    costUsd: picosToUsd(expectedPicos),
  };
  if (account.kind === 'admin-key')
    return { upstream: expected, ledger: null, diff: null, exact: false, note: `not checked: ${account.reason}` };
  const deadline = Date.now() + waitMs;
  let last: LedgerTotals | string = 'not read';
  let stableSince = Date.now();
  for (;;) {
    const totals = await readUsage(origin, account.tenantId);
    if (typeof totals === 'string') return { upstream: expected, ledger: null, diff: null, exact: false, note: totals };
    const matches =
      totals.promptTokens === upstream.promptTokens &&
      totals.completionTokens === upstream.completionTokens &&
      totals.costPicos === expectedPicos;
    const moved =
      typeof last === 'string' || last.promptTokens !== totals.promptTokens || last.completionTokens !== totals.completionTokens;
    if (moved) stableSince = Date.now();
    last = totals;
    if (matches || Date.now() > deadline || Date.now() - stableSince > 2_000) {
      return {
        upstream: expected,
        ledger: { promptTokens: totals.promptTokens, completionTokens: totals.completionTokens, costUsd: picosToUsd(totals.costPicos) },
        diff: {
          promptTokens: totals.promptTokens - upstream.promptTokens,
          completionTokens: totals.completionTokens - upstream.completionTokens,
          costPicos: (totals.costPicos - expectedPicos).toString(),
        },
        exact: matches,
        note: null,
      };
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
