import type { ClusterState } from '../cluster/index.js';
import { emptyUsage, type Usage } from '../core/index.js';
import type { LedgerEntry } from '../storage/index.js';
import type { Admission, AdmissionRequest, Principal, SettlementOutcome } from './contract.js';
import type { Journal } from './journal.js';
import type { EconomyLogger } from './logger.js';
import type { PriceBook } from './pricing.js';
import { countTextTokens } from './tokenizer.js';

/** What admission charged, so settlement can undo or correct exactly that. */
export interface Reservation {
  budgetKeys: string[];
  concurrencyKey?: string;
  /** The tokens-per-minute window charged with the worst case, corrected to the actual tokens. */
  tokenWindow?: { key: string; reservedTokens: number };
}

export interface SettlementDeps {
  journal: Journal;
  cluster: ClusterState;
  priceBook: PriceBook;
  logger: EconomyLogger;
  now: () => number;
  /** Told of every ledger entry once it is durable (metrics). Must not throw. */
  onSettled?: ((entry: LedgerEntry) => void) | undefined;
}

/**
 * The usage to bill. The upstream's numbers win when it reported believable ones (`source: upstream`,
 * checked at the provider boundary). Without them, count what was actually sent and generated; but a
 * request that failed before the upstream produced anything is billed nothing (providers do not charge
 * for it), except a client that left (499): the upstream had the prompt.
 */
export function settledUsage(outcome: SettlementOutcome, promptTokens: () => number): Usage {
  const reported = outcome.usage;
  if (reported?.source === 'upstream') return reported;
  const anomaly = reported?.anomaly ? { anomaly: reported.anomaly } : {};
  const counted = outcome.outputTokensCounted ?? 0;
  const nothingGenerated = outcome.outputText.length === 0 && counted === 0;
  if (nothingGenerated && outcome.status >= 400 && outcome.status !== 499) return { ...emptyUsage('tokenizer'), ...anomaly };
  return {
    ...emptyUsage('tokenizer'),
    inputTokens: promptTokens(),
    outputTokens: counted + countTextTokens(outcome.outputText, outcome.servedModel),
    ...anomaly,
  };
}

/**
 * How many output tokens the client allowed: `max_tokens` for each choice the request asked the
 * upstream to generate (`n`, and `best_of` candidates). Undefined when the client set no cap.
 */
export function allowedOutputTokens(request: AdmissionRequest): number | undefined {
  const maxTokens = request.chat?.maxTokens;
  return maxTokens === undefined ? undefined : maxTokens * choicesOf(request);
}

/** Choices the upstream generates (and bills) for this request. */
export function choicesOf(request: AdmissionRequest): number {
  return Math.max(1, request.chat?.n ?? 1, request.generatedChoices ?? 1);
}

/**
 * An upstream that produces more than the client's `max_tokens` allowed broke the request's contract:
 * the tenant is billed at the cap (what was reserved), and the row records the violation.
 */
export function cappedUsage(usage: Usage, allowed: number | undefined): Usage {
  if (allowed === undefined || usage.outputTokens <= allowed) return usage;
  const reasoning = usage.reasoningTokens === undefined ? {} : { reasoningTokens: Math.min(usage.reasoningTokens, allowed) };
  return { ...usage, outputTokens: allowed, ...reasoning, anomaly: 'output_exceeds_max_tokens' };
}

/** An admitted request: holds its reservation until `settle`, which runs once however often it is called. */
export class MeteredAdmission implements Admission {
  readonly principal: Principal;
  private readonly request: AdmissionRequest;
  private readonly admittedAt: number;
  private readonly promptTokens: () => number;
  private readonly reservation: Reservation | null;
  private readonly deps: SettlementDeps;
  private settlement: Promise<void> | null = null;

