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
    this.buffer += text;
    const events: SseEvent[] = [];
    let start = 0;
    for (;;) {
      const newline = this.nextLineEnd(start);
      if (newline === -1) break;
      const line = this.buffer.slice(start, newline);
      start = newline + (this.buffer[newline] === '\r' && this.buffer[newline + 1] === '\n' ? 2 : 1);
      this.handleLine(line, events);
    }
    this.buffer = this.buffer.slice(start);
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

  private nextLineEnd(from: number): number {
    const lf = this.buffer.indexOf('\n', from);
    const cr = this.buffer.indexOf('\r', from);
    if (cr === -1) return lf;
    // A trailing lone \r may be the first half of \r\n: wait for more input.
    if (cr === this.buffer.length - 1) return lf === -1 ? -1 : Math.min(lf, cr);
    return lf === -1 ? cr : Math.min(lf, cr);
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

export function sseData(data: string): string {
  return `data: ${data}\n\n`;
}

export function sseEvent(event: string, data: string): string {
  return `event: ${event}\ndata: ${data}\n\n`;
}
