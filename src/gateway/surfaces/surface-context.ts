import type { FastifyBaseLogger, FastifyReply, FastifyRequest } from 'fastify';
import { type EconomyGate, type KeyScope, requireScope } from '../../economy/index.js';
import type { ModelCatalog } from '../../routing/index.js';
import { apiKeyFrom } from '../http/auth.js';
import { clientRequestIdOf } from '../http/request-ids.js';
import { RequestTiming } from '../http/timing.js';
import type { ChatPipeline, GatewayCall } from '../pipeline/index.js';

/** What every surface needs: the pipeline, the catalog, and a way to open a call for an HTTP request. */
export interface SurfaceContext {
  pipeline: ChatPipeline;
  catalog: ModelCatalog;
  economy: EconomyGate;
  log: FastifyBaseLogger;
  /**
   * Authenticates the caller and opens the call. The key must carry `scope` (default `inference`: every
   * model API); a route that serves something else names its own scope.
   */
  begin(request: FastifyRequest, reply: FastifyReply, surface: GatewayCall['surface'], scope?: KeyScope): Promise<GatewayCall>;
}

export function createSurfaceContext(
  pipeline: ChatPipeline,
  catalog: ModelCatalog,
  economy: EconomyGate,
  log: FastifyBaseLogger,
): SurfaceContext {
  return {
    pipeline,
    catalog,
    economy,
    log,
    async begin(request, reply, surface, scope = 'inference') {
      const timing = timingOf(request);
      const principal = await economy.authenticate(apiKeyFrom(request.headers));
      requireScope(principal, scope);
      const controller = new AbortController();
      // The response closing before it finished means the client went away: abort the upstream at once.
      reply.raw.once('close', () => {
        if (!reply.raw.writableFinished) controller.abort();
      });
      const clientRequestId = clientRequestIdOf(request.headers);
      return {
        requestId: String(request.id),
        ...(clientRequestId ? { clientRequestId } : {}),
        principal,
        signal: controller.signal,
        timing,
        surface,
      };
    },
  };
}

const timings = new WeakMap<FastifyRequest, RequestTiming>();

/** The request's timing, started when its headers arrived (see the onRequest hook in app.ts). */
export function timingOf(request: FastifyRequest): RequestTiming {
  let timing = timings.get(request);
  if (!timing) {
    timing = new RequestTiming();
    timings.set(request, timing);
  }
  return timing;
}
