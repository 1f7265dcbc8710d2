import { HubError } from '../core/index.js';
import type { Principal } from './contract.js';

/**
 * What a virtual key may do. `inference`: the model APIs (`/v1/chat/completions`, `/v1/messages`,
 * `/v1/responses`, `/v1/completions`, `/v1/embeddings`, `/v1/models`); `agents:write`: define and change the
 * tenant's agents; `agents:run`: run them; `sandboxes`: make sandboxes, run code and keep files in them. A key made without scopes, and every key made before scopes
 * existed, has `inference` only.
 */
export const KEY_SCOPES = ['inference', 'agents:write', 'agents:run', 'sandboxes'] as const;
export type KeyScope = (typeof KEY_SCOPES)[number];
export const DEFAULT_KEY_SCOPES: readonly KeyScope[] = Object.freeze(['inference']);

export function hasScope(principal: Principal, scope: KeyScope): boolean {
  return principal.kind === 'admin' || principal.scopes.includes(scope);
}

/** Throws FORBIDDEN (`missing_scope`) unless the principal's key carries `scope`; the admin key carries all. */
export function requireScope(principal: Principal, scope: KeyScope): void {
  if (hasScope(principal, scope)) return;
  throw new HubError('FORBIDDEN', `This API key lacks the "${scope}" scope; create or change the key with scopes including "${scope}".`, {
    code: 'missing_scope',
  });
}
