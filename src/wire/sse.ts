/** Server-sent events: an incremental parser for upstream bytes and the framing we write to clients. */
export interface SseEvent {
  event?: string;
  data: string;
}

/**
 * Incremental SSE parser (WHATWG event-stream rules: `\n`, `\r\n` or `\r` line ends; `data:` lines joined
 * with `\n`; comment lines ignored). Push decoded text, get complete events back.
 */
export class SseParser {
  private buffer = '';
  private data: string[] = [];
  private event: string | undefined;

  push(text: string): SseEvent[] {
    const buffer = this.buffer + text;
    const events: SseEvent[] = [];
    let start = 0;
    // Found once and carried along: searching the rest of the buffer for a `\r` at every line (upstreams
    // rarely send one) made a push of many lines quadratic in its length.
    let cr = buffer.indexOf('\r');
    for (;;) {
      if (cr !== -1 && cr < start) cr = buffer.indexOf('\r', start);
      const newline = lineEnd(buffer, buffer.indexOf('\n', start), cr);
      if (newline === -1) break;
      const line = buffer.slice(start, newline);
      start = newline + (buffer[newline] === '\r' && buffer[newline + 1] === '\n' ? 2 : 1);
      this.handleLine(line, events);
    }
    this.buffer = start === 0 ? buffer : buffer.slice(start);
    return events;
  }

  /** Events left when the stream ends without a final blank line. */
  flush(): SseEvent[] {
    const events: SseEvent[] = [];
    if (this.buffer.length > 0) {
      this.handleLine(this.buffer, events);
      this.buffer = '';
    }
    this.handleLine('', events);
    return events;
  }

  private handleLine(line: string, events: SseEvent[]): void {
    if (line === '') {
      if (this.data.length > 0) {
        const event: SseEvent = { data: this.data.join('\n') };
        if (this.event !== undefined) event.event = this.event;
        events.push(event);
      }
      this.data = [];
      this.event = undefined;
      return;
    }
    if (line.startsWith(':')) return;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'data') this.data.push(value);
    else if (field === 'event') this.event = value;
  }
}

/** Where the next line ends, given the next `\n` and the next `\r` (-1: none, or wait for more input). */
function lineEnd(buffer: string, lf: number, cr: number): number {
  if (cr === -1) return lf;
  // A trailing lone \r may be the first half of \r\n: wait for more input.
  if (cr === buffer.length - 1) return lf === -1 ? -1 : Math.min(lf, cr);
  return lf === -1 ? cr : Math.min(lf, cr);
}

export function sseData(data: string): string {
  return `data: ${data}\n\n`;
}

export function sseEvent(event: string, data: string): string {
  return `event: ${event}\ndata: ${data}\n\n`;
}
