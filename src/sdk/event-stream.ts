import { ConnectionError, TokenHubError } from './errors.js';
import { readEvents, type ServerSentEvent, SseDecoder } from './sse.js';
import { backoffMs, type OpenStream, sleep } from './transport.js';

export interface EventStreamSource<T> {
  /** Opens the stream the first time. */
  open(signal: AbortSignal | undefined): Promise<OpenStream>;
  /** Whether it can be reopened now: a run's stream that broke before its first event never said which run it is. */
  canResume(): boolean;
  /** Reopens it after a drop, from the event after `lastEventId`. */
  resume(lastEventId: string, signal: AbortSignal | undefined): Promise<OpenStream>;
  /** Asked when a connection ended cleanly without sending anything: whether there is nothing more to follow. */
  over?(): Promise<boolean>;
  /** One event's `data`, as the caller gets it. */
  parse(event: ServerSentEvent): T;
  /** Whether the server ends the stream after this event (a stream that ends after anything else was dropped). */
  ends(event: T): boolean;
  /** Where the stream starts: the `Last-Event-ID` it was opened with. */
  lastEventId?: string;
  /** Reconnections in a row without a new event before giving up. */
  maxReconnects: number;
  signal: AbortSignal | undefined;
}

/**
 * An SSE stream that survives drops: when the connection breaks or ends before the last event, it reconnects
 * with `Last-Event-ID` (after the `retry:` the server asked for, or a backoff) and goes on from the next
 * event, so no event is lost or repeated. Iterate it once; leaving the loop early closes the connection.
 */
export class EventStream<T> implements AsyncIterable<T> {
  private decoder = new SseDecoder();
  private used = false;
  private finished = false;

  private readonly source: EventStreamSource<T>;

  constructor(source: EventStreamSource<T>) {
    this.source = source;
    this.decoder.lastEventId = source.lastEventId ?? '';
  }

  /** The id of the last event read (`Last-Event-ID` to follow on from it later). */
  get lastEventId(): string {
    return this.decoder.lastEventId;
  }

  /** Whether the stream was read to its end. */
  get ended(): boolean {
    return this.finished;
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<T, void, undefined> {
    if (this.used) throw new TokenHubError('This stream was iterated already: open a new one.', { code: 'stream_consumed' });
    this.used = true;
    const { signal, maxReconnects } = this.source;
    let opened = await this.source.open(signal);
    let failures = 0;
    for (;;) {
      let last: T | undefined;
      let dropped: unknown;
      try {
        for await (const message of readEvents(bodyOf(opened), this.decoder)) {
          last = this.source.parse(message);
          failures = 0;
          yield last;
        }
      } catch (error) {
        if (signal?.aborted) throw signal.reason;
        if (error instanceof TokenHubError) throw error;
        dropped = error;
      } finally {
        opened.close();
      }
      // A clean end after the last event is the end; one with nothing at all may mean nothing is left to send.
      if (dropped === undefined && (last !== undefined ? this.source.ends(last) : await this.source.over?.())) {
        this.finished = true;
        return;
      }
      if (!this.source.canResume() || failures >= maxReconnects) {
        throw new ConnectionError('The event stream broke and could not be resumed.', { code: 'stream_interrupted', cause: dropped });
      }
      await sleep(this.decoder.retryMs ?? backoffMs(failures), signal);
      failures++;
      opened = await this.source.resume(this.decoder.lastEventId, signal);
    }
  }
}

function bodyOf(opened: OpenStream): ReadableStream<Uint8Array> {
  const body = opened.response.body;
  if (!body) throw new ConnectionError('The hub answered an event stream without a body.', { code: 'stream_interrupted' });
  return body;
}
