import { HubError, type SecretBox, SecretBoxError } from '../../core/index.js';

/** What of a provider is secret: its API key and its extra headers (which may carry credentials). */
export interface ProviderSecrets {
  api_key?: string;
  headers?: Record<string, string>;
}

const isEmpty = (secrets: ProviderSecrets): boolean => secrets.api_key === undefined && Object.keys(secrets.headers ?? {}).length === 0;

/** Seals a provider's secrets bound to its id; null when it has none. Without a box there is nowhere safe to keep them. */
export function sealProviderSecrets(box: SecretBox | undefined, providerId: string, secrets: ProviderSecrets): string | null {
  if (isEmpty(secrets)) return null;
  if (!box) {
    throw new HubError(
      'INVALID_REQUEST',
      'Provider API keys and headers are stored encrypted, and this hub has no TOKENHUB_SECRET_KEY: set it (at least 32 characters, e.g. `openssl rand -base64 32`) and restart, or put the provider in the config file.',
      { param: secrets.api_key !== undefined ? 'api_key' : 'headers', code: 'secret_key_not_configured' },
    );
  }
  return box.seal(JSON.stringify(secrets), providerId);
}

/** Opens sealed secrets; the error says which key is missing, never what the secret is. */
export function openProviderSecrets(box: SecretBox | undefined, providerId: string, sealed: string | null): ProviderSecrets {
  if (sealed === null) return {};
  if (!box) throw new SecretBoxError('its API key is stored encrypted and TOKENHUB_SECRET_KEY is not set');
  const parsed = JSON.parse(box.open(sealed, providerId)) as ProviderSecrets;
  return {
    ...(typeof parsed.api_key === 'string' ? { api_key: parsed.api_key } : {}),
    ...(parsed.headers && typeof parsed.headers === 'object' ? { headers: parsed.headers } : {}),
  };
}
