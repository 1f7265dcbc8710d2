import type { ClusterState } from '../cluster/index.js';
import type { Picos } from '../core/index.js';
import type { LedgerEntry } from '../storage/index.js';
import type { CallAttribution, Principal } from './contract.js';
import type { Journal } from './journal.js';
import type { EconomyLogger } from './logger.js';

/** What a metered use of something other than model tokens (a sandbox's CPU time or storage) cost, for its ledger row. */
export interface SpendRecord {
  /** `sandbox:javascript`, `sandbox:python`, `sandbox:storage`: the row's model columns, so usage by model shows it. */
  item: string;
  /** `local` or `e2b`: the row's provider. */
  providerId: string;
  sandboxId: string;
  cpuMs?: number;
  storageByteSeconds?: number;
  costPicos: Picos;
  /** 200 for a call that ran (whatever the code did), else the status the caller saw. */
  status: number;
  errorCode?: string | null;
  latencyMs: number;
}

export interface SpendRequest {
  /** Minted by the hub: the ledger key and the reservation id. */
  requestId: string;
  /** The most the use can cost (its limits at the configured price): reserved against every budget first. */
  worstCase: Picos;
  attribution?: CallAttribution;
}

/** An admitted spend: its reservation is held until `settle` (once), which journals the row and corrects the counters. */
export interface SpendAdmission {
  settle(record: SpendRecord): Promise<void>;
}

export interface SpendDeps {
  journal: Journal;
  cluster: ClusterState;
  logger: EconomyLogger;
  now: () => number;
  onSettled?: ((entry: LedgerEntry) => void) | undefined;
}

/** The ledger row of a spend: a sandbox row, in the same table, budgets and usage API as tokens. */
export function spendEntry(
  principal: Pick<Principal, 'tenantId' | 'projectId' | 'keyId'>,
  requestId: string,
  record: SpendRecord,
  attribution: CallAttribution | undefined,
  createdAt: Date,
): LedgerEntry {
  return {
    requestId,
    clientRequestId: null,
    tenantId: principal.tenantId,
    projectId: principal.projectId,
    keyId: principal.keyId,
    surface: 'sandbox',
    modelRequested: record.item,
    modelServed: record.item,
    providerId: record.providerId,
    upstreamModel: null,
    inputTokens: 0,
    outputTokens: 0,
    cachedTokens: 0,
    cacheWriteTokens: 0,
    usageSource: 'upstream',
    usageAnomaly: null,
    agent: attribution?.agent ?? null,
    runId: attribution?.runId ?? null,
    threadId: attribution?.threadId ?? null,
    workflow: attribution?.workflow ?? null,
    costPicos: record.costPicos,
    priceKnown: true,
    latencyMs: record.latencyMs,
    ttfbMs: null,
    status: record.status,
    errorCode: record.errorCode ?? null,
    stream: false,
    attempts: 1,
    createdAt,
    usageKind: 'sandbox',
    sandboxId: record.sandboxId,
    cpuMs: record.cpuMs ?? null,
    storageByteSeconds: record.storageByteSeconds ?? null,
  };
}

/** Journals a spend's row and moves its counters from reserved to spent (counters that fail are freed by their lease). */
export async function settleSpend(
  deps: SpendDeps,
  entry: LedgerEntry,
  budgetKeys: readonly string[],
  attribution: CallAttribution | undefined,
): Promise<void> {
  const counters = deps.cluster
    .settle({ reservationId: entry.requestId, budgetKeys, actual: entry.costPicos, windowAdjustments: [], now: deps.now() })
    .catch((error: unknown) => deps.logger.error({ err: error, requestId: entry.requestId }, 'budget counters could not be settled'));
  const [journaled] = await Promise.allSettled([deps.journal.append(entry), counters]);
  if (journaled.status === 'rejected') {
    deps.logger.error({ err: journaled.reason, requestId: entry.requestId }, 'usage could not be journaled');
    throw journaled.reason;
  }
  deps.onSettled?.(entry);
  attribution?.onSettled?.(entry);
}

/** Metering of what is not model tokens (sandboxes), on the same budgets and ledger. */
export interface SpendGate {
  /**
   * Reserves the worst case of a metered use that is not a model call (a sandbox's code) against the key's,
   * project's, tenant's and run's budgets; no rate limit or concurrency slot applies. Throws BUDGET_EXCEEDED.
   */
  admit(principal: Principal, request: SpendRequest): Promise<SpendAdmission>;
  /**
   * Bills what was already used (a sandbox's storage over time) to a key: journaled and counted against its
   * budgets without a reservation, since it cannot be refused after the fact.
   */
  charge(account: { tenantId: string; keyId: string | null }, requestId: string, record: SpendRecord): Promise<void>;
}
