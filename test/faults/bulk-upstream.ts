/**
 * An OpenAI-compatible upstream that streams a very large answer as fast as its reader takes it, and
 * no faster: each chunk is generated only after the previous write drained. So the bytes it has produced
 * tell how far backpressure let the stream run, and the test process never holds the whole answer.
 */
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface BulkUpstream {
  url: string;
  /** SSE bytes written so far, across all requests. */
  producedBytes(): number;
  openRequests(): number;
  close(): Promise<void>;
}

export interface BulkOptions {
  /** Content bytes per delta. */
  chunkBytes: number;
}

/** The answer's size comes from the upstream model name, `bulk-<MiB>` (e.g. `bulk-50`). */
export function bulkModel(mebibytes: number): string {
  return `bulk-${mebibytes}`;
}

export async function startBulkUpstream(options: BulkOptions): Promise<BulkUpstream> {
  let produced = 0;
  const open = new Set<ServerResponse>();
  const piece = 'x'.repeat(options.chunkBytes);

  const server = createServer((request, response) => {
    const body: Buffer[] = [];
    request.on('data', (piece: Buffer) => body.push(piece));
    request.on('end', () => {
      open.add(response);
      response.on('close', () => open.delete(response));
      void stream(response, totalOf(Buffer.concat(body).toString('utf8')));
    });
  });

  async function write(response: ServerResponse, payload: unknown): Promise<boolean> {
    if (response.destroyed) return false;
    const frame = `data: ${JSON.stringify(payload)}\n\n`;
    produced += frame.length;
    if (!response.write(frame)) {
      await new Promise<void>((resolve) => {
        const done = (): void => {
          response.off('drain', done);
          response.off('close', done);
          resolve();
        };
        response.once('drain', done);
        response.once('close', done);
      });
    }
    return !response.destroyed;
  }

  function totalOf(text: string): number {
    const model = (JSON.parse(text) as { model?: unknown }).model;
    const mebibytes = typeof model === 'string' ? Number(/^bulk-(\d+)$/.exec(model)?.[1] ?? 1) : 1;
    return mebibytes * 1024 * 1024;
  }

  async function stream(response: ServerResponse, totalBytes: number): Promise<void> {
    response.writeHead(200, { 'content-type': 'text/event-stream' });
    const base = { id: 'chatcmpl-bulk', object: 'chat.completion.chunk', created: 1_700_000_000, model: 'bulk' };
    const chunks = Math.ceil(totalBytes / options.chunkBytes);
    if (!(await write(response, { ...base, choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }] })))
      return;
    for (let i = 0; i < chunks; i++) {
      if (!(await write(response, { ...base, choices: [{ index: 0, delta: { content: piece }, finish_reason: null }] }))) return;
    }
    await write(response, { ...base, choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] });
    await write(response, { ...base, choices: [], usage: { prompt_tokens: 3, completion_tokens: chunks, total_tokens: chunks + 3 } });
    if (response.destroyed) return;
    response.end('data: [DONE]\n\n');
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    producedBytes: () => produced,
    openRequests: () => open.size,
    close: async () => {
      for (const response of open) response.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
