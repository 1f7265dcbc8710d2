import { HubError } from '../core/index.js';

/** Seconds from a `retry-after` header (delta-seconds or HTTP date); undefined when absent or invalid. */
export function parseRetryAfter(value: string | string[] | undefined, now = Date.now()): number | undefined {
  const text = Array.isArray(value) ? value[0] : value;
  if (!text) return undefined;
  if (/^\d+(\.\d+)?$/.test(text.trim())) return Number(text.trim());
  const date = Date.parse(text);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, (date - now) / 1000);
}

/** The upstream's own message from an OpenAI- or Anthropic-shaped error body, never its credentials. */
export function upstreamMessage(bodyText: string): string {
  try {
    const body = JSON.parse(bodyText) as { error?: { message?: unknown } | string; message?: unknown };
    if (typeof body.error === 'string') return body.error;
    if (body.error && typeof body.error.message === 'string') return body.error.message;
    if (typeof body.message === 'string') return body.message;
  } catch {
    // not JSON: fall through to the raw text
  }
  return bodyText.slice(0, 500) || 'no body';
}

/** Maps a non-2xx upstream answer to the error catalog. */
export function errorFromUpstreamStatus(
  providerId: string,
  status: number,
  bodyText: string,
  headers: Record<string, string | string[] | undefined>,
): HubError {
  const reason = `upstream ${providerId} answered ${status}: ${upstreamMessage(bodyText)}`;
  const retryAfterSeconds = parseRetryAfter(headers['retry-after']);
  const details = retryAfterSeconds === undefined ? { upstreamStatus: status } : { retryAfterSeconds, upstreamStatus: status };
  if (status === 429) return new HubError('UPSTREAM_RATE_LIMITED', reason, details);
  if (status === 408 || status === 504) return new HubError('UPSTREAM_TIMEOUT', reason, details);
  if (status === 503 || status === 529) return new HubError('UPSTREAM_UNAVAILABLE', reason, details);
  if (status >= 500) return new HubError('UPSTREAM_ERROR', reason, details);
  // Our credentials or configuration are at fault, not the client's request.
  if (status === 401 || status === 403)
    return new HubError('UPSTREAM_ERROR', `upstream ${providerId} refused TokenHub's credentials (${status})`, { upstreamStatus: status });
  return new HubError('UPSTREAM_REJECTED', reason, { status: status >= 400 && status < 500 ? status : 400, upstreamStatus: status });
}

/** undici's and the kernel's ways of saying the peer closed or reset a connection that was open. */
const CLOSED_CONNECTION_CODES = new Set(['UND_ERR_SOCKET', 'ECONNRESET', 'EPIPE', 'UND_ERR_RES_CONTENT_LENGTH_MISMATCH']);

const errorCode = (error: unknown): string => (error as { code?: string }).code ?? (error as Error).name;

/** Maps a thrown network/abort error before the upstream answered to the catalog; `signal.reason` wins when it is a HubError. */
export function errorFromNetwork(providerId: string, error: unknown, signal: AbortSignal): HubError {
  if (signal.aborted && signal.reason instanceof HubError) return signal.reason;
  if (error instanceof HubError) return error;
  const code = errorCode(error);
  if (CLOSED_CONNECTION_CODES.has(code)) {
    return new HubError('UPSTREAM_ERROR', `upstream ${providerId} closed the connection before answering (${code})`, { cause: error });
  }
  return new HubError('UPSTREAM_ERROR', `cannot reach upstream ${providerId}: ${code}`, { cause: error });
}

/**
 * Maps an error thrown while reading a body the upstream had started to send (it answered with a status
 * and headers): a closed socket is the upstream breaking off its own response, not a failure to reach it.
 */
export function errorFromBody(providerId: string, error: unknown, signal: AbortSignal): HubError {
  if (signal.aborted && signal.reason instanceof HubError) return signal.reason;
  if (error instanceof HubError) return error;
  const code = errorCode(error);
  const what = CLOSED_CONNECTION_CODES.has(code) ? 'closed the connection mid-response' : 'broke off its response';
  return new HubError('UPSTREAM_ERROR', `upstream ${providerId} ${what} (${code})`, { cause: error });
}
