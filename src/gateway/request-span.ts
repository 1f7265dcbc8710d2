import type { AdmissionRequest, Principal, SettlementOutcome } from '../economy/index.js';
import type { Tracer, TraceSpan } from '../observability/index.js';

/** What the gateway traces with: the tracer, and where each provider's upstream lives. */
export interface GatewayTracing {
  tracer: Tracer;
  /** Host (and port) of a provider's upstream, for `server.address`; undefined when unknown (local engines). */
  upstreamOf?: (providerId: string) => { address: string; port?: number } | undefined;
}

const operationOf = (request: AdmissionRequest): string =>
  request.operation ?? (request.embeddingsInput !== undefined ? 'embeddings' : 'chat');

/**
 * Opens the span of one gateway request at admission, with the GenAI semantic-convention request
 * attributes. Only ids and request parameters go in: never keys, prompts or completions.
 */
export function startRequestSpan(tracer: Tracer, principal: Principal, request: AdmissionRequest): TraceSpan {
  const operation = operationOf(request);
  return tracer.startSpan(`${operation} ${request.model}`, {
    'gen_ai.operation.name': operation,
    'gen_ai.request.model': request.model,
    'gen_ai.request.max_tokens': request.chat?.maxTokens,
    'gen_ai.request.temperature': request.chat?.temperature,
    'tokenhub.request_id': request.requestId,
    'tokenhub.tenant_id': principal.tenantId ?? undefined,
    'tokenhub.surface': request.surface,
    'tokenhub.stream': request.chat?.stream,
  });
}

/** Closes a request's span with how it ended: served model, provider, usage, status, attempts. */
export function endRequestSpan(span: TraceSpan, outcome: SettlementOutcome, tracing: GatewayTracing): void {
  const upstream = outcome.providerId ? tracing.upstreamOf?.(outcome.providerId) : undefined;
  span.setAttributes({
    'gen_ai.system': outcome.providerId ?? undefined,
    'gen_ai.provider.name': outcome.providerId ?? undefined,
    'gen_ai.response.model': outcome.upstreamModel ?? outcome.servedModel,
    'tokenhub.served_model': outcome.servedModel,
    'gen_ai.usage.input_tokens': outcome.usage?.inputTokens,
    'gen_ai.usage.output_tokens': outcome.usage?.outputTokens,
    'server.address': upstream?.address,
    'server.port': upstream?.port,
    'http.response.status_code': outcome.status,
    'tokenhub.attempts': outcome.attempts,
    'tokenhub.latency_ms': Math.round(outcome.latencyMs),
  });
  span.end(outcome.error ?? (outcome.status >= 400 ? new StatusError(outcome.status) : undefined));
}

/** Stands in for an error when a request failed without one (e.g. the client left: 499). */
class StatusError extends Error {
  constructor(status: number) {
    super(`status ${status}`);
    this.name = String(status);
  }
}
