import { isStorableText } from '../core/index.js';
import type { LedgerEntry } from '../storage/index.js';

const INT4_MAX = 2_147_483_647;
/** cost_picos is numeric(38, 0). */
const COST_LIMIT = 10n ** 38n;

const isCount = (value: unknown): boolean => typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
const isInt4 = (value: unknown): boolean => typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= INT4_MAX;
/** Durations are rounded to whole milliseconds when written. */
const isMillis = (value: unknown): boolean => typeof value === 'number' && Number.isFinite(value) && value >= 0 && value < INT4_MAX;
const isText = (value: unknown, optional: boolean): boolean =>
  (optional && value === null) || (typeof value === 'string' && isStorableText(value));

/**
 * Why an entry can never be written to the ledger (a journal line from a bug, an older hub, or a disk
 * that flipped bits), or null when it is well-formed. Such an entry is quarantined, not retried forever.
 */
export function ledgerEntryProblem(entry: LedgerEntry): string | null {
  if (!isText(entry.requestId, false) || entry.requestId.length === 0) return 'request id is not a text';
  for (const field of ['inputTokens', 'outputTokens', 'cachedTokens', 'cacheWriteTokens'] as const) {
    if (!isCount(entry[field])) return `${field} is not a non-negative safe integer: ${String(entry[field])}`;
  }
  for (const field of ['status', 'attempts'] as const) {
    if (!isInt4(entry[field])) return `${field} is out of range: ${String(entry[field])}`;
  }
  if (!isMillis(entry.latencyMs)) return `latencyMs is out of range: ${String(entry.latencyMs)}`;
  if (entry.ttfbMs !== null && !isMillis(entry.ttfbMs)) return `ttfbMs is out of range: ${String(entry.ttfbMs)}`;
  if (typeof entry.costPicos !== 'bigint' || entry.costPicos < 0n || entry.costPicos >= COST_LIMIT) return 'cost is out of range';
  if (!(entry.createdAt instanceof Date) || Number.isNaN(entry.createdAt.getTime())) return 'created_at is not a time';
  for (const field of ['surface', 'modelRequested', 'modelServed'] as const) {
    if (!isText(entry[field], false)) return `${field} is not a storable text`;
  }
  for (const field of [
    'clientRequestId',
    'tenantId',
    'projectId',
    'keyId',
    'providerId',
    'upstreamModel',
    'errorCode',
    'agent',
    'runId',
    'threadId',
  ] as const) {
    if (!isText(entry[field], true)) return `${field} is not a storable text`;
  }
  if (entry.usageSource !== 'upstream' && entry.usageSource !== 'tokenizer') return 'usage source is unknown';
  if (entry.usageKind !== undefined && entry.usageKind !== 'tokens' && entry.usageKind !== 'sandbox') return 'usage kind is unknown';
  if (entry.sandboxId !== undefined && !isText(entry.sandboxId, true)) return 'sandboxId is not a storable text';
  for (const field of ['cpuMs', 'storageByteSeconds'] as const) {
    const value = entry[field];
    if (value !== undefined && value !== null && !(Number.isFinite(value) && value >= 0 && value <= Number.MAX_SAFE_INTEGER)) {
      return `${field} is out of range: ${String(value)}`;
    }
  }
  return null;
}

/** PostgreSQL data exceptions (22) and integrity violations (23) are the row's fault; retrying cannot help. */
export function isRowError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && (code.startsWith('22') || code.startsWith('23'));
}
