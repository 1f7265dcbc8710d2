/**
 * The one error catalog. Code throws `HubError(CODE, message, details)`; only `wire/*` renders it,
 * in the exact shape of the client's protocol.
 */
export type ErrorCategory = 'user' | 'system' | 'upstream';

export interface ErrorSpec {
  readonly status: number;
  readonly category: ErrorCategory;
  readonly retryable: boolean;
  /** OpenAI `error.type` */
  readonly openaiType: string;
  /** Anthropic `error.type` */
  readonly anthropicType: string;
}

const spec = (status: number, category: ErrorCategory, retryable: boolean, openaiType: string, anthropicType: string): ErrorSpec => ({
  status,
  category,
  retryable,
  openaiType,
  anthropicType,
});

export const ERROR_CATALOG = {
  INVALID_JSON: spec(400, 'user', false, 'invalid_request_error', 'invalid_request_error'),
  INVALID_REQUEST: spec(400, 'user', false, 'invalid_request_error', 'invalid_request_error'),
  UNSUPPORTED_FEATURE: spec(400, 'user', false, 'invalid_request_error', 'invalid_request_error'),
  UNAUTHENTICATED: spec(401, 'user', false, 'authentication_error', 'authentication_error'),
  FORBIDDEN: spec(403, 'user', false, 'permission_error', 'permission_error'),
  NOT_FOUND: spec(404, 'user', false, 'invalid_request_error', 'not_found_error'),
  MODEL_NOT_FOUND: spec(404, 'user', false, 'invalid_request_error', 'not_found_error'),
  METHOD_NOT_ALLOWED: spec(405, 'user', false, 'invalid_request_error', 'invalid_request_error'),
  CONFLICT: spec(409, 'user', false, 'invalid_request_error', 'invalid_request_error'),
  PAYLOAD_TOO_LARGE: spec(413, 'user', false, 'invalid_request_error', 'request_too_large'),
  UNSUPPORTED_MEDIA_TYPE: spec(415, 'user', false, 'invalid_request_error', 'invalid_request_error'),
  RATE_LIMITED: spec(429, 'user', false, 'rate_limit_error', 'rate_limit_error'),
  // 402, never 429: SDKs retry 429s on their own, and a budget refusal is a decision about money, not load.
  BUDGET_EXCEEDED: spec(402, 'user', false, 'insufficient_quota', 'billing_error'),
  CLIENT_CLOSED: spec(499, 'user', false, 'invalid_request_error', 'invalid_request_error'),
  INTERNAL: spec(500, 'system', false, 'server_error', 'api_error'),
  UPSTREAM_ERROR: spec(502, 'upstream', true, 'upstream_error', 'api_error'),
  UPSTREAM_RATE_LIMITED: spec(429, 'upstream', true, 'rate_limit_error', 'rate_limit_error'),
  UPSTREAM_UNAVAILABLE: spec(503, 'upstream', true, 'upstream_error', 'overloaded_error'),
  UPSTREAM_TIMEOUT: spec(504, 'upstream', true, 'timeout_error', 'timeout_error'),
  UPSTREAM_REJECTED: spec(400, 'upstream', false, 'invalid_request_error', 'invalid_request_error'),
  NO_HEALTHY_TARGET: spec(503, 'upstream', true, 'upstream_error', 'overloaded_error'),
  OVERLOADED: spec(503, 'system', true, 'server_error', 'overloaded_error'),
  DEPENDENCY_UNAVAILABLE: spec(503, 'system', true, 'server_error', 'api_error'),
} as const satisfies Record<string, ErrorSpec>;

export type ErrorCode = keyof typeof ERROR_CATALOG;

export interface HubErrorDetails {
  /** Which request field is at fault (OpenAI `error.param`). */
  param?: string;
  /** Overrides the HTTP status of the catalog (e.g. an upstream 4xx passed on as is). */
  status?: number;
  /** Seconds after which a retry may succeed. */
  retryAfterSeconds?: number;
  /** The HTTP status the upstream answered, when it answered (the admin API's connection test shows it). */
  upstreamStatus?: number;
  /** Machine-readable extra code for OpenAI `error.code` (defaults to the lower-cased catalog code). */
  code?: string;
  cause?: unknown;
}

/**
 * The longest message an error carries. Messages quote what the client sent (a model name, an id, a
 * field's value) and the client's input has no length bound here, so a longer message keeps its start
 * and its end (where the explanation is) around an ellipsis: input never comes back at full length.
 */
export const MAX_ERROR_MESSAGE_LENGTH = 400;

export function boundedMessage(message: string): string {
  if (message.length <= MAX_ERROR_MESSAGE_LENGTH) return message;
  const keep = MAX_ERROR_MESSAGE_LENGTH - 1;
  let headEnd = Math.ceil(keep / 2);
  let tailStart = message.length - Math.floor(keep / 2);
  // Never cut a surrogate pair in two: the halves would render as replacement characters.
  if (isHighSurrogate(message.charCodeAt(headEnd - 1))) headEnd--;
  if (isLowSurrogate(message.charCodeAt(tailStart))) tailStart++;
  return `${message.slice(0, headEnd)}…${message.slice(tailStart)}`;
}

const isHighSurrogate = (code: number): boolean => code >= 0xd800 && code <= 0xdbff;
const isLowSurrogate = (code: number): boolean => code >= 0xdc00 && code <= 0xdfff;

export class HubError extends Error {
  readonly code: ErrorCode;
  readonly details: HubErrorDetails;

  constructor(code: ErrorCode, message: string, details: HubErrorDetails = {}) {
    super(boundedMessage(message), details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'HubError';
    this.code = code;
    this.details = details;
  }

  get spec(): ErrorSpec {
    return ERROR_CATALOG[this.code];
  }

  get status(): number {
    return this.details.status ?? this.spec.status;
  }

  get retryable(): boolean {
    return this.spec.retryable;
  }
}

export function isHubError(error: unknown): error is HubError {
  return error instanceof HubError;
}

/** Socket errors and PostgreSQL's "connection" class (08…) and shutdown codes (57P01–57P03). */
const DEPENDENCY_ERROR_CODES = /^(ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|ENOTFOUND|EAI_AGAIN|08\d\d\d|57P0[123])$/;

/** Any thrown value as a HubError; unknown errors become INTERNAL with a message that leaks nothing. */
export function toHubError(error: unknown): HubError {
  if (error instanceof HubError) return error;
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && DEPENDENCY_ERROR_CODES.test(code)) {
    return new HubError('DEPENDENCY_UNAVAILABLE', 'A dependency of the hub (its database) is unreachable; retry shortly.', {
      cause: error,
      retryAfterSeconds: 1,
    });
  }
  const message = (error as { message?: unknown } | null)?.message;
  if (
    typeof message === 'string' &&
    /Connection terminated|connect ECONNREFUSED|the database system is (starting up|shutting down)/.test(message)
  ) {
    return new HubError('DEPENDENCY_UNAVAILABLE', 'A dependency of the hub (its database) is unreachable; retry shortly.', {
      cause: error,
      retryAfterSeconds: 1,
    });
  }
  return new HubError('INTERNAL', 'Internal error', { cause: error });
}
