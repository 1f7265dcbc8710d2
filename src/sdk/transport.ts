import { ConnectionError, errorFromResponse, TimeoutError, TokenHubError } from './errors.js';

/** Options every method takes last. */
export interface RequestOptions {
  /** Aborts the call (and, for a stream, the reading of it); an aborted call is never retried. */
  signal?: AbortSignal;
  /** Overrides the client's `timeoutMs` for this call. */
  timeoutMs?: number;
  /** Overrides the client's `maxRetries` for this call. */
  maxRetries?: number;
  /** Extra headers for this call. */
  headers?: Record<string, string>;
}

/** Only the request options of an object that holds others too. */
export const requestOptions = ({ signal, timeoutMs, maxRetries, headers }: RequestOptions): RequestOptions => ({
  ...(signal ? { signal } : {}),
  ...(timeoutMs !== undefined ? { timeoutMs } : {}),
  ...(maxRetries !== undefined ? { maxRetries } : {}),
  ...(headers ? { headers } : {}),
});

export type QueryValue = string | number | boolean | null | undefined;

export interface HttpRequest extends RequestOptions {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  query?: Record<string, QueryValue>;
  /** Sent as JSON. */
  body?: unknown;
  /** Sent as is (text, or bytes such as a file's), instead of `body`. */
  text?: { content: string | Uint8Array; contentType: string };
  /**
   * A POST the hub may receive twice without a second effect (a cancel, saving the same document). GET, PUT
   * and DELETE are idempotent anyway; other POSTs are retried only when the hub provably did nothing.
   */
  idempotent?: boolean;
  /** Answered as `text/event-stream`: the body is handed over unread, and `timeoutMs` ends once the headers came. */
  stream?: boolean;
}

export interface TransportConfig {
  baseUrl: string;
  apiKey: string;
  fetch: typeof fetch;
  maxRetries: number;
  timeoutMs: number;
  maxRetryDelayMs: number;
  headers: Record<string, string>;
}

/** A stream's response and the way to stop it (the call's signal and timeout, unlinked once reading ends). */
export interface OpenStream {
  response: Response;
  /** The signal the body is read under: aborted by the caller's signal. */
  signal: AbortSignal;
  close(): void;
}

const IDEMPOTENT_METHODS = new Set(['GET', 'PUT', 'DELETE']);
const RETRIED_STATUSES = new Set([502, 503, 504]);
// Connection errors that mean the request never left this machine: safe to repeat whatever it was.
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'UND_ERR_CONNECT_TIMEOUT']);
const BASE_BACKOFF_MS = 500;
const MAX_BACKOFF_MS = 8_000;

