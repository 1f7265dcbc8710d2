import type { RoutingConfig } from '../config/index.js';
import { type Clock, HubError, systemClock, toHubError } from '../core/index.js';
import type { CallContext, Provider } from '../providers/index.js';
import { backoffDelay, sleep } from './backoff.js';
import { type BreakerSnapshot, type BreakerState, CircuitBreaker } from './breaker.js';
import type { CatalogModel, CatalogTarget, ModelCatalog } from './catalog.js';
import { chooseWeighted } from './target-choice.js';

export interface RouteAttempt {
  /** The model actually served: the requested one or a fallback. */
  model: CatalogModel;
  target: CatalogTarget;
  provider: Provider;
}

export type AttemptOutcome = 'success' | 'failure' | 'neutral';

export interface Routed<T> {
  value: T;
  attempt: RouteAttempt;
  /** How many upstream attempts were made, this one included. */
  attempts: number;
  /** Aborted when the attempt's total timeout fires or the client leaves while the response streams. */
  signal: AbortSignal;
  /**
   * Ends the attempt once its response (or stream) is fully consumed: stops its timers and tells the
   * breaker how it went (`reason`: a failure's message, for the health view). Safe to call more than
   * once; the first call wins.
   */
  finish(outcome: AttemptOutcome, reason?: string): void;
}

/** One target's breaker as this replica sees it (targets never tried have none yet). */
export interface TargetBreaker extends BreakerSnapshot {
  /** `provider/model`. */
  key: string;
  providerId: string;
  upstreamModel: string;
}

export interface RouteOptions {
  requestId: string;
  /** Aborted when the client disconnects. */
  signal: AbortSignal;
  onRetry?(attempt: RouteAttempt, error: HubError): void;
}

export type AttemptRunner<T> = (attempt: RouteAttempt, context: CallContext) => Promise<T>;

/** Retries, fallbacks, weighted target choice, circuit breakers and timeouts around provider calls. */
export class Router {
  private readonly breakers = new Map<string, { breaker: CircuitBreaker; target: CatalogTarget }>();
  private readonly catalog: ModelCatalog;
  private readonly providers: ReadonlyMap<string, Provider>;
  private readonly config: RoutingConfig;
  private readonly clock: Clock;
  private readonly random: () => number;

  constructor(
    catalog: ModelCatalog,
    providers: ReadonlyMap<string, Provider>,
    config: RoutingConfig,
    options: { clock?: Clock; random?: () => number } = {},
  ) {
    this.catalog = catalog;
    this.providers = providers;
    this.config = config;
    this.clock = options.clock ?? systemClock;
    this.random = options.random ?? Math.random;
  }

  breakerStates(): Record<string, BreakerState> {
    const states: Record<string, BreakerState> = {};
    for (const [key, { breaker }] of this.breakers) states[key] = breaker.current;
    return states;
  }

  /** Every target's breaker this replica has made, with what it has seen (read-only). */
  breakerSnapshots(): TargetBreaker[] {
    return [...this.breakers.values()].map(({ breaker, target }) => ({
      key: target.key,
      providerId: target.providerId,
      upstreamModel: target.upstreamModel,
      ...breaker.snapshot(),
    }));
  }

  /** The models tried for a request, in order: the requested one, then its fallbacks. */
  chain(modelName: string): CatalogModel[] {
    const first = this.catalog.get(modelName);
    const chain = [first];
    for (const name of first.fallbacks) {
      const fallback = this.catalog.find(name);
      if (fallback && !chain.includes(fallback)) chain.push(fallback);
    }
    return chain;
  }

  async route<T>(modelName: string, options: RouteOptions, run: AttemptRunner<T>): Promise<Routed<T>> {
    const chain = this.chain(modelName);
    let lastError: HubError | undefined;
    let attempts = 0;
    // Soonest half-open trial of a model whose every target is open: the client's `retry-after`.
    let trialInMs: number | undefined;
    for (const model of chain) {
      const tried = new Set<string>();
      for (let retry = 0; retry <= this.config.retries; retry++) {
        if (options.signal.aborted) throw clientClosed();
        const target = this.pickTarget(model, tried);
        if (!target) {
          if (tried.size === 0) trialInMs = Math.min(trialInMs ?? Number.POSITIVE_INFINITY, this.msUntilTrial(model));
          break;
        }
        tried.add(target.key);
        const provider = this.providers.get(target.providerId);
        if (!provider) {
          // Deleted through the admin API while a model still named it (a race between replicas): try the others.
          lastError = new HubError('UPSTREAM_UNAVAILABLE', `provider ${target.providerId} of model ${model.name} is not configured`);
          continue;
        }
        attempts++;
        const attempt: RouteAttempt = { model, target, provider };
        try {
          return await this.runAttempt(attempt, attempts, options, run);
        } catch (thrown) {
          const error = toHubError(thrown);
          if (options.signal.aborted) throw clientClosed();
          if (!error.retryable) throw error;
          lastError = error;
          const isLast = retry === this.config.retries;
          if (!isLast) {
            options.onRetry?.(attempt, error);
            await sleep(this.retryDelay(error, retry), options.signal).catch(() => {
              throw clientClosed();
            });
          }
        }
      }
    }
    if (lastError) throw lastError;
    if (trialInMs === undefined) throw new HubError('NO_HEALTHY_TARGET', `no upstream for model ${modelName}`);
    const retryAfterSeconds = Math.max(1, Math.ceil(trialInMs / 1000));
    throw new HubError(
      'NO_HEALTHY_TARGET',
      `no healthy upstream for model ${modelName} (circuit open; next trial in ${retryAfterSeconds}s)`,
      {
        retryAfterSeconds,
      },
    );
  }

