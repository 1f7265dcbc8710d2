import type { AdmitCommand, BudgetSlot, ClusterState, WindowSlot } from '../cluster/index.js';
import { type Clock, HubError, type Picos, picos } from '../core/index.js';
import type { BudgetRecord } from '../storage/index.js';
import { hashSecret, secretMatchesHash } from './admin-key.js';
import type { BudgetCounters } from './budget-counters.js';
import type { Admission, AdmissionRequest, CallAttribution, EconomyGate, Principal } from './contract.js';
import type { KeyCache, KeyContext } from './key-cache.js';
import { minuteWindow, type PeriodWindow } from './periods.js';
import type { PriceBook } from './pricing.js';
import { budgetRefusal, concurrencyRefusal, rateRefusal, runBudgetRefusal } from './refusals.js';
import { KEY_SCOPES } from './scopes.js';
import { choicesOf, MeteredAdmission, type Reservation, type SettlementDeps } from './settlement.js';
import { type SpendAdmission, type SpendDeps, type SpendRecord, type SpendRequest, settleSpend, spendEntry } from './spend.js';
import { countEmbeddingsTokens, countPromptTokens, embeddingsTokenBound, promptTokenBound } from './tokenizer.js';
import { looksLikeVirtualKey } from './virtual-key.js';

const MINUTE_MS = 60_000;
/** A run's budget counter outlives any run (runs are bounded by their timeout); it is re-seeded from the ledger if forgotten. */
const RUN_COUNTER_TTL_MS = 7 * 86_400_000;

export const ADMIN_PRINCIPAL: Principal = Object.freeze({
  kind: 'admin',
  tenantId: null,
  projectId: null,
  keyId: null,
  allowedModels: null,
  scopes: KEY_SCOPES,
});

export interface GateOptions {
  /** sha256 of the admin key; without it no admin principal exists. */
  adminKeyHash?: string | undefined;
  keyCache: KeyCache;
  counters: BudgetCounters;
  cluster: ClusterState;
  priceBook: PriceBook;
  settlement: SettlementDeps;
  clock: Clock;
  /** Reservations of a replica that dies before settling are released after this long. */
  leaseMs: number;
  /** Output cap for reservations when neither the request nor the model config sets one. */
  defaultOutputCap: number;
  spend: SpendDeps;
}

/** Seeding a counter and retrying can only be needed once per budget, plus a race or two. */
const MAX_ADMIT_ATTEMPTS = 8;

const invalidKey = () => new HubError('UNAUTHENTICATED', 'Incorrect API key provided.', { code: 'invalid_api_key' });

export function modelAllowed(allowed: readonly string[] | null, model: string): boolean {
  if (allowed === null) return true;
  return allowed.some((pattern) => (pattern.endsWith('*') ? model.startsWith(pattern.slice(0, -1)) : pattern === model));
}

/** A refusal that a smaller reservation could turn into an admission (budgets, token windows). */
const isLimitRefusal = (error: unknown): boolean =>
  error instanceof HubError &&
  (error.code === 'BUDGET_EXCEEDED' || (error.code === 'RATE_LIMITED' && error.details.code === 'tokens_per_minute_exceeded'));

function checkModelAllowed(context: KeyContext, model: string): void {
  if (!modelAllowed(context.key.models, model)) {
    throw new HubError('FORBIDDEN', `This API key may not use the model \`${model}\`.`, { param: 'model', code: 'model_not_allowed' });
  }
}

/** Authentication and admission: the economy as the gateway calls it on every request. */
export class Gate implements EconomyGate {
  private readonly options: GateOptions;

  constructor(options: GateOptions) {
    this.options = options;
  }

  /**
   * The principal of a key by id, as it stands now (an agent run acts for the key that started it, on
   * whatever replica resumes it); throws UNAUTHENTICATED once the key is revoked or gone.
   */
  async principalForKey(tenantId: string, keyId: string): Promise<Principal> {
    const context = await this.options.keyCache.getById(keyId);
    if (!context || context.key.tenantId !== tenantId) throw invalidKey();
    if (context.key.revokedAt) throw new HubError('UNAUTHENTICATED', 'This API key has been revoked.', { code: 'invalid_api_key' });
    return context.principal;
  }

