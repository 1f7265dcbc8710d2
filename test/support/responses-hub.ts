/**
 * A gateway with the Responses surface, for its HTTP tests: the real app (`createGatewayApp`), real
 * providers, router and storage (PGlite, or PostgreSQL when TOKENHUB_TEST_DATABASE_URL is set), and an
 * economy gate that knows two tenants' keys besides the admin key and records every admission and
 * settlement — so tests can assert tenant isolation and "billed exactly once" without the full economy.
 */
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { configSchema } from '../../src/config/index.js';
import { HubError } from '../../src/core/index.js';
import type { AdmissionRequest, EconomyGate, Principal, SettlementOutcome } from '../../src/economy/index.js';
import { createGatewayApp } from '../../src/gateway/index.js';
import { registerResponses } from '../../src/gateway/surfaces/responses.js';
import { HubMetrics } from '../../src/observability/index.js';
import { createProvider, nativeResponsesProviders, type Provider } from '../../src/providers/index.js';
import { ModelCatalog, Router } from '../../src/routing/index.js';
import { MIGRATIONS, migrate } from '../../src/storage/index.js';
import { responsesStore } from '../../src/storage/responses.repo.js';
import type { ConfigInput } from './hub.js';
import { getTestDb, type TestDb } from './test-db.js';

export const ADMIN_KEY = 'thadm_responses_admin';
export const TENANT_A_KEY = 'thk_tenant_a';
export const TENANT_B_KEY = 'thk_tenant_b';

const principal = (tenantId: string | null): Principal => ({
  kind: tenantId ? 'virtual-key' : 'admin',
  tenantId,
  projectId: null,
  keyId: tenantId ? `key_${tenantId}` : null,
  allowedModels: null,
  scopes: ['inference'],
});

const PRINCIPALS: Record<string, Principal> = {
  [ADMIN_KEY]: principal(null),
  [TENANT_A_KEY]: principal('ten_a'),
  [TENANT_B_KEY]: principal('ten_b'),
};

export interface RecordedCall {
  principal: Principal;
  admission: AdmissionRequest;
  settlements: SettlementOutcome[];
}

export class RecordingGate implements EconomyGate {
  readonly calls: RecordedCall[] = [];

  async authenticate(apiKey: string | undefined): Promise<Principal> {
    const found = apiKey ? PRINCIPALS[apiKey] : undefined;
    if (!found) throw new HubError('UNAUTHENTICATED', 'Incorrect API key provided.', { code: 'invalid_api_key' });
    return found;
  }

  async admit(who: Principal, admission: AdmissionRequest) {
    const call: RecordedCall = { principal: who, admission, settlements: [] };
    this.calls.push(call);
    return {
      principal: who,
      settle: async (outcome: SettlementOutcome): Promise<void> => {
        call.settlements.push(outcome);
      },
    };
  }

  last(): RecordedCall | undefined {
    return this.calls.at(-1);
  }
}

export interface ResponsesHub {
  url: string;
  openaiBaseUrl: string;
  gate: RecordingGate;
  testDb: TestDb;
  close(): Promise<void>;
}

export async function startResponsesHub(config: ConfigInput, responses: { retention_days?: number } = {}): Promise<ResponsesHub> {
  const parsed = configSchema.parse(config);
  const testDb = await getTestDb();
  await migrate(testDb.db, MIGRATIONS);
  const providers = new Map<string, Provider>();
  for (const provider of parsed.providers) providers.set(provider.id, createProvider(provider));
  const catalog = new ModelCatalog(parsed);
  const router = new Router(catalog, providers, parsed.routing);
  const gate = new RecordingGate();
  const store = responsesStore(testDb.db);
  const { app } = await createGatewayApp({
    server: parsed.server,
    catalog,
    router,
    economy: gate,
    logger: pino({ level: process.env.TOKENHUB_TEST_LOG_LEVEL ?? 'silent' }),
    readiness: async () => ({ ok: true, checks: {} }),
    metrics: new HubMetrics(),
    extensions: [
      (instance, surface) =>
        registerResponses(instance, surface, store, { config: responses, nativeProviders: nativeResponsesProviders(providers.values()) }),
    ],
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  return {
    url,
    openaiBaseUrl: `${url}/v1`,
    gate,
    testDb,
    async close() {
      await app.close();
      await Promise.allSettled([...providers.values()].map((provider) => provider.close()));
      await testDb.close();
    },
  };
}
