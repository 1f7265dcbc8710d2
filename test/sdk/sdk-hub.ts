/** A real hub on the scripted provider and a tenant with a service key, for the SDK's tests. */
import type { ScriptStepInput } from '../../src/config/index.js';
import { TokenHub, type TokenHubOptions } from '../../src/sdk/index.js';
import { createKey, createTenant } from '../support/economy.js';
import { type ConfigInput, startTestHub, type TestHub } from '../support/hub.js';

export const SCRIPTED: ConfigInput = {
  providers: [{ id: 'script', type: 'scripted' }],
  models: [
    { name: 'scripted', targets: [{ provider: 'script', model: 'scripted' }], pricing: { input_per_mtok: 10, output_per_mtok: 30 } },
  ],
};

export interface SdkHub {
  hub: TestHub;
  tenantId: string;
  /** A service key with `agents:write` and `agents:run`. */
  key: string;
  /** A service key of the same tenant with the `sandboxes` scope (and only it). */
  sandboxKey: string;
  /** An SDK client of the hub: the service key unless told otherwise. */
  client(options?: TokenHubOptions): TokenHub;
  /** Sets the scripted model's answers. */
  script(steps: readonly ScriptStepInput[]): void;
}

export async function startSdkHub(tenantName: string): Promise<SdkHub> {
  const hub = await startTestHub(SCRIPTED);
  const tenant = await createTenant(hub, tenantName);
  const { key } = await createKey(hub, { tenant_id: tenant.id, scopes: ['agents:write', 'agents:run'] });
  const { key: sandboxKey } = await createKey(hub, { tenant_id: tenant.id, scopes: ['sandboxes'] });
  return {
    hub,
    tenantId: tenant.id,
    key,
    sandboxKey,
    client: (options = {}) => new TokenHub({ url: hub.url, apiKey: key, ...options }),
    script: (steps) => hub.hub.scripted('script').setScript(steps),
  };
}
