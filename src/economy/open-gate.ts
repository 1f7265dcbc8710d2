import { HubError } from '../core/index.js';
import { secretMatchesHash } from './admin-key.js';
import type { Admission, EconomyGate, Principal } from './contract.js';
import { KEY_SCOPES } from './scopes.js';

const ADMIN: Principal = { kind: 'admin', tenantId: null, projectId: null, keyId: null, allowedModels: null, scopes: KEY_SCOPES };

/** Admin-key-only gate: authenticates the admin key and admits everything without metering. */
export function createAdminKeyGate(adminKeyHash: string): EconomyGate {
  return {
    authenticate: async (apiKey) => {
      if (!apiKey) throw new HubError('UNAUTHENTICATED', 'Missing API key: send Authorization: Bearer <key> or x-api-key.');
      if (!secretMatchesHash(apiKey, adminKeyHash))
        throw new HubError('UNAUTHENTICATED', 'Incorrect API key provided.', { code: 'invalid_api_key' });
      return ADMIN;
    },
    admit: async (principal): Promise<Admission> => ({ principal, settle: async () => {} }),
  };
}