  /** Until the first of a model's targets lets a trial through (0: one may now, e.g. a trial already in flight). */
  private msUntilTrial(model: CatalogModel): number {
    let soonest = Number.POSITIVE_INFINITY;
    for (const target of model.targets) soonest = Math.min(soonest, this.breaker(target).msUntilTrial());
    return Number.isFinite(soonest) ? soonest : 0;
  }

  private retryDelay(error: HubError, retry: number): number {
    const retryAfter = error.details.retryAfterSeconds;
    if (retryAfter !== undefined && retryAfter * 1000 <= this.config.max_retry_after_ms) return retryAfter * 1000;
    return backoffDelay(retry, this.config.backoff_ms, this.config.max_backoff_ms, this.random);
  }

  private breaker(target: CatalogTarget): CircuitBreaker {
    let entry = this.breakers.get(target.key);
    if (!entry) {
      const breaker = new CircuitBreaker(
        { failureThreshold: this.config.breaker.failure_threshold, cooldownMs: this.config.breaker.cooldown_ms },
        this.clock,
      );
      entry = { breaker, target };
      this.breakers.set(target.key, entry);
    }
    return entry.breaker;
  }

  /** Untried healthy targets first; then any healthy one; acquiring a half-open breaker's trial slot. */
  private pickTarget(model: CatalogModel, tried: Set<string>): CatalogTarget | undefined {
    const healthy = model.targets.filter((target) => this.breaker(target).current !== 'open');
    const fresh = healthy.filter((target) => !tried.has(target.key));
    const pool = [...(fresh.length > 0 ? fresh : healthy)];
    while (pool.length > 0) {
      const target = chooseWeighted(pool, this.random);
      if (!target) return undefined;
      if (this.breaker(target).tryAcquire()) return target;
      pool.splice(pool.indexOf(target), 1);
    }
    return undefined;
  }

  private async runAttempt<T>(attempt: RouteAttempt, attempts: number, options: RouteOptions, run: AttemptRunner<T>): Promise<Routed<T>> {
    const controller = new AbortController();
    const onClientAbort = (): void => controller.abort(clientClosed());
    options.signal.addEventListener('abort', onClientAbort, { once: true });
    const totalTimer = setTimeout(
      () =>
        controller.abort(
          new HubError('UPSTREAM_TIMEOUT', `upstream ${attempt.provider.id} did not finish within ${this.config.timeout_ms} ms`),
        ),
      this.config.timeout_ms,
    );
    const firstByteTimer = setTimeout(
      () =>
        controller.abort(
          new HubError(
            'UPSTREAM_TIMEOUT',
            `upstream ${attempt.provider.id} sent no first byte within ${this.config.first_byte_timeout_ms} ms`,
          ),
        ),
      this.config.first_byte_timeout_ms,
    );
    const breaker = this.breaker(attempt.target);
    let finished = false;
    const finish = (outcome: AttemptOutcome, reason?: string): void => {
      if (finished) return;
      finished = true;
      clearTimeout(totalTimer);
      clearTimeout(firstByteTimer);
      options.signal.removeEventListener('abort', onClientAbort);
      if (outcome === 'success') breaker.onSuccess();
      else if (outcome === 'failure') breaker.onFailure(reason);
      else breaker.onNeutral();
    };
    try {
      const value = await run(attempt, { signal: controller.signal, requestId: options.requestId });
      clearTimeout(firstByteTimer);
      return { value, attempt, attempts, signal: controller.signal, finish };
    } catch (thrown) {
      const error = controller.signal.reason instanceof HubError ? controller.signal.reason : toHubError(thrown);
      if (!controller.signal.aborted) controller.abort(error);
      finish(error.spec.category === 'upstream' && error.retryable ? 'failure' : 'neutral', error.message);
      throw error;
    }
  }
}

function clientClosed(): HubError {
  return new HubError('CLIENT_CLOSED', 'client closed the request');
}
