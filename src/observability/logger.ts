import pino, { type Logger } from 'pino';

/** Paths whose values are secrets: never written to logs, whatever the level. */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers["x-api-key"]',
  'headers.authorization',
  'headers["x-api-key"]',
  '*.api_key',
  '*.apiKey',
  '*.key',
  'api_key',
  'apiKey',
];

/** Lines waiting while stdout's reader is stalled, at most; past it lines are dropped rather than memory grown. */
const MAX_PENDING_LOG_BYTES = 16 * 1024 * 1024;

/**
 * stdout, written asynchronously (pino's own default, made explicit here): a line goes out as soon as the
 * write before it has finished, and lines that came meanwhile go out together. A stalled log reader never
 * blocks the event loop, and what waits for it is bounded. Pino flushes what is pending on exit and after
 * every `fatal` line; a `kill -9` can lose the lines still waiting, never a ledger entry (the journal is separate).
 */
function stdoutDestination(): pino.DestinationStream {
  return pino.destination({ dest: 1, sync: false, maxLength: MAX_PENDING_LOG_BYTES });
}

export function createLogger(options: { level?: string; destination?: pino.DestinationStream } = {}): Logger {
  return pino(
    {
      level: options.level ?? process.env.TOKENHUB_LOG_LEVEL ?? 'info',
      base: { service: 'tokenhub' },
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    options.destination ?? stdoutDestination(),
  );
}
