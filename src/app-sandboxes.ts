import type { FastifyPluginAsync } from 'fastify';
import type { Logger } from 'pino';
import { request as undiciRequest } from 'undici';
import { guardedDispatcherOf, tenantAuthenticator } from './app-agents.js';
import type { HubConfig } from './config/index.js';
import type { Economy } from './economy/index.js';
import type { Identity } from './identity/index.js';
import { checkUpstreamUrl, type UpstreamAddressPolicy } from './providers/index.js';
import {
  E2BSandboxProvider,
  LocalSandboxProvider,
  type SandboxFetch,
  type SandboxFetchAnswer,
  type SandboxLimits,
  type SandboxProvider,
  SandboxReclaimer,
  SandboxService,
  sandboxRoutes,
} from './sandboxes/index.js';
import type { Database } from './storage/index.js';

/** How long a sandbox's outbound request may take. */
const FETCH_TIMEOUT_MS = 10_000;

export interface HubSandboxes {
  service: SandboxService;
  providers: Partial<Record<'local' | 'e2b', SandboxProvider>>;
  reclaimer: SandboxReclaimer;
  routes: FastifyPluginAsync;
  start(): void;
  stop(): Promise<void>;
}

/**
 * An outbound request of sandbox code granted the network: made by the hub, to addresses the upstream address
 * policy allows (every connect checked, so DNS or a redirect cannot reach a refused one), its body cut at the
 * sandbox's output limit.
 */
function sandboxFetcher(policy: UpstreamAddressPolicy): (request: SandboxFetch, limits: SandboxLimits) => Promise<SandboxFetchAnswer> {
  const dispatcher = guardedDispatcherOf(policy);
  return async (request, limits) => {
    await checkUpstreamUrl(request.url, policy, { param: 'url', subject: 'url' });
    const method = (request.method ?? 'GET').toUpperCase();
    const response = await undiciRequest(request.url, {
      method: method as 'GET',
      ...(request.headers ? { headers: request.headers } : {}),
      ...(request.body !== undefined && method !== 'GET' && method !== 'HEAD' ? { body: request.body } : {}),
      dispatcher,
      headersTimeout: FETCH_TIMEOUT_MS,
      bodyTimeout: FETCH_TIMEOUT_MS,
    });
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of response.body) {
      const buffer = chunk as Buffer;
      if (size + buffer.byteLength > limits.output_bytes) {
        chunks.push(buffer.subarray(0, limits.output_bytes - size));
        response.body.destroy();
        break;
      }
      size += buffer.byteLength;
      chunks.push(buffer);
    }
    const contentType = response.headers['content-type'];
    return {
      status: response.statusCode,
      body: Buffer.concat(chunks).toString('utf8'),
      contentType: typeof contentType === 'string' ? contentType : '',
    };
  };
}

/** Composition of sandboxes from the hub's parts: the database, the economy (billing), identity (callers), the address policy. */
export function composeSandboxes(parts: {
  db: Database;
  config: HubConfig;
  economy: Economy;
  identity: Identity;
  policy: UpstreamAddressPolicy;
  logger: Logger;
  /** With it, the `e2b` provider (configured by `sandboxes.e2b`). */
  e2bApiKey?: string | undefined;
  sweepEveryMs?: number;
}): HubSandboxes {
  const config = parts.config.sandboxes;
  const e2b = config.e2b;
  const providers: Partial<Record<'local' | 'e2b', SandboxProvider>> = {
    local: new LocalSandboxProvider(),
    ...(parts.e2bApiKey
      ? {
          e2b: new E2BSandboxProvider({
            apiKey: parts.e2bApiKey,
            template: e2b.template,
            ...(e2b.domain ? { domain: e2b.domain } : {}),
            ...(e2b.api_url ? { apiUrl: e2b.api_url } : {}),
            ...(e2b.sandbox_url ? { sandboxUrl: e2b.sandbox_url } : {}),
          }),
        }
      : {}),
  };
  const service = new SandboxService({
    db: parts.db,
    config,
    spend: parts.economy.spend,
    principalForKey: (tenantId, keyId) => parts.economy.principalForKey(tenantId, keyId),
    providers,
    fetch: sandboxFetcher(parts.policy),
  });
  const reclaimer = new SandboxReclaimer({
    db: parts.db,
    service,
    logger: parts.logger,
    ...(parts.sweepEveryMs ? { everyMs: parts.sweepEveryMs } : {}),
  });
  const authenticateTenant = tenantAuthenticator(parts.identity, 'sandboxes');
  const routes = sandboxRoutes({
    sandboxes: service,
    authenticate: (request) => authenticateTenant(request, ['sandboxes']),
    maxFileBytes: config.max_limits.storage_bytes,
  });
  return {
    service,
    providers,
    reclaimer,
    routes,
    start: () => reclaimer.start(),
    async stop() {
      await reclaimer.stop();
      await Promise.allSettled(Object.values(providers).map((provider) => provider?.close()));
    },
  };
}