/** Exponential backoff with jitter: attempt 0 waits 250–500 ms, then twice as long each time, at most 8 s. */
export function backoffMs(attempt: number, random: () => number = Math.random): number {
  const ceiling = Math.min(MAX_BACKOFF_MS, BASE_BACKOFF_MS * 2 ** attempt);
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

/** Waits `ms`, or rejects with the signal's reason once it aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

const causeCode = (error: unknown): string | undefined => {
  const cause = (error as { cause?: { code?: unknown } } | undefined)?.cause;
  return typeof cause?.code === 'string' ? cause.code : undefined;
};

/** The HTTP core: URL, auth, timeouts, the hub's error shape, and retries with backoff. */
export class Transport {
  readonly config: TransportConfig;

  constructor(config: TransportConfig) {
    this.config = config;
  }

  /** Calls the hub and answers the parsed JSON body (undefined for 204). */
  async json<T>(request: HttpRequest): Promise<T> {
    const { response, close } = await this.send({ ...request, stream: false });
    try {
      const text = await response.text();
      if (!text) return undefined as T;
      try {
        return JSON.parse(text) as T;
      } catch (error) {
        throw new TokenHubError(`The hub answered ${response.status} with a body that is not JSON.`, {
          status: response.status,
          requestId: response.headers.get('x-request-id'),
          cause: error,
        });
      }
    } catch (error) {
      throw this.failureOf(error, request.signal);
    } finally {
      close();
    }
  }

  /** Calls the hub and answers the body's bytes as sent (a file's contents), whatever its content type. */
  async bytes(request: HttpRequest): Promise<Uint8Array> {
    const { response, close } = await this.send({ ...request, headers: { accept: '*/*', ...request.headers }, stream: false });
    try {
      return new Uint8Array(await response.arrayBuffer());
    } catch (error) {
      throw this.failureOf(error, request.signal);
    } finally {
      close();
    }
  }

  /** Opens an SSE stream: the response once its status is 2xx (errors and retries as for any call). */
  stream(request: HttpRequest): Promise<OpenStream> {
    return this.send({ ...request, stream: true });
  }

  url(path: string, query?: Record<string, QueryValue>): string {
    const url = `${this.config.baseUrl}${path}`;
    const params = new URLSearchParams();
    for (const [name, value] of Object.entries(query ?? {})) {
      if (value !== undefined && value !== null) params.set(name, String(value));
    }
    const search = params.toString();
    return search ? `${url}?${search}` : url;
  }

  private async send(request: HttpRequest): Promise<OpenStream> {
    const maxRetries = request.maxRetries ?? this.config.maxRetries;
    const idempotent = request.idempotent === true || IDEMPOTENT_METHODS.has(request.method);
    for (let attempt = 0; ; attempt++) {
      let opened: OpenStream;
      try {
        opened = await this.attempt(request);
      } catch (error) {
        const failure = this.failureOf(error, request.signal);
        const repeatable = idempotent || NOT_SENT_CODES.has(causeCode(error) ?? '');
        if (!(failure instanceof ConnectionError) || !repeatable || attempt >= maxRetries) throw failure;
        await sleep(backoffMs(attempt), request.signal);
        continue;
      }
      const { response } = opened;
      if (response.ok) return opened;
      let text: string;
      try {
        text = await response.text();
      } catch (error) {
        throw this.failureOf(error, request.signal);
      } finally {
        opened.close();
      }
      const error = errorFromResponse(response.status, response.headers, text);
      const delay = attempt < maxRetries ? this.retryDelay(response.status, error.retryAfterMs, attempt, idempotent) : undefined;
      if (delay === undefined) throw error;
      await sleep(delay, request.signal);
    }
  }

  /**
   * How long to wait before retrying a refusal, or undefined for none: a 429 is retried for every call (the
   * hub refused it at admission, before any effect), a 502/503/504 only for idempotent calls; a `retry-after`
   * is honoured, and one beyond `maxRetryDelayMs` is answered at once rather than waited out.
   */
  private retryDelay(status: number, retryAfterMs: number | undefined, attempt: number, idempotent: boolean): number | undefined {
    if (status !== 429 && !(idempotent && RETRIED_STATUSES.has(status))) return undefined;
    if (retryAfterMs === undefined) return backoffMs(attempt);
    return retryAfterMs <= this.config.maxRetryDelayMs ? retryAfterMs : undefined;
  }

  private async attempt(request: HttpRequest): Promise<OpenStream> {
    const controller = new AbortController();
    const timeoutMs = request.timeoutMs ?? this.config.timeoutMs;
    const timer = setTimeout(
      () => controller.abort(new TimeoutError(`No answer from the hub within ${timeoutMs} ms.`, { code: 'timeout' })),
      timeoutMs,
    );
    const onAbort = (): void => controller.abort(request.signal?.reason);
    if (request.signal?.aborted) onAbort();
    else request.signal?.addEventListener('abort', onAbort, { once: true });
    const close = (): void => {
      clearTimeout(timer);
      request.signal?.removeEventListener('abort', onAbort);
    };
    const headers: Record<string, string> = {
      accept: request.stream ? 'text/event-stream' : 'application/json',
      ...this.config.headers,
      authorization: `Bearer ${this.config.apiKey}`,
      ...request.headers,
    };
    let body: string | Uint8Array<ArrayBuffer> | undefined;
    if (request.text) {
      headers['content-type'] = request.text.contentType;
      const { content } = request.text;
      // fetch takes only bytes over a plain ArrayBuffer; a view of a SharedArrayBuffer is copied.
      body =
        typeof content === 'string' || content.buffer instanceof ArrayBuffer
          ? (content as string | Uint8Array<ArrayBuffer>)
          : new Uint8Array(content);
    } else if (request.body !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(request.body);
    }
    try {
      const response = await this.config.fetch(this.url(request.path, request.query), {
        method: request.method,
        headers,
        signal: controller.signal,
        ...(body === undefined ? {} : { body }),
      });
      // A stream outlives its timeout (it is meant to stay open); the caller's signal still ends it.
      if (request.stream && response.ok) clearTimeout(timer);
      return { response, signal: controller.signal, close };
    } catch (error) {
      close();
      throw controller.signal.aborted && !request.signal?.aborted ? controller.signal.reason : error;
    }
  }

  /** The caller's abort as it is; a timeout as itself; any other failure to get an answer as a ConnectionError. */
  private failureOf(error: unknown, signal: AbortSignal | undefined): unknown {
    if (signal?.aborted || error instanceof TokenHubError) return error;
    const reason = error instanceof Error ? error.message : String(error);
    const code = causeCode(error);
    return new ConnectionError(`Could not reach the hub at ${this.config.baseUrl}: ${reason}${code ? ` (${code})` : ''}.`, {
      code: 'connection_error',
      cause: error,
    });
  }
}
