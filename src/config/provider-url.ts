/**
 * Provider base URLs in the one form each adapter appends its request paths to.
 *
 * - `openai`: the API root including its version path (`https://api.openai.com/v1`); the hub appends
 *   `/chat/completions`, `/embeddings`, `/completions`, `/responses`. Taken as given: vendors put the version
 *   in different places (`/compatible-mode/v1`, `/openai/v1`, `/api/v1`).
 * - `anthropic`: the root with `/v1` (the hub appends `/messages`). Like the Anthropic SDK, the host alone
 *   (`https://api.anthropic.com`) or a gateway prefix without `/v1` is accepted too: `/v1` is added once,
 *   here, when the config is loaded or a provider is created or changed through the admin API.
 * - `local`: no URL.
 */
export function normalizeProviderBaseUrl(type: string, baseUrl: string): string {
  if (type !== 'anthropic') return baseUrl;
  const url = new URL(baseUrl);
  const path = url.pathname.replace(/\/+$/, '');
  url.pathname = path.endsWith('/v1') ? path : `${path}/v1`;
  return url.toString();
}
