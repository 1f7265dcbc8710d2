import type { LedgerRow } from './contract.js';

export const LEDGER_CSV_COLUMNS: (keyof LedgerRow)[] = [
  'created_at',
  'request_id',
  'tenant_id',
  'project_id',
  'key_id',
  'surface',
  'model_requested',
  'model_served',
  'provider',
  'upstream_model',
  'prompt_tokens',
  'completion_tokens',
  'cached_tokens',
  'cache_write_tokens',
  'usage_source',
  'cost_usd',
  'price_known',
  'latency_ms',
  'ttfb_ms',
  'status',
  'error_code',
  'stream',
  'attempts',
  // Added later: kept at the end so positional readers of older exports keep working.
  'client_request_id',
  'usage_anomaly',
  'agent',
  'run_id',
  'thread_id',
  'workflow',
  'usage_kind',
  'sandbox_id',
  'cpu_ms',
  'storage_byte_seconds',
];

/** RFC 4180 quoting; a leading = + - @ is prefixed with ' so spreadsheets never evaluate a model name as a formula. */
function cell(value: unknown): string {
  if (value === null || value === undefined) return '';
  let text = String(value);
  if (typeof value === 'string' && /^[=+\-@]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export const csvHeader = (): string => `${LEDGER_CSV_COLUMNS.join(',')}\r\n`;

export const csvLine = (row: LedgerRow): string => `${LEDGER_CSV_COLUMNS.map((column) => cell(row[column])).join(',')}\r\n`;
