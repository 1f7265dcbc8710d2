import { picos } from '../core/index.js';
import type { LedgerEntry } from '../storage/index.js';

/** One journal line: a ledger entry as JSON, with the bigint cost as a decimal string. */
export function encodeEntry(entry: LedgerEntry): string {
  return `${JSON.stringify({ ...entry, costPicos: entry.costPicos.toString(), createdAt: entry.createdAt.toISOString() })}\n`;
}

/** Parses a journal line; a torn last line (the process died mid-write, never acknowledged) yields undefined. */
export function decodeEntry(line: string): LedgerEntry | undefined {
  try {
    const raw = JSON.parse(line) as Omit<LedgerEntry, 'costPicos' | 'createdAt'> & { costPicos: string; createdAt: string };
    if (typeof raw.requestId !== 'string' || typeof raw.costPicos !== 'string') return undefined;
    return { ...raw, costPicos: picos(BigInt(raw.costPicos)), createdAt: new Date(raw.createdAt) };
  } catch {
    return undefined;
  }
}
