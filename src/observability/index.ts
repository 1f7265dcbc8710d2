/** Observability: structured JSON logs with secrets redacted, and Prometheus metrics. */
export { createLogger, REDACTED_PATHS } from './logger.js';
export { HubMetrics, type RequestObservation, type SpendObservation } from './metrics.js';
