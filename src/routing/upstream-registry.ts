import { isIP } from 'node:net';
import type { ModelConfig, ProviderConfig } from '../config/index.js';
import { HubError } from '../core/index.js';
import {
  checkUpstreamUrl,
  createProvider,
  guardedLookup,
  nativeResponsesProviders,
  type Provider,
  type UpstreamAddressPolicy,
  upstreamBaseUrl,
} from '../providers/index.js';
import type { ModelCatalog } from './catalog.js';

/**
 * The live set of providers and models the router serves from. The config file's entries are loaded
 * once; the admin API adds, replaces and removes others at run time. A request already routed keeps
 * the provider object it got, so replacing a provider (a new API key) never cuts a stream: the old
 * provider's pool closes gracefully once its in-flight calls end.
 */
export class UpstreamRegistry {
  readonly catalog: ModelCatalog;
  /** Shared with the router, which looks providers up by id on every attempt. */
  readonly providers: Map<string, Provider>;
  /** Ids of the providers that take `/responses` natively, kept in step with `providers`. */
  readonly nativeResponses: Set<string>;

  constructor(catalog: ModelCatalog, providers: Map<string, Provider>) {
    this.catalog = catalog;
    this.providers = providers;
    this.nativeResponses = nativeResponsesProviders(providers.values());
  }

  /**
   * Builds a provider without serving it yet, so a bad entry is refused before anything is stored.
   * With a policy, the URL it will call (its base URL, or its preset's default: a `vllm` preset
   * means 127.0.0.1) must pass the policy now (DNS resolved: every address must be allowed), and
   * every connection it opens is checked again, so DNS rebinding cannot reach a refused address
   * later. `recheck: 'literal'` checks only IP-literal hosts now (loading a stored provider must not
   * fail on a passing DNS hiccup; the connect-time guard covers host names).
   */
  async prepare(config: ProviderConfig, policy?: UpstreamAddressPolicy, recheck: 'full' | 'literal' = 'full'): Promise<Provider> {
    if (!policy) return createProvider(config);
    const target = upstreamBaseUrl(config);
    if (target && (recheck === 'full' || isIP(new URL(target.url).hostname.replace(/^\[|\]$/g, '')) !== 0)) {
      await checkUpstreamUrl(
        target.url,
        policy,
        target.given
          ? { param: 'base_url' }
          : config.preset === undefined
            ? { param: 'base_url', subject: `base_url (none given; the default is ${target.url})` }
            : { param: 'preset', subject: `preset (${config.preset} connects to ${target.url} unless given a base_url)` },
      );
    }
    return createProvider(config, { lookup: guardedLookup(policy) });
  }

  /** Serves `provider` under its id, retiring the one it replaces. */
  putProvider(provider: Provider): void {
    const previous = this.providers.get(provider.id);
    this.providers.set(provider.id, provider);
    if (provider.responsesApi) this.nativeResponses.add(provider.id);
    else this.nativeResponses.delete(provider.id);
    if (previous && previous !== provider) retire(previous);
  }

  deleteProvider(id: string): boolean {
    const previous = this.providers.get(id);
    if (!previous) return false;
    this.providers.delete(id);
    this.nativeResponses.delete(id);
    retire(previous);
    return true;
  }

  putModel(model: ModelConfig): void {
    this.catalog.set(model);
  }

  deleteModel(name: string): boolean {
    return this.catalog.delete(name);
  }

  /** Names of the models that route to the provider or fall back to the model. */
  modelsUsingProvider(providerId: string): string[] {
    return this.catalog
      .list()
      .filter((model) => model.targets.some((target) => target.providerId === providerId))
      .map((model) => model.name);
  }

  modelsFallingBackTo(name: string): string[] {
    return this.catalog
      .list()
      .filter((model) => model.name !== name && model.fallbacks.includes(name))
      .map((model) => model.name);
  }
}

function retire(provider: Provider): void {
  // Errors closing a pool that is being replaced cannot reach any client; nothing to do with them.
  provider.close({ graceful: true }).catch(() => {});
}

/**
 * Stands in for a stored provider that cannot be built (its secret does not open under this hub's
 * TOKENHUB_SECRET_KEY, say): every call fails with a clear, retryable upstream error, so the router
 * moves on to other targets and fallbacks instead of failing with an internal error.
 */
export function unavailableProvider(id: string, reason: string): Provider {
  const fail = (): Promise<never> => Promise.reject(new HubError('UPSTREAM_UNAVAILABLE', `provider ${id} is unavailable: ${reason}`));
  return {
    id,
    type: 'openai',
    passthrough: null,
    responsesApi: false,
    chat: fail,
    streamChat: fail,
    embeddings: fail,
    complete: fail,
    streamComplete: fail,
    close: async () => {},
  };
}
