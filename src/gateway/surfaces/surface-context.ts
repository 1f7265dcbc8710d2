import type { FastifyBaseLogger, FastifyReply, FastifyRequest } from 'fastify';
import { type BodyRecorder, type EconomyGate, type KeyScope, requireScope } from '../../economy/index.js';
import type { ModelCatalog } from '../../routing/index.js';
import { apiKeyFrom } from '../http/auth.js';
import { captureBodies } from '../http/body-capture.js';
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
  bodyLog?: BodyRecorder,
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
      // Keys that keep no bodies (almost all) pay this one property check. Reads (model lists, stored responses) are not calls.
      if (principal.bodyRetentionDays !== undefined && bodyLog && request.method === 'POST')
        captureBodies(request, reply, principal, bodyLog);
      const controller = new AbortController();
      // The response closing before it finished means the client went away: abort the upstream at once.
      reply.raw.once('close', () => {
        if (!reply.raw.writableFinished) controller.abort();
      });
      const clientRequestId = clientRequestIdFor(request);
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

/** What the onRequest hook learns of a request once, for the handler. */
interface RequestState {
  timing: RequestTiming;
  /** The client's own id (`x-client-request-id` / `x-request-id`), validated once. */
  clientRequestId: string | undefined;
}

const states = new WeakMap<FastifyRequest, RequestState>();

function stateOf(request: FastifyRequest): RequestState {
  let state = states.get(request);
  if (!state) {
    state = { timing: new RequestTiming(), clientRequestId: clientRequestIdOf(request.headers) };
    states.set(request, state);
  }
  return state;
}

/** The request's timing, started when its headers arrived (see the onRequest hook in app.ts). */
export function timingOf(request: FastifyRequest): RequestTiming {
  return stateOf(request).timing;
}

/** The client's own request id, parsed from the headers once per request. */
export function clientRequestIdFor(request: FastifyRequest): string | undefined {
  return stateOf(request).clientRequestId;
}
