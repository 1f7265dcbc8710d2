import { HubError } from '../core/index.js';
import type { EconomyGate } from '../economy/index.js';
import type { HubMetrics } from '../observability/index.js';
import { endRequestSpan, type GatewayTracing, startRequestSpan } from './request-span.js';

const REFUSAL_REASONS: Partial<Record<string, string>> = {
  BUDGET_EXCEEDED: 'budget',
  RATE_LIMITED: 'rate_limit',
  FORBIDDEN: 'forbidden',
  DEPENDENCY_UNAVAILABLE: 'unavailable',
};

/**
 * Wraps the economy so that every admission refusal and every settled request is counted and,
 * when tracing is on, traced: one span from admission to settlement.
 */
export function meteredGate(gate: EconomyGate, metrics: HubMetrics, tracing?: GatewayTracing): EconomyGate {
  return {
    authenticate: (apiKey) => gate.authenticate(apiKey),
    admit: async (principal, request) => {
      // Checked here so that with tracing off no attributes are even built.
      const span = tracing?.tracer.enabled ? startRequestSpan(tracing.tracer, principal, request) : undefined;
      let admission: Awaited<ReturnType<EconomyGate['admit']>>;
      try {
        admission = await gate.admit(principal, request);
      } catch (error) {
        const reason = error instanceof HubError ? REFUSAL_REASONS[error.code] : undefined;
        if (reason) metrics.observeRefusal(reason);
        if (span) {
          if (error instanceof HubError) span.setAttributes({ 'http.response.status_code': error.status });
          span.end(error);
        }
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
          if (span && tracing) endRequestSpan(span, outcome, tracing);
          return admission.settle(outcome);
        },
      };
    },
  };
}
