/** A real hub with sandboxes and a tenant holding a key with the `sandboxes` scope, for the sandbox tests. */
import { createKey, createTenant } from '../support/economy.js';
import { type ConfigInput, startTestHub, type TestHub, type TestHubOverrides } from '../support/hub.js';

export interface SandboxHub {
  hub: TestHub;
  tenantId: string;
  keyId: string;
  key: string;
  /** Calls the hub with the tenant's key (or another); JSON in and out. */
  call<T = Record<string, unknown>>(method: string, path: string, body?: unknown, key?: string): Promise<{ status: number; body: T }>;
  close(): Promise<void>;
}

export async function startSandboxHub(config: ConfigInput = {}, overrides: TestHubOverrides = {}): Promise<SandboxHub> {
  const hub = await startTestHub(config, overrides);
  const tenant = await createTenant(hub, `sandbox-tenant-${Math.random().toString(36).slice(2, 8)}`);
  const created = await createKey(hub, { tenant_id: tenant.id, scopes: ['sandboxes'] });
  const call = async <T>(method: string, path: string, body?: unknown, key = created.key) => {
    const response = await fetch(`${hub.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    return { status: response.status, body: (text ? JSON.parse(text) : null) as T };
  };
  return { hub, tenantId: tenant.id, keyId: created.id, key: created.key, call, close: () => hub.close() };
}
