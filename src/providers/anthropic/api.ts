import { normalizeProviderBaseUrl, type ProviderConfig } from '../../config/index.js';
import { HubError } from '../../core/index.js';
import type { ProviderOptions } from '../spec.js';
import { UpstreamClient } from '../upstream-request.js';

/** Includes the API version path; request paths are relative to it (`/messages`). A base without `/v1` gets it added. */
export const ANTHROPIC_BASE_URL = 'https://api.anthropic.com/v1';
export const ANTHROPIC_VERSION = '2023-06-01';
/** `max_tokens` is required by Anthropic; this is sent when the client set none. */
export const ANTHROPIC_DEFAULT_MAX_TOKENS = 4096;

/** Client headers a pass-through carries to Anthropic; anything else, credentials above all, stays behind. */
const FORWARDED_HEADERS = new Set(['anthropic-version', 'anthropic-beta']);

export function createAnthropicClient(config: ProviderConfig, options: ProviderOptions = {}): UpstreamClient {
  if (config.preset !== undefined && config.preset !== 'anthropic') {
    throw new HubError('INVALID_REQUEST', `provider ${config.id}: unknown preset "${config.preset}" for type anthropic (known: anthropic)`);
  }
  const headers: Record<string, string> = { 'anthropic-version': ANTHROPIC_VERSION, ...config.headers };
  if (config.api_key) headers['x-api-key'] = config.api_key;
  return new UpstreamClient({
    providerId: config.id,
    // Normalised at config load and admin time already; again here for entries built without the schema (idempotent).
    baseUrl: config.base_url === undefined ? ANTHROPIC_BASE_URL : normalizeProviderBaseUrl('anthropic', config.base_url),
    headers,
    maxConnections: config.max_connections,
    secrets: [config.api_key, ...Object.values(config.headers ?? {})],
    ...(options.lookup ? { lookup: options.lookup } : {}),
  });
}

export function forwardedHeaders(headers: Record<string, string> | undefined): Record<string, string> | undefined {
  if (!headers) return undefined;
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (FORWARDED_HEADERS.has(name.toLowerCase())) out[name.toLowerCase()] = value;
  }
  return out;
}
