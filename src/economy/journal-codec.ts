import { picos } from '../core/index.js';
import type { LedgerEntry } from '../storage/index.js';

/** One journal line: a ledger entry as JSON, with the bigint cost as a decimal string. */
export function encodeEntry(entry: LedgerEntry): string {
  return `${JSON.stringify({ ...entry, costPicos: entry.costPicos.toString(), createdAt: entry.createdAt.toISOString() })}\n`;
}

/** Parses a journal line; a torn last line (the process died mid-write, never acknowledged) yields undefined. */
export function decodeEntry(line: string): LedgerEntry | undefined {
  try {
    const raw = JSON.parse(line) as Omit<LedgerEntry, 'costPicos' | 'createdAt' | 'clientRequestId' | 'usageAnomaly'> &
      Partial<Pick<LedgerEntry, 'clientRequestId' | 'usageAnomaly'>> & { costPicos: string; createdAt: string };
    if (typeof raw.requestId !== 'string' || typeof raw.costPicos !== 'string') return undefined;
    // Entries journaled by hubs before client ids and usage anomalies were recorded lack both fields.
    return {
      ...raw,
      clientRequestId: raw.clientRequestId ?? null,
      usageAnomaly: raw.usageAnomaly ?? null,
      costPicos: picos(BigInt(raw.costPicos)),
      createdAt: new Date(raw.createdAt),
    };
  } catch {
    return undefined;
  }
}
