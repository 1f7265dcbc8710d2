import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import { type Picos, picosToUsd } from '../../core/index.js';
import type { EconomyGate } from '../../economy/index.js';

/** What settlement knows of a request once its ledger entry is durable (a subset of the ledger entry). */
export interface SettledRequest {
  requestId: string;
  tenantId: string | null;
  keyId: string | null;
  modelServed: string;
  inputTokens: number;
  outputTokens: number;
  cachedTokens: number;
  costPicos: Picos;
}

interface OpenRequest {
  admitted?: boolean;
  settledOrFailed?: boolean;
  entry?: SettledRequest;
  response?: { method: string; route: string; status: number; durationMs: number };
}

/**
 * One `info` line per HTTP request: method, route pattern, status, duration and request id from
 * Fastify, and model, key id, tokens and cost from the ledger entry settlement already built — never
 * the key or a body. Built only when `server.access_log` is on: off, nothing here is registered.
 *
 * A metered request's line waits for both ends, in either order: settlement usually finishes first (the
 * surfaces await it before ending the response), but a client that leaves mid-stream closes the
 * response before the aborted upstream call is settled.
 */
export class AccessLog {
  private readonly open = new Map<string, OpenRequest>();

  private readonly logger: FastifyBaseLogger;

  constructor(logger: FastifyBaseLogger) {
    this.logger = logger;
  }

  /** Tracks every request from its headers to the close of its response (finished or cut). */
  register(app: FastifyInstance): void {
    app.addHook('onRequest', (request, reply, done) => {
      const id = String(request.id);
      const open: OpenRequest = {};
      this.open.set(id, open);
      // 'close' comes once per response, finished or cut by the client; onResponse skips cut ones.
      reply.raw.once('close', () => {
        open.response = {
          method: request.method,
          route: request.routeOptions.url ?? request.url.split('?')[0] ?? '',
          status: reply.raw.writableFinished ? reply.statusCode : 499,
          durationMs: Math.round(reply.elapsedTime),
        };
        if (!open.admitted || open.settledOrFailed) this.write(id, open);
      });
      done();
    });
  }

  /** The gate, telling this log which requests will be settled (and when settlement has ended). */
  watch(gate: EconomyGate): EconomyGate {
    return {
      authenticate: (apiKey) => gate.authenticate(apiKey),
      admit: async (principal, request) => {
        const admission = await gate.admit(principal, request);
        const open = this.open.get(request.requestId);
        // Calls of the in-process client have no HTTP request, hence no line.
        if (!open) return admission;
        open.admitted = true;
        const settled = (): void => {
          open.settledOrFailed = true;
          if (open.response) this.write(request.requestId, open);
        };
        return {
          principal: admission.principal,
          settle: (outcome) => {
            const settlement = admission.settle(outcome);
            settlement.then(settled, settled);
            return settlement;
          },
        };
      },
    };
  }

  /** The economy's onSettled hook: the ledger entry, once durable. */
  settled(entry: SettledRequest): void {
    const open = this.open.get(entry.requestId);
    if (open) open.entry = entry;
  }

  private write(id: string, open: OpenRequest): void {
    this.open.delete(id);
    const { response, entry } = open;
    if (!response) return;
    this.logger.info(
      {
        access: true,
        method: response.method,
        route: response.route,
        status: response.status,
        duration_ms: response.durationMs,
        request_id: id,
        ...(entry
          ? {
              model: entry.modelServed,
              tenant_id: entry.tenantId,
              key_id: entry.keyId,
              input_tokens: entry.inputTokens,
              output_tokens: entry.outputTokens,
              cached_tokens: entry.cachedTokens,
              cost_usd: picosToUsd(entry.costPicos),
            }
          : {}),
      },
      'request',
    );
  }
}
