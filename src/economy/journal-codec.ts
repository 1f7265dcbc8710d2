import { picos } from '../core/index.js';
import type { LedgerEntry } from '../storage/index.js';

/** One journal line: a ledger entry as JSON, with the bigint cost as a decimal string. */
export function encodeEntry(entry: LedgerEntry): string {
  return `${JSON.stringify({ ...entry, costPicos: entry.costPicos.toString(), createdAt: entry.createdAt.toISOString() })}\n`;
}

/** Parses a journal line; a torn last line (the process died mid-write, never acknowledged) yields undefined. */
export function decodeEntry(line: string): LedgerEntry | undefined {
  try {
    const raw = JSON.parse(line) as Omit<
      LedgerEntry,
      'costPicos' | 'createdAt' | 'clientRequestId' | 'usageAnomaly' | 'agent' | 'runId' | 'threadId'
    > &
      Partial<Pick<LedgerEntry, 'clientRequestId' | 'usageAnomaly' | 'agent' | 'runId' | 'threadId' | 'workflow'>> & {
        costPicos: string;
        createdAt: string;
      };
    if (typeof raw.requestId !== 'string' || typeof raw.costPicos !== 'string') return undefined;
    // Entries journaled by older hubs lack the fields added since (client ids, usage anomalies, agent attribution).
    return {
      ...raw,
      clientRequestId: raw.clientRequestId ?? null,
      usageAnomaly: raw.usageAnomaly ?? null,
      agent: raw.agent ?? null,
      runId: raw.runId ?? null,
      threadId: raw.threadId ?? null,
      workflow: raw.workflow ?? null,
      costPicos: picos(BigInt(raw.costPicos)),
      createdAt: new Date(raw.createdAt),
    };
  } catch {
    return undefined;
  }
}
