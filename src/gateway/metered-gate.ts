import { HubError } from '../core/index.js';
import type { EconomyGate } from '../economy/index.js';
import type { HubMetrics } from '../observability/index.js';

const REFUSAL_REASONS: Partial<Record<string, string>> = {
  BUDGET_EXCEEDED: 'budget',
  PAYMENT_REQUIRED: 'budget',
  RATE_LIMITED: 'rate_limit',
  FORBIDDEN: 'forbidden',
  DEPENDENCY_UNAVAILABLE: 'unavailable',
};

/** Wraps the economy so that every admission refusal and every settled request is counted. */
export function meteredGate(gate: EconomyGate, metrics: HubMetrics): EconomyGate {
  return {
    authenticate: (apiKey) => gate.authenticate(apiKey),
    admit: async (principal, request) => {
      let admission: Awaited<ReturnType<EconomyGate['admit']>>;
      try {
        admission = await gate.admit(principal, request);
      } catch (error) {
        const reason = error instanceof HubError ? REFUSAL_REASONS[error.code] : undefined;
        if (reason) metrics.observeRefusal(reason);
        throw error;
      }
      return {
        principal: admission.principal,
        settle: (outcome) => {
          metrics.observeRequest({
            surface: request.surface,
            model: outcome.servedModel,
            provider: outcome.providerId ?? 'none',
            status: outcome.status,
            stream: outcome.stream,
            latencyMs: outcome.latencyMs,
            ...(outcome.ttfbMs !== undefined ? { ttfbMs: outcome.ttfbMs } : {}),
            ...(outcome.error ? { errorCode: outcome.error.code } : {}),
          });
          return admission.settle(outcome);
        },
      };
    },
  };
}
