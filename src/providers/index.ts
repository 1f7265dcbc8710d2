/**
 * Provider adapters: one folder per upstream wire protocol, all implementing `spec.ts`.
 * `createProvider` turns a provider config entry into a live adapter.
 */
import type { ProviderConfig } from '../config/index.js';
import { HubError } from '../core/index.js';
import { ANTHROPIC_BASE_URL, createAnthropicProvider } from './anthropic/index.js';
import { createLocalProvider } from './local/index.js';
import { createOpenAICompatibleProvider, resolvePreset } from './openai-compatible/index.js';
import { createScriptedProvider } from './scripted/index.js';
import type { Provider, ProviderOptions } from './spec.js';

export { checkLocalModels, type LocalModelStatus, listLocalModels } from './local/index.js';
export { OPENAI_COMPATIBLE_PRESETS } from './openai-compatible/index.js';
export { isScriptedProvider, type ScriptedCall, type ScriptedProvider } from './scripted/index.js';
export type { CallContext, ForwardCall, ForwardResponse, Provider, ProviderOptions, WireProtocol } from './spec.js';
export {
  allowEntryProblems,
  checkUpstreamUrl,
  DEFAULT_UPSTREAM_ADDRESS_POLICY,
  guardedConnector,
  guardedLookup,
  type UpstreamAddressPolicy,
} from './upstream-address-policy.js';

export type ProviderFactory = (config: ProviderConfig, options?: ProviderOptions) => Provider;

const factories: Partial<Record<ProviderConfig['type'], ProviderFactory>> = {
  openai: createOpenAICompatibleProvider,
  anthropic: createAnthropicProvider,
  local: createLocalProvider,
  scripted: createScriptedProvider,
};

export function createProvider(config: ProviderConfig, options: ProviderOptions = {}): Provider {
  const factory = factories[config.type];
  if (!factory) throw new HubError('INVALID_REQUEST', `provider ${config.id}: type "${config.type}" is not available`);
  return factory(config, options);
}

/**
 * Where a provider's calls go: its `base_url`, or else the default of its preset or type (`given: false`);
 * undefined for in-process providers. The upstream URL policy judges this URL, not only a given `base_url`.
 */
export function upstreamBaseUrl(config: ProviderConfig): { url: string; given: boolean } | undefined {
  if (config.base_url !== undefined) return { url: config.base_url, given: true };
  switch (config.type) {
    case 'openai':
      return { url: resolvePreset(config).baseUrl, given: false };
    case 'anthropic':
      return { url: ANTHROPIC_BASE_URL, given: false };
    case 'local':
    case 'scripted':
      return undefined;
  }
}

/** Ids of the providers that take `/responses` natively. */
export function nativeResponsesProviders(providers: Iterable<Provider>): Set<string> {
  const ids = new Set<string>();
  for (const provider of providers) if (provider.responsesApi) ids.add(provider.id);
  return ids;
}