  async authenticate(apiKey: string | undefined): Promise<Principal> {
    if (!apiKey) throw new HubError('UNAUTHENTICATED', 'Missing API key: send Authorization: Bearer <key> or x-api-key.');
    if (looksLikeVirtualKey(apiKey)) {
      const context = await this.options.keyCache.getByHash(hashSecret(apiKey));
      if (!context) throw invalidKey();
      if (context.key.revokedAt) throw new HubError('UNAUTHENTICATED', 'This API key has been revoked.', { code: 'invalid_api_key' });
      return context.principal;
    }
    if (this.options.adminKeyHash && secretMatchesHash(apiKey, this.options.adminKeyHash)) return ADMIN_PRINCIPAL;
    throw invalidKey();
  }

  async admit(principal: Principal, request: AdmissionRequest): Promise<Admission> {
    if (request.operation === 'count_tokens') return this.admitCount(principal, request);
    const admittedAt = this.options.clock.now();
    // The prompt as one counter sees it: the chat's messages and tools, or the embeddings' input.
    const measure = (
      chat: (request: NonNullable<AdmissionRequest['chat']>) => number,
      input: (value: NonNullable<AdmissionRequest['embeddingsInput']>) => number,
    ): number => (request.chat ? chat(request.chat) : request.embeddingsInput !== undefined ? input(request.embeddingsInput) : 0);
    let counted: number | undefined;
    // Exact, and lazy: settlement counts only when the upstream reports no usage.
    const promptTokens = (): number => {
      counted ??= measure(
        (chat) => countPromptTokens(chat, request.model),
        (input) => countEmbeddingsTokens(input, request.model),
      );
      return counted;
    };
    const admission = (reservation: Reservation | null) =>
      new MeteredAdmission({ principal, request, admittedAt, promptTokens, reservation, deps: this.options.settlement });

    // The admin is metered (tenant null) but has no limits or budgets.
    if (principal.kind === 'admin') return admission(null);

    const context = await this.currentContext(principal);
    checkModelAllowed(context, request.model);
    // Every choice the upstream generates is billed: `n` choices (and `best_of` candidates) of up to max_tokens each.
    const choices = choicesOf(request);
    const outputCap = (model: string): number =>
      request.chat
        ? choices * (request.chat.maxTokens ?? this.options.priceBook.maxOutputTokens(model) ?? this.options.defaultOutputCap)
        : 0;
    // Reserve on the byte bound (tokenizer.ts: never below the exact count) and run BPE only where the bound
    // is refused: a limit the exact count fits is never refused for the bound's slack.
    const reserveFor = (prompt: number): Promise<Reservation> =>
      this.reserve(context, request.requestId, this.worstCase(request, prompt, outputCap), prompt + outputCap(request.model), admittedAt, {
        attribution: request.attribution,
      });
    const bound = measure(promptTokenBound, embeddingsTokenBound);
    let reservation: Reservation;
    try {
      reservation = await reserveFor(bound);
    } catch (error) {
      if (!isLimitRefusal(error) || promptTokens() >= bound) throw error;
      reservation = await reserveFor(promptTokens());
    }
    return admission(reservation);
  }

  async admitSpend(principal: Principal, request: SpendRequest): Promise<SpendAdmission> {
    const admittedAt = this.options.clock.now();
    const entryFor = (record: SpendRecord) => spendEntry(principal, request.requestId, record, request.attribution, new Date(admittedAt));
    if (principal.kind === 'admin') {
      return { settle: (record) => settleSpend(this.options.spend, entryFor(record), [], request.attribution) };
    }
    const context = await this.currentContext(principal);
    const reservation = await this.reserve(context, request.requestId, request.worstCase, 0, admittedAt, {
      budgetsOnly: true,
      attribution: request.attribution,
    });
    let settled: Promise<void> | null = null;
    return {
      settle: (record) => {
        settled ??= settleSpend(this.options.spend, entryFor(record), reservation.budgetKeys, request.attribution);
        return settled;
      },
    };
  }

