/**
 * Server-sent events as the HTML standard parses them
 * (https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation): lines end
 * in CRLF, LF or CR; `data` lines join with newlines; `id` persists across events; `retry` sets the
 * reconnection delay; comments and unknown fields are ignored; an event cut off by the end of the stream is
 * never dispatched.
 */

export interface ServerSentEvent {
  /** `event:`, or `message` when the event named none. */
  event: string;
  data: string;
  /** The last event id as of this event (the stream's `Last-Event-ID` to resume after it). */
  id: string;
}

export class SseDecoder {
  /** The last `id:` seen, sent back as `Last-Event-ID` when reconnecting. */
  lastEventId = '';
  /** The reconnection delay the server asked for (`retry:`), in milliseconds. */
  retryMs: number | undefined;
  private buffer = '';
  private afterCarriageReturn = false;
  private started = false;
  private eventType = '';
  private data: string[] = [];
  private pendingId: string | undefined;

  /** Starts a new connection: what the last one left unfinished is dropped; the last event id is kept. */
  reset(): void {
    this.buffer = '';
    this.afterCarriageReturn = false;
    this.started = false;
    this.eventType = '';
    this.data = [];
    this.pendingId = undefined;
  }

  /** Feeds decoded text; answers the events it completed. */
  push(text: string): ServerSentEvent[] {
    let chunk = text;
    if (!this.started && chunk.length > 0) {
      this.started = true;
      if (chunk.charCodeAt(0) === 0xfeff) chunk = chunk.slice(1);
    }
    // A CR that ended the previous chunk ended its line: a LF right after it belongs to the same line break.
    if (this.afterCarriageReturn && chunk.startsWith('\n')) chunk = chunk.slice(1);
    this.afterCarriageReturn = false;
    this.buffer += chunk;
    const events: ServerSentEvent[] = [];
    let start = 0;
    for (let index = 0; index < this.buffer.length; index++) {
      const char = this.buffer[index];
      if (char !== '\n' && char !== '\r') continue;
      const line = this.buffer.slice(start, index);
      if (char === '\r') {
        if (index + 1 === this.buffer.length) this.afterCarriageReturn = true;
        else if (this.buffer[index + 1] === '\n') index++;
      }
      start = index + 1;
      const event = this.line(line);
      if (event) events.push(event);
    }
    this.buffer = this.buffer.slice(start);
    return events;
  }

  private line(line: string): ServerSentEvent | undefined {
    if (line === '') return this.dispatch();
    if (line.startsWith(':')) return undefined;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    switch (field) {
      case 'event':
        this.eventType = value;
        break;
      case 'data':
        this.data.push(value);
        break;
      case 'id':
        if (!value.includes('\u0000')) this.pendingId = value;
        break;
      case 'retry':
        if (/^\d+$/.test(value)) this.retryMs = Number(value);
        break;
      default:
        break;
    }
    return undefined;
  }

  private dispatch(): ServerSentEvent | undefined {
    if (this.pendingId !== undefined) this.lastEventId = this.pendingId;
    this.pendingId = undefined;
    const data = this.data;
    const event = this.eventType || 'message';
    this.data = [];
    this.eventType = '';
    if (data.length === 0) return undefined;
    return { event, data: data.join('\n'), id: this.lastEventId };
  }
}

/** Reads one connection's SSE body to its end, yielding each complete event. */
export async function* readEvents(body: ReadableStream<Uint8Array>, decoder: SseDecoder): AsyncGenerator<ServerSentEvent> {
  decoder.reset();
  const reader = body.getReader();
  const text = new TextDecoder();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      yield* decoder.push(text.decode(value, { stream: true }));
    }
    yield* decoder.push(text.decode());
  } finally {
    // Stops the download when the consumer leaves early; an already broken stream rejects here, which says nothing new.
    await reader.cancel().catch(() => {});
  }
}
