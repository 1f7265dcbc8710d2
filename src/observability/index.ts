/** Observability: structured JSON logs with secrets redacted, Prometheus metrics, and OpenTelemetry traces. */
export { type InboxEventObservation, InboxMetrics, type InboxTaskObservation } from './inbox-metrics.js';
export { createLogger, REDACTED_PATHS } from './logger.js';
export {
  type AgentStepObservation,
  HubMetrics,
  type RequestObservation,
  type SpendObservation,
  type ToolCallObservation,
} from './metrics.js';
export {
  createTracer,
  errorTypeOf,
  noopTracer,
  type SpanAttributes,
  type SpanAttributeValue,
  type SpanOptions,
  type Tracer,
  type TraceSpan,
  type TracingOptions,
} from './tracing.js';