  async charge(account: { tenantId: string; keyId: string | null }, requestId: string, record: SpendRecord): Promise<void> {
    const now = this.options.clock.now();
    const context = account.keyId ? await this.options.keyCache.getById(account.keyId) : undefined;
    const budgetKeys = context ? context.budgets.map((budget) => this.options.counters.slot(budget, now).slot.key) : [];
    const principal = { tenantId: account.tenantId, projectId: context?.key.projectId ?? null, keyId: account.keyId };
    await settleSpend(this.options.spend, spendEntry(principal, requestId, record, undefined, new Date(now)), budgetKeys, undefined);
  }

  /**
   * Counting tokens generates nothing, so it is not metered: the key must be live and may use the model,
   * and the call counts against requests per minute and concurrency, but no budget is reserved or charged,
   * no token window is charged and settling writes no ledger row (it only frees the concurrency slot).
   */
  private async admitCount(principal: Principal, request: AdmissionRequest): Promise<Admission> {
    if (principal.kind === 'admin') return { principal, settle: async () => {} };
    const context = await this.currentContext(principal);
    checkModelAllowed(context, request.model);
    const { rpm, maxConcurrency } = context.key.rateLimits;
    // Nothing to count against: no cluster round trip at all.
    if (rpm === undefined && maxConcurrency === undefined) return { principal, settle: async () => {} };
    const reservation = await this.reserve(context, request.requestId, picos(0n), 0, this.options.clock.now(), { requestsOnly: true });
    const { cluster, logger, now } = this.options.settlement;
    let settled: Promise<void> | null = null;
    return {
      principal,
      settle: () => {
        settled ??= cluster
          .settle({
            reservationId: request.requestId,
            budgetKeys: [],
            actual: 0n,
            windowAdjustments: [],
            ...(reservation.concurrencyKey ? { concurrencyKey: reservation.concurrencyKey } : {}),
            now: now(),
          })
          .catch((error: unknown) => {
            // The lease frees the slot of a settle that failed; a token count is not worth failing the answer for.
            logger.error({ err: error, requestId: request.requestId }, 'rate-limit counters could not be settled');
          });
        return settled;
      },
    };
  }

  /** The key as it stands now: a key revoked or changed since `authenticate` is seen here. */
  private async currentContext(principal: Principal): Promise<KeyContext> {
    if (!principal.keyId) throw invalidKey();
    const context = await this.options.keyCache.getById(principal.keyId);
    if (!context || context.key.tenantId !== principal.tenantId) throw invalidKey();
    if (context.key.revokedAt) throw new HubError('UNAUTHENTICATED', 'This API key has been revoked.', { code: 'invalid_api_key' });
    return context;
  }

  /** The dearest the request could turn out, over the requested model and every fallback the router may use. */
  private worstCase(request: AdmissionRequest, prompt: number, outputCap: (model: string) => number): Picos {
    const chain = [request.model, ...(request.fallbackModels ?? this.options.priceBook.fallbacks(request.model))];
    let worst = 0n;
    for (const model of chain) {
      const cost = this.options.priceBook.worstCase(model, prompt, outputCap(model)).picos;
      if (cost > worst) worst = cost;
    }
    return picos(worst);
  }

  /** The counters of the run's own limit and its ancestors', for agent traffic with a `max_cost_usd`. */
  private runBudgetSlots(attribution: CallAttribution | undefined, now: number): { runId: string; slot: BudgetSlot }[] {
    return (attribution?.runBudgets ?? []).map((budget) => ({
      runId: budget.runId,
      slot: { key: `runbudget:${budget.runId}`, limit: budget.limitPicos, expiresAt: now + RUN_COUNTER_TTL_MS },
    }));
  }

