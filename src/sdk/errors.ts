/**
 * What a refusal of the hub becomes: one class per kind of refusal, each carrying the hub's error object
 * (`{ error: { message, type, param, code } }`) and the request id to quote in a bug report.
 */

export interface TokenHubErrorFields {
  status?: number | undefined;
  code?: string | null | undefined;
  param?: string | null | undefined;
  type?: string | null | undefined;
  requestId?: string | null | undefined;
  retryAfterMs?: number | undefined;
  headers?: Headers | undefined;
  cause?: unknown;
}

/** Every error the SDK throws for a call that did not succeed. */
export class TokenHubError extends Error {
  /** The HTTP status; undefined when no answer came (a connection error or a timeout). */
  readonly status: number | undefined;
  /** The hub's machine-readable code (`agent_not_found`, `missing_scope`, `budget_exceeded`…). */
  readonly code: string | null;
  /** The request field at fault, when the hub named one. */
  readonly param: string | null;
  /** The hub's error type (`invalid_request_error`, `rate_limit_error`…). */
  readonly type: string | null;
  /** The hub's `x-request-id` for this answer. */
  readonly requestId: string | null;
  /** How long the hub asked to wait before a retry (`retry-after`), when it said. */
  readonly retryAfterMs: number | undefined;
  readonly headers: Headers | undefined;

  constructor(message: string, fields: TokenHubErrorFields = {}) {
    super(message, fields.cause === undefined ? undefined : { cause: fields.cause });
    this.name = new.target.name;
    this.status = fields.status;
    this.code = fields.code ?? null;
    this.param = fields.param ?? null;
    this.type = fields.type ?? null;
    this.requestId = fields.requestId ?? null;
    this.retryAfterMs = fields.retryAfterMs;
    this.headers = fields.headers;
  }
}

/** 400: the request is malformed or names something invalid (`param` says which field). */
export class InvalidRequestError extends TokenHubError {}
/** 401: no key, an unknown key or a revoked one. */
export class AuthenticationError extends TokenHubError {}
/** 402: a budget the call is charged to cannot hold it. Never retried: it is a decision about money. */
export class BudgetExceededError extends TokenHubError {}
/** 403: the key lacks a scope (`missing_scope`), the person their role's permission, or the route needs a person. */
export class PermissionError extends TokenHubError {}
/** 404: no such agent, run, thread, task or workflow in the key's tenant. */
export class NotFoundError extends TokenHubError {}
/** 409: the thing is not in a state that allows this (a run not waiting, a task claimed by someone else). */
export class ConflictError extends TokenHubError {}
/** 429: a rate or concurrency limit; `retryAfterMs` says when a retry can pass. */
export class RateLimitError extends TokenHubError {}
/** 5xx: the hub or an upstream behind it failed. */
export class ServerError extends TokenHubError {}
/** No answer: the hub could not be reached or the connection broke. */
export class ConnectionError extends TokenHubError {}
/** No answer within `timeoutMs`. */
export class TimeoutError extends ConnectionError {}

type ErrorClass = new (message: string, fields: TokenHubErrorFields) => TokenHubError;

const CLASS_BY_STATUS: Readonly<Record<number, ErrorClass>> = {
  400: InvalidRequestError,
  401: AuthenticationError,
  402: BudgetExceededError,
  403: PermissionError,
  404: NotFoundError,
  409: ConflictError,
  422: InvalidRequestError,
  429: RateLimitError,
};

/** `retry-after` as milliseconds: delta-seconds or an HTTP date; undefined when absent or unreadable. */
export function retryAfterMsOf(headers: Headers, now = Date.now()): number | undefined {
  const value = headers.get('retry-after')?.trim();
  if (!value) return undefined;
  if (/^\d+(\.\d+)?$/.test(value)) return Math.round(Number(value) * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

const textOf = (value: unknown): string | null => (typeof value === 'string' ? value : null);

/**
 * The error for a non-2xx answer. The hub answers `{ error: { message, type, param, code } }` (the OpenAI
 * shape; its Anthropic surface `{ type: "error", error: { type, message } }`); anything else (a proxy's
 * HTML page) keeps the status and a short excerpt as the message.
 */
export function errorFromResponse(status: number, headers: Headers, bodyText: string): TokenHubError {
  let body: unknown;
  try {
    body = bodyText ? JSON.parse(bodyText) : undefined;
  } catch {
    body = undefined;
  }
  const error = (body as { error?: unknown } | undefined)?.error;
  const fields = typeof error === 'object' && error !== null ? (error as Record<string, unknown>) : {};
  const message =
    textOf(fields.message) ?? (typeof error === 'string' ? error : null) ?? (bodyText.trim().slice(0, 300) || `HTTP ${status}`);
  const ErrorOfStatus = CLASS_BY_STATUS[status] ?? (status >= 500 ? ServerError : TokenHubError);
  return new ErrorOfStatus(message, {
    status,
    code: textOf(fields.code),
    param: textOf(fields.param),
    type: textOf(fields.type),
    requestId: headers.get('x-request-id'),
    retryAfterMs: retryAfterMsOf(headers),
    headers,
  });
}
