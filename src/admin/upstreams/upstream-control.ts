import type { ModelConfig, ProviderConfig } from '../../config/index.js';
import type { SecretBox } from '../../core/index.js';
import type { Broadcast, EconomyLogger, PriceBook } from '../../economy/index.js';
import type { TargetBreaker, UpstreamAddressPolicy, UpstreamRegistry } from '../../routing/index.js';
import { type Database, RoutedModelsRepository, UpstreamProvidersRepository } from '../../storage/index.js';
import type * as Api from '../contract.js';
import { ModelControl } from './model-control.js';
import { ProviderChecks } from './provider-checks.js';
import { ProviderControl } from './provider-control.js';

/** Tells every replica which provider or model to re-read from the database. */
export const UPSTREAMS_CHANNEL = 'upstreams:changed';

type Change = { kind: 'provider'; id: string } | { kind: 'model'; name: string };

function decodeChange(message: string): Change | undefined {
  try {
    const value = JSON.parse(message) as Partial<{ kind: string; id: string; name: string }>;
    if (value.kind === 'provider' && typeof value.id === 'string') return { kind: 'provider', id: value.id };
    if (value.kind === 'model' && typeof value.name === 'string') return { kind: 'model', name: value.name };
  } catch {
    // Malformed messages are ignored; the periodic reload still bounds staleness.
  }
  return undefined;
}

export interface UpstreamControlDeps {
  db: Database;
  registry: UpstreamRegistry;
  prices: PriceBook;
  broadcast: Broadcast;
  /** Seals provider secrets at rest; without it providers with API keys cannot be created here. */
  secretBox?: SecretBox | undefined;
  policy: UpstreamAddressPolicy;
  configured: { providers: readonly ProviderConfig[]; models: readonly ModelConfig[] };
  logger: EconomyLogger;
  /** Full reload from the database, a bound on staleness should a change message be missed (default 60 s). */
  reloadIntervalMs?: number;
  /** The router's breakers on this replica, read-only, for `GET /admin/v1/providers/:id/health`. */
  breakers?: () => readonly TargetBreaker[];
}

/**
 * Providers and models managed through the admin API. Each replica serves them from memory (the
 * hot path reads no database); a change is written to the database, then announced on the cluster
 * channel so every replica re-reads that row (under a second with Redis). A missed announcement
 * (Redis down) is caught by the periodic full reload.
 */
export class UpstreamControl {
  readonly providers: ProviderControl;
  readonly models: ModelControl;
  /** Health (breakers) and connection tests. */
  readonly checks: ProviderChecks;
  private readonly deps: UpstreamControlDeps;
  private queue: Promise<void> = Promise.resolve();
  private unsubscribe: (() => Promise<void>) | undefined;
  private timer: NodeJS.Timeout | undefined;
  private lastReloadError: string | null = null;

  private constructor(deps: UpstreamControlDeps) {
    this.deps = deps;
    const announce = (change: Change): Promise<void> =>
      deps.broadcast.publish(UPSTREAMS_CHANNEL, JSON.stringify(change)).catch((error: unknown) => {
        deps.logger.warn({ err: error, change }, 'could not announce an upstream change; other replicas pick it up on their next reload');
      });
    this.providers = new ProviderControl({
      repository: new UpstreamProvidersRepository(deps.db),
      registry: deps.registry,
      box: deps.secretBox,
      policy: deps.policy,
      configured: deps.configured.providers,
      logger: deps.logger,
      announce: (id) => announce({ kind: 'provider', id }),
    });
    this.models = new ModelControl({
      repository: new RoutedModelsRepository(deps.db),
      registry: deps.registry,
      prices: deps.prices,
      configured: deps.configured.models,
      logger: deps.logger,
      announce: (name) => announce({ kind: 'model', name }),
      refreshProvider: async (id) => {
        await this.providers.reload(id);
        return deps.registry.providers.has(id);
      },
    });
    this.checks = new ProviderChecks({ registry: deps.registry, providers: this.providers, policy: deps.policy, breakers: deps.breakers });
  }

  /** Loads what is stored (providers before the models that route to them) and starts following changes. */
  static async start(deps: UpstreamControlDeps): Promise<UpstreamControl> {
    const control = new UpstreamControl(deps);
    await control.reloadAll();
    control.unsubscribe = await deps.broadcast.subscribe(UPSTREAMS_CHANNEL, (message) => {
      const change = decodeChange(message);
      if (change)
        control.enqueue(() => (change.kind === 'provider' ? control.providers.reload(change.id) : control.models.reload(change.name)));
    });
    deps.broadcast.onResync(() => control.enqueue(() => control.reloadAll()));
    const interval = deps.reloadIntervalMs ?? 60_000;
    if (interval > 0) {
      control.timer = setInterval(() => control.enqueue(() => control.reloadAll()), interval);
      control.timer.unref();
    }
    return control;
  }

  /** Refused while a model routes to it, counting models created on other replicas (read from the database first). */
  async deleteProvider(id: string): Promise<Api.UpstreamProvider> {
    await this.models.loadAll();
    return this.providers.delete(id);
  }

  /** For readiness: stored entries that cannot be served are a degradation, not unreadiness. */
  health(): string {
    const problems = [...this.providers.problems(), ...this.models.problems()];
    if (this.lastReloadError) problems.push(`reload failing: ${this.lastReloadError}`);
    const counts = `${this.providers.count} providers, ${this.models.count} models from the admin API`;
    return problems.length === 0 ? `ok (${counts})` : `degraded (${counts}): ${problems.join('; ')}`;
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.unsubscribe?.().catch(() => {});
    await this.queue;
  }

  private async reloadAll(): Promise<void> {
    await this.providers.loadAll();
    await this.models.loadAll();
  }

  /** Changes apply one at a time, in the order announced. */
  private enqueue(work: () => Promise<void>): void {
    this.queue = this.queue.then(work).then(
      () => {
        this.lastReloadError = null;
      },
      (error: unknown) => {
        this.lastReloadError = (error as Error).message;
        this.deps.logger.warn({ err: error }, 'reloading upstreams from the database failed; retrying on the next change or reload');
      },
    );
  }
}
