/** Observability: structured JSON logs with secrets redacted. */
export { createLogger, REDACTED_PATHS } from './logger.js';
