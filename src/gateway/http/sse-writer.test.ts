import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { SseWriter } from './sse-writer.js';

let server: Server | undefined;
afterEach(async () => {
  await new Promise((resolve) => server?.close(resolve));
  server = undefined;
});

/** A server whose one response is handed to `handle`; resolves with its URL once listening. */
async function serve(handle: (response: ServerResponse) => Promise<void>): Promise<string> {
  server = createServer((_request, response) => {
    void handle(response);
  });
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** Counts the socket writes (syscall-bound calls) a response makes. */
function countSocketWrites(socket: Socket): { writes: number } {
  const counter = { writes: 0 };
  const internals = socket as unknown as Record<'_write' | '_writev', (...args: unknown[]) => unknown>;
  for (const name of ['_write', '_writev'] as const) {
    const original = internals[name].bind(socket);
    internals[name] = (...args: unknown[]) => {
      counter.writes++;
      return original(...args);
    };
  }
  return counter;
}

describe('SseWriter', () => {
  it('sends the events written in one turn with one socket write (Node corks per tick), and an event of a later turn at once, not at the end', async () => {
    let counter: { writes: number } = { writes: 0 };
    let countedFirstTurn: (writes: number) => void = () => {};
    const firstTurnWrites = new Promise<number>((resolve) => {
      countedFirstTurn = resolve;
    });
    let releaseLast: () => void = () => {};
    const lastMayGo = new Promise<void>((resolve) => {
      releaseLast = resolve;
    });
    const url = await serve(async (response) => {
      const writer = new SseWriter(response);
      writer.start({});
      await new Promise((resolve) => setImmediate(resolve));
      counter = countSocketWrites(response.socket as Socket);
      // Three events in one turn, as a translated stream makes of one upstream read.
      void writer.write('data: one\n\n');
      void writer.write('data: two\n\n');
      void writer.write('data: three\n\n');
      // Counted once the client has them all: a write still in flight would otherwise hide the ones behind it.
      await lastMayGo;
      countedFirstTurn(counter.writes);
      await writer.write('data: four\n\n');
      writer.end();
    });

    const response = await fetch(url);
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    const decoder = new TextDecoder();
    let received = '';
    // The first turn's events arrive while the response is still open (the last event is not written yet).
    while (!received.includes('data: three\n\n')) {
      const { value, done } = await reader.read();
      if (done) break;
      received += decoder.decode(value, { stream: true });
    }
    expect(received).toBe('data: one\n\ndata: two\n\ndata: three\n\n');
    releaseLast();
    expect(await firstTurnWrites).toBe(1);
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      received += decoder.decode(value, { stream: true });
    }
    expect(received).toBe('data: one\n\ndata: two\n\ndata: three\n\ndata: four\n\n');
  });

  it('still waits for a slow reader: a write resolves only once the socket takes more', async () => {
    let resolvedEarly = false;
    let pendingWrite: Promise<void> = Promise.resolve();
    const big = `data: ${'x'.repeat(1 << 20)}\n\n`;
    const url = await serve(async (response) => {
      const writer = new SseWriter(response);
      writer.start({});
      // Far past the socket's buffers while the client reads nothing.
      for (let index = 0; index < 32; index++) {
        pendingWrite = writer.write(big) ?? Promise.resolve();
        const settled = await Promise.race([pendingWrite.then(() => true), new Promise((resolve) => setTimeout(() => resolve(false), 50))]);
        if (!settled) break;
        if (index === 31) resolvedEarly = true;
      }
      await pendingWrite;
      writer.end();
    });
    const response = await fetch(url);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(resolvedEarly).toBe(false);
    const text = await response.text();
    expect(text.length).toBeGreaterThan(big.length);
  });
});
