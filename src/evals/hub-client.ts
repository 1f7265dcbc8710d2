import { EvalRunError } from './eval-run-error.js';

/** A running hub, reached over HTTP: its base URL and admin key (a test hub has both). */
export interface EvalTarget {
  url: string;
  adminKey: string;
}

export type Json = Record<string, unknown>;

/**
 * The hub as the eval runner sees it: the admin API with the admin key, the tenant API with a key of the
 * eval tenant. Every model call of an eval (the agent's and the simulator's) goes through the hub's own
 * gateway, admitted and billed like any client's.
 */
export class EvalHubClient {
  readonly url: string;
  private readonly adminKey: string;

  constructor(target: EvalTarget) {
    this.url = target.url.replace(/\/+$/, '');
    this.adminKey = target.adminKey;
  }

  admin<T = Json>(method: string, path: string, body?: unknown): Promise<T> {
    return this.request<T>(this.adminKey, method, path, body);
  }

  /** An admin GET answered as text, unparsed (a store's db.json keeps its key order). */
  async adminText(path: string): Promise<string> {
    return (await this.send(this.adminKey, 'GET', path)).text;
  }

  async request<T = Json>(key: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<T> {
    const { text, type } = await this.send(key, method, path, body, headers);
    return (text === '' ? null : type.includes('json') ? JSON.parse(text) : text) as T;
  }

  private async send(
    key: string,
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<{ text: string; type: string }> {
    let response: Response;
    try {
      response = await fetch(`${this.url}${path}`, {
        method,
        headers: { authorization: `Bearer ${key}`, ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    } catch (error) {
      throw new EvalRunError(`cannot reach the hub at ${this.url}: ${(error as Error).message}`);
    }
    const text = await response.text();
    if (!response.ok) {
      let message = text;
      try {
        message = (JSON.parse(text) as { error?: { message?: string } }).error?.message ?? text;
      } catch {
        // a plain-text error
      }
      throw new EvalRunError(`${method} ${path} → ${response.status}: ${message}`, response.status);
    }
    return { text, type: response.headers.get('content-type') ?? '' };
  }
}
