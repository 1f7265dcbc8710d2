import type { ProviderConfig } from '../../config/index.js';
import { HubError } from '../../core/index.js';
import type { ProviderOptions } from '../spec.js';
import { UpstreamClient } from '../upstream-request.js';
import { GENERIC_PRESET, OPENAI_COMPATIBLE_PRESETS, type OpenAICompatiblePreset } from './presets.js';

export function resolvePreset(config: ProviderConfig): OpenAICompatiblePreset {
  if (config.preset === undefined) {
    if (!config.base_url) throw new HubError('INVALID_REQUEST', `provider ${config.id}: base_url is required without a preset`);
    return { ...GENERIC_PRESET, baseUrl: config.base_url };
  }
  const preset = OPENAI_COMPATIBLE_PRESETS[config.preset];
  if (!preset) {
    throw new HubError(
      'INVALID_REQUEST',
      `provider ${config.id}: unknown preset "${config.preset}" (known: ${Object.keys(OPENAI_COMPATIBLE_PRESETS).join(', ')})`,
    );
  }
  return { ...preset, baseUrl: config.base_url ?? preset.baseUrl };
}

export function createOpenAIClient(config: ProviderConfig, preset: OpenAICompatiblePreset, options: ProviderOptions = {}): UpstreamClient {
  const headers: Record<string, string> = { ...preset.headers, ...config.headers };
  if (config.api_key) headers.authorization = `Bearer ${config.api_key}`;
  return new UpstreamClient({
    providerId: config.id,
    baseUrl: preset.baseUrl,
    headers,
    maxConnections: config.max_connections,
    secrets: [config.api_key, ...Object.values(config.headers ?? {})],
    ...(options.lookup ? { lookup: options.lookup } : {}),
  });
}
