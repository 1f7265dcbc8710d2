import { Agents } from './agents.js';
import { TokenHubError } from './errors.js';
import { Inbox } from './inbox.js';
import { Runs } from './runs.js';
import { Sandboxes } from './sandboxes.js';
import { Threads } from './threads.js';
import { type HttpRequest, type QueryValue, type RequestOptions, Transport } from './transport.js';
import type { KeyUsage } from './types.js';
import { Workflows } from './workflows.js';

export interface TokenHubOptions {
  /** The hub's address (default: `TOKENHUB_URL`, else `http://127.0.0.1:8080`); a path prefix is kept. */
  url?: string;
  /** A virtual key of a tenant, or a person's personal key (default: `TOKENHUB_API_KEY`). */
  apiKey?: string;
  /** The `fetch` to call the hub with (default: the global one). */
  fetch?: typeof fetch;
  /** Retries of a call that may succeed later (429, and for safe calls 502/503/504 and broken connections). Default 2. */
  maxRetries?: number;
  /** How long a call may take, its answer included (a stream: until its headers). Default 10 minutes. */
  timeoutMs?: number;
  /** A `retry-after` longer than this is not waited out: the error is thrown at once. Default 60 s. */
  maxRetryDelayMs?: number;
  /** Headers sent with every call. */
  headers?: Record<string, string>;
}

export interface UsageQuery {
  /** How rows are grouped (default `model`). */
  groupBy?: 'model' | 'day' | 'hour' | 'agent' | 'none';
  model?: string;
  /** ISO 8601 date or time. */
  from?: string | Date;
  to?: string | Date;
}

export interface CustomRequest extends RequestOptions {
  query?: Record<string, QueryValue>;
  body?: unknown;
  /** Whether the call may be repeated without a second effect: then 5xx and broken connections are retried too. */
  idempotent?: boolean;
}

const DEFAULT_URL = 'http://127.0.0.1:8080';
const env = (name: string): string | undefined =>
  (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.[name] || undefined;
const instant = (value: string | Date | undefined) => (value instanceof Date ? value.toISOString() : value);

/**
 * A client of one TokenHub: `new TokenHub()` reads `TOKENHUB_URL` and `TOKENHUB_API_KEY`, then
 * `await hub.agents.run('support', 'Where is my order?')`.
 */
export class TokenHub {
  readonly agents: Agents;
  readonly runs: Runs;
  readonly threads: Threads;
  readonly inbox: Inbox;
  readonly workflows: Workflows;
  readonly sandboxes: Sandboxes;
  private readonly transport: Transport;

  constructor(options: TokenHubOptions = {}) {
    const apiKey = options.apiKey ?? env('TOKENHUB_API_KEY');
    if (!apiKey) {
      throw new TokenHubError('No API key: pass `apiKey` or set TOKENHUB_API_KEY.', { code: 'missing_api_key' });
    }
    if (!options.fetch && typeof globalThis.fetch !== 'function') {
      throw new TokenHubError('No fetch: pass `fetch` (this runtime has no global one).', { code: 'missing_fetch' });
    }
    this.transport = new Transport({
      baseUrl: (options.url ?? env('TOKENHUB_URL') ?? DEFAULT_URL).replace(/\/+$/, ''),
      apiKey,
      // Called unbound, a browser's fetch throws "Illegal invocation".
      fetch: options.fetch ?? ((input, init) => globalThis.fetch(input, init)),
      maxRetries: options.maxRetries ?? 2,
      timeoutMs: options.timeoutMs ?? 600_000,
      maxRetryDelayMs: options.maxRetryDelayMs ?? 60_000,
      headers: options.headers ?? {},
    });
    this.agents = new Agents(this.transport);
    this.runs = new Runs(this.transport);
    this.threads = new Threads(this.transport);
    this.inbox = new Inbox(this.transport);
    this.workflows = new Workflows(this.transport);
    this.sandboxes = new Sandboxes(this.transport);
  }

  /** The hub this client calls. */
  get url(): string {
    return this.transport.config.baseUrl;
  }

  /** The calling key's own usage (grouped by model unless asked otherwise) and every budget it is charged to. */
  usage(query: UsageQuery = {}, options: RequestOptions = {}): Promise<KeyUsage> {
    return this.transport.json({
      ...options,
      method: 'GET',
      path: '/v1/me/usage',
      query: { group_by: query.groupBy, model: query.model, from: instant(query.from), to: instant(query.to) },
    });
  }

  /**
   * Any other route of the hub (`/v1/chat/completions`, `/v1/inbox/stats`…) with the same key, errors and
   * retries; answers the JSON body.
   */
  request<T = unknown>(method: HttpRequest['method'], path: string, request: CustomRequest = {}): Promise<T> {
    return this.transport.json<T>({ ...request, method, path });
  }
}
