import type { LookupFunction } from 'node:net';
import type { Readable } from 'node:stream';
import { Agent, type Dispatcher, request } from 'undici';
import { HubError } from '../core/index.js';
import { errorFromNetwork, errorFromUpstreamStatus } from './upstream-error.js';

export interface UpstreamClientOptions {
  providerId: string;
  baseUrl: string;
  headers: Record<string, string>;
  maxConnections: number;
  /** Host name resolution at connect time (the upstream URL policy's guard); default: the system's. */
  lookup?: LookupFunction;
}

export interface UpstreamAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Readable;
}

/** A keep-alive undici pool to one upstream, with its auth headers; maps failures to the error catalog. */
export class UpstreamClient {
  readonly providerId: string;
  private readonly baseUrl: string;
  private readonly headers: Record<string, string>;
  private readonly dispatcher: Agent;

  constructor(options: UpstreamClientOptions) {
    this.providerId = options.providerId;
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.headers = options.headers;
    this.dispatcher = new Agent({
      connections: options.maxConnections,
      keepAliveTimeout: 30_000,
      // Timeouts are owned by the router (per attempt, first byte); undici's own would fire first.
      headersTimeout: 0,
      bodyTimeout: 0,
      ...(options.lookup ? { connect: { lookup: options.lookup } } : {}),
    });
  }

  /** POSTs JSON; resolves with a 2xx answer, throws a HubError for anything else. */
  async post(path: string, body: string, signal: AbortSignal, extraHeaders?: Record<string, string>): Promise<UpstreamAnswer> {
    let answer: Dispatcher.ResponseData;
    try {
      answer = await request(this.baseUrl + path, {
        method: 'POST',
        dispatcher: this.dispatcher,
        headers: { 'content-type': 'application/json', ...this.headers, ...extraHeaders },
        body,
        signal,
      });
    } catch (error) {
      throw errorFromNetwork(this.providerId, error, signal);
    }
    if (answer.statusCode < 200 || answer.statusCode >= 300) {
      let text = '';
      try {
        text = await answer.body.text();
      } catch (error) {
        throw errorFromNetwork(this.providerId, error, signal);
      }
      throw errorFromUpstreamStatus(this.providerId, answer.statusCode, text, answer.headers);
    }
    return { status: answer.statusCode, headers: answer.headers, body: answer.body };
  }

  /** Reads a whole 2xx body as JSON. */
  async postJson<T>(path: string, body: string, signal: AbortSignal, extraHeaders?: Record<string, string>): Promise<T> {
    const answer = await this.post(path, body, signal, extraHeaders);
    let text: string;
    try {
      text = await (answer.body as Readable & { text(): Promise<string> }).text();
    } catch (error) {
      throw errorFromNetwork(this.providerId, error, signal);
    }
    try {
      return JSON.parse(text) as T;
    } catch {
      throw new HubError('UPSTREAM_ERROR', `upstream ${this.providerId} sent a body that is not JSON`);
    }
  }

  /**
   * After the HTTP server drained, whatever is still in flight is orphaned and aborted; a graceful close
   * (a provider replaced at run time) lets in-flight requests and streams finish first.
   */
  async close(options: { graceful?: boolean } = {}): Promise<void> {
    if (options.graceful) await this.dispatcher.close();
    else await this.dispatcher.destroy();
  }
}
