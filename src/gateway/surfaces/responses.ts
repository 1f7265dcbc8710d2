import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { HubError } from '../../core/index.js';
import type { Principal } from '../../economy/index.js';
import type { AgentModels } from '../agent-models.js';
import { apiKeyFrom } from '../http/auth.js';
import { createResponse } from './responses-create.js';
import {
  conversationItems,
  type ResponseStore,
  responseNotFound,
  retentionDaysFrom,
  startRetentionSweep,
  type TenantResponseStore,
} from './responses-store.js';
import type { SurfaceContext } from './surface-context.js';

export type { ResponseStore, StoredResponse, TenantResponseStore } from './responses-store.js';

export interface ResponsesSurfaceOptions {
  /** The config's `responses` section (`{ retention_days }`), read defensively. */
  config?: unknown;
  /** Ids of the providers that take `/responses` natively (a live set: providers change at run time). */
  nativeProviders?: ReadonlySet<string>;
  /** Runs `agent/<name>` models (omitted: those are unknown model names). */
  agentModels?: AgentModels;
  /** How often expired responses are swept (default hourly; 0 disables the timer). */
  sweepIntervalMs?: number;
  now?: () => Date;
}

const HOUR_MS = 3_600_000;

export const inputItemsQuery = z.looseObject({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  order: z.enum(['asc', 'desc']).default('desc'),
  after: z.string().min(1).optional(),
  before: z.string().min(1).optional(),
});

/**
 * The OpenAI Responses API on every configured model: `POST /v1/responses` (translated onto any
 * provider, or passed through to a native one) and the stored-response routes. Every route is
 * tenant-bound: a response created with one tenant's key is invisible (404) to every other tenant.
 */
export function registerResponses(
  app: FastifyInstance,
  surface: SurfaceContext,
  store: ResponseStore,
  options: ResponsesSurfaceOptions = {},
): void {
  const now = options.now ?? (() => new Date());
  const deps = {
    surface,
    store,
    nativeProviders: options.nativeProviders ?? new Set<string>(),
    retentionDays: retentionDaysFrom(options.config),
    now,
    ...(options.agentModels ? { agentModels: options.agentModels } : {}),
  };
  const sweepInterval = options.sweepIntervalMs ?? HOUR_MS;
  if (sweepInterval > 0) {
    const stop = startRetentionSweep(store, sweepInterval, now, surface.log);
    app.addHook('onClose', async () => stop());
  }

  const route = { config: { protocol: 'openai' as const } };
  const tenantStore = async (request: FastifyRequest): Promise<TenantResponseStore> => {
    const principal: Principal = await surface.economy.authenticate(apiKeyFrom(request.headers));
    return store.forTenant(principal.tenantId);
  };
  const idOf = (request: FastifyRequest): string => (request.params as { id: string }).id;

  app.post('/v1/responses', route, (request, reply) => createResponse(request, reply, deps));

  app.get('/v1/responses/:id', route, async (request, reply) => {
    const query = request.query as Record<string, unknown>;
    if (query.stream === 'true') {
      throw new HubError('UNSUPPORTED_FEATURE', 'Streaming a stored response again is not supported; retrieve it without stream.', {
        param: 'stream',
        code: 'unsupported_feature',
      });
    }
    const id = idOf(request);
    const stored = await (await tenantStore(request)).get(id);
    if (!stored) throw responseNotFound(id);
    return reply.type('application/json').send(JSON.stringify(stored.response));
  });

  app.delete('/v1/responses/:id', route, async (request, reply) => {
    const id = idOf(request);
    if (!(await (await tenantStore(request)).delete(id))) throw responseNotFound(id);
    return reply.type('application/json').send(JSON.stringify({ id, object: 'response', deleted: true }));
  });

  app.get('/v1/responses/:id/input_items', route, async (request, reply) => {
    const parsed = inputItemsQuery.safeParse(request.query);
    if (!parsed.success) {
      const param = parsed.error.issues[0]?.path.map(String).join('.') ?? 'query';
      throw new HubError('INVALID_REQUEST', `Invalid value for '${param}': ${parsed.error.issues[0]?.message ?? 'invalid'}`, { param });
    }
    const id = idOf(request);
    const chain = await (await tenantStore(request)).conversation(id);
    const target = chain.at(-1);
    if (!target || target.id !== id) throw responseNotFound(id);
    // The items the response was generated from: earlier turns' input and output, then its own input.
    const items = [...conversationItems(chain.slice(0, -1)), ...target.inputItems];
    return reply.type('application/json').send(JSON.stringify(pageOf(items, parsed.data)));
  });
}

function pageOf(items: Record<string, unknown>[], query: z.infer<typeof inputItemsQuery>) {
  const ordered = query.order === 'desc' ? [...items].reverse() : items;
  let start = 0;
  let end = ordered.length;
  if (query.after) {
    const index = ordered.findIndex((item) => item.id === query.after);
    if (index >= 0) start = index + 1;
  }
  if (query.before) {
    const index = ordered.findIndex((item) => item.id === query.before);
    if (index >= 0) end = index;
  }
  const window = ordered.slice(start, Math.max(start, end));
  const data = window.slice(0, query.limit);
  return {
    object: 'list' as const,
    data,
    first_id: (data[0]?.id as string | undefined) ?? null,
    last_id: (data.at(-1)?.id as string | undefined) ?? null,
    has_more: window.length > data.length,
  };
}