  constructor(options: {
    principal: Principal;
    request: AdmissionRequest;
    admittedAt: number;
    promptTokens: () => number;
    reservation: Reservation | null;
    deps: SettlementDeps;
  }) {
    this.principal = options.principal;
    this.request = options.request;
    this.admittedAt = options.admittedAt;
    this.promptTokens = options.promptTokens;
    this.reservation = options.reservation;
    this.deps = options.deps;
  }

  settle(outcome: SettlementOutcome): Promise<void> {
    this.settlement ??= this.settleOnce(outcome);
    return this.settlement;
  }

  private async settleOnce(outcome: SettlementOutcome): Promise<void> {
    const { priceBook, journal, logger } = this.deps;
    const usage = cappedUsage(settledUsage(outcome, this.promptTokens), allowedOutputTokens(this.request));
    const cost = priceBook.cost(usage, priceBook.pricesFor(outcome.servedModel, outcome.upstreamModel));
    if (usage.anomaly) {
      logger.warn(
        { requestId: this.request.requestId, providerId: outcome.providerId, anomaly: usage.anomaly, reported: outcome.usage },
        'upstream usage not billed as reported',
      );
    }
    if (!cost.priceKnown && usage.inputTokens + usage.outputTokens > 0) {
      logger.warn({ model: outcome.servedModel, upstreamModel: outcome.upstreamModel }, 'no price known for model; recorded at cost 0');
    }
    const entry: LedgerEntry = {
      requestId: this.request.requestId,
      clientRequestId: this.request.clientRequestId ?? null,
      tenantId: this.principal.tenantId,
      projectId: this.principal.projectId,
      keyId: this.principal.keyId,
      surface: this.request.surface,
      modelRequested: this.request.model,
      modelServed: outcome.servedModel,
      providerId: outcome.providerId,
      upstreamModel: outcome.upstreamModel,
      inputTokens: usage.inputTokens,
      outputTokens: usage.outputTokens,
      cachedTokens: usage.cachedInputTokens,
      cacheWriteTokens: usage.cacheWriteInputTokens,
      usageSource: usage.source,
      usageAnomaly: usage.anomaly ?? null,
      agent: this.request.attribution?.agent ?? null,
      runId: this.request.attribution?.runId ?? null,
      threadId: this.request.attribution?.threadId ?? null,
      workflow: this.request.attribution?.workflow ?? null,
      costPicos: cost.picos,
      priceKnown: cost.priceKnown,
      latencyMs: outcome.latencyMs,
      ttfbMs: outcome.ttfbMs ?? null,
      status: outcome.status,
      errorCode: outcome.error?.code ?? null,
      stream: outcome.stream,
      attempts: outcome.attempts,
      createdAt: new Date(this.admittedAt),
    };
    const counters = this.reservation ? this.settleCounters(this.reservation, cost.picos, usage) : Promise.resolve();
    // Both run at once; only the journal decides success: counters that fail to settle are released by their lease.
    const [journaled] = await Promise.allSettled([journal.append(entry), counters]);
    if (journaled.status === 'rejected') {
      logger.error({ err: journaled.reason, requestId: entry.requestId }, 'usage could not be journaled');
      throw journaled.reason;
    }
    this.deps.onSettled?.(entry);
    this.request.attribution?.onSettled?.(entry);
  }

  private async settleCounters(reservation: Reservation, actual: bigint, usage: Usage): Promise<void> {
    try {
      await this.deps.cluster.settle({
        reservationId: this.request.requestId,
        budgetKeys: reservation.budgetKeys,
        actual,
        windowAdjustments: reservation.tokenWindow
          ? [{ key: reservation.tokenWindow.key, delta: usage.inputTokens + usage.outputTokens - reservation.tokenWindow.reservedTokens }]
          : [],
        ...(reservation.concurrencyKey ? { concurrencyKey: reservation.concurrencyKey } : {}),
        now: this.deps.now(),
      });
    } catch (error) {
      this.deps.logger.error({ err: error, requestId: this.request.requestId }, 'budget counters could not be settled');
    }
  }
}
