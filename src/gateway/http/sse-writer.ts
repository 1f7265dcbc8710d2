import type { ServerResponse } from 'node:http';

/**
 * Writes an SSE response with backpressure: `write` resolves once the socket can take more, so a slow
 * reader slows the upstream read instead of growing a buffer. Writes made in one turn of the event loop
 * (the events a translated stream makes of one upstream read) leave in one socket write: Node's http
 * corks the socket at a response's first write of a tick and uncorks it on the next (sse-writer.test.ts).
 */
export class SseWriter {
  private readonly response: ServerResponse;
  private closed = false;

  constructor(response: ServerResponse) {
    this.response = response;
    response.once('close', () => {
      this.closed = true;
    });
  }

  get isClosed(): boolean {
    return this.closed || this.response.destroyed;
  }

  start(headers: Record<string, string>): void {
    this.response.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
      ...headers,
    });
  }

  /**
   * Writes `text`; returns a promise only when the socket is full (resolved once it drains or closes), so a
   * stream's loop awaits only under backpressure instead of paying an async step per event.
   */
  write(text: string): Promise<void> | undefined {
    if (this.isClosed) return undefined;
    if (this.response.write(text)) return undefined;
    return new Promise<void>((resolve) => {
      const done = (): void => {
        this.response.off('drain', done);
        this.response.off('close', done);
        resolve();
      };
      this.response.once('drain', done);
      this.response.once('close', done);
    });
  }

  end(): void {
    if (!this.isClosed) this.response.end();
  }
}
