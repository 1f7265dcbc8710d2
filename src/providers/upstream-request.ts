import type { LookupFunction } from 'node:net';
import { Agent, type Dispatcher } from 'undici';
import { HubError } from '../core/index.js';
import { SecretScrubber } from './secret-scrubber.js';
import { guardedConnector } from './upstream-address-policy.js';
import { errorFromBody, errorFromNetwork, errorFromUpstreamStatus } from './upstream-error.js';

export interface UpstreamClientOptions {
  providerId: string;
  baseUrl: string;
  headers: Record<string, string>;
  maxConnections: number;
  /**
   * Every credential the provider sends (its API key, its configured header values): scrubbed from whatever the
   * upstream answers before it can reach a client or a log. Required, so no provider can forget its own.
   */
  secrets: readonly (string | undefined)[];
  /**
   * The upstream URL policy's guard, asked at connect time for every connection: host names as they resolve, IP
   * literals before connecting; default: the system's resolver and no check.
   */
  lookup?: LookupFunction;
}

export interface UpstreamAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** Already scrubbed of the provider's secrets; breaking out of it aborts the upstream read. */
  body: AsyncIterable<Uint8Array>;
}

/**
 * A keep-alive undici pool to one upstream, with its auth headers; maps failures to the error catalog. Whatever
 * the upstream sends back (bodies, stream events, error messages) leaves here with the provider's secrets scrubbed.
 */
export class UpstreamClient {
  readonly providerId: string;
  private readonly baseUrl: string;
  private readonly headers: Record<string, string>;
  private readonly origin: string;
  private readonly basePath: string;
  private readonly requestHeaders: Record<string, string>;
  private readonly dispatcher: Agent;
  private readonly scrubber: SecretScrubber;

  constructor(options: UpstreamClientOptions) {
    this.providerId = options.providerId;
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    const base = new URL(this.baseUrl);
    this.origin = base.origin;
    this.basePath = base.pathname.replace(/\/+$/, '') + base.search;
    this.headers = options.headers;
    this.requestHeaders = { 'content-type': 'application/json', ...options.headers };
    this.scrubber = new SecretScrubber(options.secrets);
    this.dispatcher = new Agent({
      connections: options.maxConnections,
      keepAliveTimeout: 30_000,
      // Timeouts are owned by the router (per attempt, first byte); undici's own would fire first.
      headersTimeout: 0,
      bodyTimeout: 0,
      ...(options.lookup ? { connect: guardedConnector(options.lookup) } : {}),
    });
  }

  /** POSTs JSON; resolves with a 2xx answer, throws a HubError for anything else. */
  async post(path: string, body: string, signal: AbortSignal, extraHeaders?: Record<string, string>): Promise<UpstreamAnswer> {
    const answer = await this.send(path, body, signal, extraHeaders);
    return {
      status: answer.statusCode,
      headers: answer.headers,
      body: this.bodyErrors(this.scrubber.active ? this.scrubber.stream(answer.body) : answer.body, signal),
    };
  }

  /** POSTs JSON and reads the whole 2xx answer as text, scrubbed (one read, no stream transform). */
  async postText(
    path: string,
    body: string,
    signal: AbortSignal,
    extraHeaders?: Record<string, string>,
  ): Promise<{ status: number; headers: UpstreamAnswer['headers']; text: string }> {
    const answer = await this.send(path, body, signal, extraHeaders);
    return { status: answer.statusCode, headers: answer.headers, text: await this.readText(answer, signal) };
  }

  /** Reads a whole 2xx body as JSON. */
  async postJson<T>(path: string, body: string, signal: AbortSignal, extraHeaders?: Record<string, string>): Promise<T> {
    const answer = await this.send(path, body, signal, extraHeaders);
    const text = await this.readText(answer, signal);
    try {
      return JSON.parse(text) as T;
    } catch {
      throw new HubError('UPSTREAM_ERROR', `upstream ${this.providerId} sent a body that is not JSON`);
    }
  }

  private async send(
    path: string,
    body: string,
    signal: AbortSignal,
    extraHeaders?: Record<string, string>,
  ): Promise<Dispatcher.ResponseData> {
    let answer: Dispatcher.ResponseData;
    try {
      // The dispatcher's own request: the origin and path are known, so no URL is parsed per call.
      answer = await this.dispatcher.request({
        origin: this.origin,
        path: this.basePath + path,
        method: 'POST',
        headers: extraHeaders ? { ...this.requestHeaders, ...extraHeaders } : this.requestHeaders,
        body,
        signal,
      });
    } catch (error) {
      throw errorFromNetwork(this.providerId, error, signal);
    }
    if (answer.statusCode < 200 || answer.statusCode >= 300) {
      const text = await this.readText(answer, signal);
      throw errorFromUpstreamStatus(this.providerId, answer.statusCode, text, answer.headers);
    }
    return answer;
  }

  /** A whole body as text, scrubbed. */
  private async readText(answer: Dispatcher.ResponseData, signal: AbortSignal): Promise<string> {
    try {
      return this.scrubber.text(await answer.body.text());
    } catch (error) {
      throw errorFromBody(this.providerId, error, signal);
    }
  }

  /** A streamed body whose read errors say what happened (the upstream broke off its response) in the catalog's terms. */
  private async *bodyErrors(body: AsyncIterable<Uint8Array>, signal: AbortSignal): AsyncGenerator<Uint8Array> {
    try {
      yield* body;
    } catch (error) {
      throw errorFromBody(this.providerId, error, signal);
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