  private async reserve(
    context: KeyContext,
    requestId: string,
    amount: Picos,
    tokens: number,
    now: number,
    scope: { requestsOnly?: boolean; budgetsOnly?: boolean; attribution?: CallAttribution | undefined } = {},
  ): Promise<Reservation> {
    const { key } = context;
    // A call that spends nothing (a token count) touches no budget and no token window.
    const budgets = scope.requestsOnly ? [] : context.budgets;
    const slots = budgets.map((budget) => ({ budget, ...this.options.counters.slot(budget, now) }));
    const attribution = scope.attribution;
    const runBudgets = scope.requestsOnly ? [] : this.runBudgetSlots(attribution, now);
    const minute = minuteWindow(now);
    // Sliding minute: this minute's counter plus the part of the last one still inside the past 60 s.
    const slidingWindow = (kind: 'rpm' | 'tpm', limit: number, amount: number): WindowSlot & { kind: 'rpm' | 'tpm' } => ({
      kind,
      key: `rl:${key.id}:${kind}:${minute.index}`,
      previous: { key: `rl:${key.id}:${kind}:${minute.index - 1}`, weight: (minute.end - now) / MINUTE_MS },
      limit,
      amount,
      // Kept through the next minute, where it is the previous window.
      expiresAt: minute.end + MINUTE_MS,
    });
    const windows: (WindowSlot & { kind: 'rpm' | 'tpm' })[] = [];
    if (key.rateLimits.rpm !== undefined && !scope.budgetsOnly) windows.push(slidingWindow('rpm', key.rateLimits.rpm, 1));
    if (key.rateLimits.tpm !== undefined && !scope.requestsOnly && !scope.budgetsOnly)
      windows.push(slidingWindow('tpm', key.rateLimits.tpm, tokens));
    const concurrency =
      key.rateLimits.maxConcurrency === undefined || scope.budgetsOnly
        ? undefined
        : { key: `cc:${key.id}`, limit: key.rateLimits.maxConcurrency };
    const command: AdmitCommand = {
      reservationId: requestId,
      amount,
      budgets: [...slots.map((entry) => entry.slot), ...runBudgets.map((entry) => entry.slot)],
      windows: windows.map(({ kind: _kind, ...slot }) => slot),
      ...(concurrency ? { concurrency } : {}),
      leaseExpiresAt: now + this.options.leaseMs,
      now,
    };

    for (let attempt = 0; attempt < MAX_ADMIT_ATTEMPTS; attempt++) {
      const result = await this.options.cluster.admit(command);
      if (result.ok) {
        const tokenWindow = windows.find((window) => window.kind === 'tpm');
        return {
          budgetKeys: command.budgets.map((slot) => slot.key),
          ...(concurrency ? { concurrencyKey: concurrency.key } : {}),
          ...(tokenWindow ? { tokenWindow: { key: tokenWindow.key, reservedTokens: tokens } } : {}),
        };
      }
      switch (result.reason) {
        case 'unseeded': {
          const run = runBudgets[result.budgetIndex - slots.length];
          if (run) {
            await this.options.counters.seedRun(run.slot, key.tenantId, run.runId);
            continue;
          }
          const entry = slots[result.budgetIndex];
          if (!entry) throw new Error(`admit named unknown budget index ${result.budgetIndex}`);
          await this.options.counters.seed(entry.budget, now);
          continue;
        }
        case 'budget': {
          const run = runBudgets[result.budgetIndex - slots.length];
          if (run) {
            throw runBudgetRefusal({
              runId: run.runId,
              limit: run.slot.limit,
              spent: result.spent,
              reserved: result.reserved,
              worstCase: amount,
            });
          }
          const entry = slots[result.budgetIndex] as { budget: BudgetRecord; window: PeriodWindow } | undefined;
          if (!entry) throw new Error(`admit named unknown budget index ${result.budgetIndex}`);
          throw budgetRefusal({ ...entry, spent: result.spent, reserved: result.reserved, worstCase: amount, now });
        }
        case 'window': {
          const window = windows[result.windowIndex];
          if (!window) throw new Error(`admit named unknown window index ${result.windowIndex}`);
          const state = { current: result.current, previous: result.previous, end: minute.end, windowMs: MINUTE_MS };
          throw rateRefusal(window.kind, window.limit, window.amount, state, now);
        }
        case 'concurrency':
          throw concurrencyRefusal(concurrency?.limit ?? 0);
      }
    }
    throw new HubError('OVERLOADED', 'Budget counters could not be initialised; retry shortly.', { retryAfterSeconds: 1 });
  }
}
