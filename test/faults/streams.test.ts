/**
 * Streams under client misbehaviour: a client that stops reading a fast, large stream must stall the
 * upstream (backpressure end to end) rather than grow the hub's buffers; a client that walks away must
 * get its upstream request aborted at once.
 *
 * No assertion depends on speed: the paused phase waits until the upstream has stopped producing
 * (its counter holds still), then compares byte counts with the stream's size.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type FakeOpenAI, startFakeOpenAI } from '../fake-upstreams/openai.js';
import { startTestHub, type TestHub } from '../support/hub.js';
import { type BulkUpstream, bulkModel, startBulkUpstream } from './bulk-upstream.js';
import { CHAT, createMeteredKey, expectNoLeaks, FaultClient, liveTimers, type MeteredKey, waitFor } from './support.js';

const MiB = 1024 * 1024;
/** Read whole by the slow reader. */
const FULL_MIB = 50;
/**
 * Never read whole: far more than the kernel could ever hold in flight on the two loopback hops
 * (2 × (tcp_rmem max + tcp_wmem max), 72 MiB on a stock kernel), so "the upstream stalled well
 * before the end" cannot be satisfied by socket buffers alone.
 */
const HUGE_MIB = 1024;
const CHUNK_BYTES = 16 * 1024;

let bulk: BulkUpstream;
let slow: FakeOpenAI;
let hub: TestHub;
let client: FaultClient;
let baselineTimers: number;
let metered: MeteredKey;
/** Priced, so every request of the metered key reserves budget and the leak check means something. */
const PRICING = { input_per_mtok: 1, output_per_mtok: 2 };
/** The hub's raw responses, newest last, to look at what it buffers for a client. */
const responses: ServerResponse[] = [];

beforeAll(async () => {
  bulk = await startBulkUpstream({ chunkBytes: CHUNK_BYTES });
  slow = await startFakeOpenAI({ chunks: 200, chunkDelayMs: 25 });
  hub = await startTestHub({
    providers: [
      { id: 'bulk', type: 'openai', base_url: bulk.url },
      { id: 'slow', type: 'openai', base_url: slow.url },
    ],
    models: [
      { name: 'bulk', targets: [{ provider: 'bulk', model: bulkModel(FULL_MIB) }], pricing: PRICING },
      { name: 'huge', targets: [{ provider: 'bulk', model: bulkModel(HUGE_MIB) }], pricing: PRICING },
      { name: 'slow', targets: [{ provider: 'slow', model: 'slow-up' }], pricing: PRICING },
    ],
    routing: { retries: 0, timeout_ms: 120_000, first_byte_timeout_ms: 5_000 },
  });
  hub.hub.app.server.on('request', (_request: IncomingMessage, response: ServerResponse) => {
    responses.push(response);
  });
  metered = await createMeteredKey(hub);
  baselineTimers = liveTimers();
});

afterAll(async () => {
  await hub?.close();
  await bulk?.close();
  await slow?.close();
});

beforeEach(() => {
  client = new FaultClient(hub, metered.key);
});

afterEach(async () => {
  await client.close();
  await expectNoLeaks({ hub, upstreams: [bulk, slow], baselineTimers, meteredKey: metered });
});

/** Reads until at least `bytes` arrived, then stops reading (the body stays paused). */
async function readAtLeast(body: Readable, bytes: number): Promise<number> {
  let received = 0;
  for await (const chunk of body.iterator({ destroyOnReturn: false })) {
    received += (chunk as Buffer).length;
    if (received >= bytes) break;
  }
  body.pause();
  return received;
}

/** Waits until the upstream has produced nothing new for a while: the stream is stalled. */
async function untilStalled(): Promise<number> {
  let last = -1;
  let still = 0;
  await waitFor(
    'the upstream to stall',
    () => {
      const now = bulk.producedBytes();
      still = now === last ? still + 1 : 0;
      last = now;
      return still >= 15; // ~300 ms without a byte
    },
    20_000,
  );
  return last;
}

function heapAndBuffers(): number {
  const usage = process.memoryUsage();
  return usage.heapUsed + usage.arrayBuffers;
}

describe('backpressure: a client that stops reading', () => {
  it.each([
    { surface: 'OpenAI pass-through', path: '/v1/chat/completions', body: { model: 'huge', ...CHAT, stream: true } },
    { surface: 'Anthropic translation', path: '/v1/messages', body: { model: 'huge', max_tokens: 10_000_000, ...CHAT, stream: true } },
  ])('$surface: the upstream stalls and the hub buffers almost nothing', async ({ path, body }) => {
    const producedBefore = bulk.producedBytes();
    const memoryBefore = heapAndBuffers();
    const controller = new AbortController();
    const answer = await client.open(path, body, controller.signal);
    expect(answer.status).toBe(200);
    const response = responses.at(-1);
    if (!response) throw new Error('no response captured');

    await readAtLeast(answer.body, 256 * 1024);
    const stalledAt = await untilStalled();
    const produced = stalledAt - producedBefore;
    // Only socket buffers (kernel and Node, on two hops) are in flight: a fraction of the stream.
    expect(produced).toBeLessThan((HUGE_MIB / 4) * MiB);
    expect(bulk.openRequests()).toBe(1);
    // What the hub holds for this client in user space: one event at most beyond the high-water mark.
    expect(response.writableLength).toBeLessThan(256 * 1024);
    expect(heapAndBuffers() - memoryBefore).toBeLessThan(64 * MiB);

    controller.abort();
    answer.body.on('error', () => {});
    answer.body.destroy();
  });

  it(`a slow reader gets all ${FULL_MIB} MiB, with the hub never buffering more than a little`, async () => {
    const answer = await client.open('/v1/chat/completions', { model: 'bulk', ...CHAT, stream: true });
    const response = responses.at(-1);
    if (!response) throw new Error('no response captured');
    let maxBuffered = 0;
    const sampler = setInterval(() => {
      maxBuffered = Math.max(maxBuffered, response.writableLength);
    }, 5);
    let received = 0;
    let tail = '';
    try {
      let reads = 0;
      for await (const chunk of answer.body) {
        const buffer = chunk as Buffer;
        received += buffer.length;
        tail = (tail + buffer.toString('latin1')).slice(-64);
        // Pause now and then so the hub keeps running into a full socket.
        if (++reads % 200 === 0) await sleep(20);
      }
    } finally {
      clearInterval(sampler);
    }
    expect(received).toBeGreaterThan(FULL_MIB * MiB);
    expect(tail).toContain('data: [DONE]');
    expect(maxBuffered).toBeLessThan(256 * 1024);
  });
});

describe('abandoned streams abort the upstream request at once', () => {
  it.each([
    { surface: 'OpenAI pass-through', path: '/v1/chat/completions', body: { model: 'slow', ...CHAT, stream: true } },
    { surface: 'Anthropic translation', path: '/v1/messages', body: { model: 'slow', max_tokens: 1_000, ...CHAT, stream: true } },
  ])('$surface: the client aborts mid-stream', async ({ path, body }) => {
    const controller = new AbortController();
    const answer = await client.open(path, body, controller.signal);
    answer.body.on('error', () => {});
    await new Promise<void>((resolve) => answer.body.once('data', () => resolve()));
    expect(slow.openRequests()).toBe(1);
    controller.abort();
    // The fake streams for 5 s more; only an abort passed upstream closes its request within a second.
    await waitFor('the upstream request to close', () => slow.openRequests() === 0, 3_000);
  });

  it('the client aborts while the upstream has not answered yet', async () => {
    slow.failNext({ kind: 'hang-before-headers' });
    const controller = new AbortController();
    const pending = client.open('/v1/chat/completions', { model: 'slow', ...CHAT, stream: true }, controller.signal).catch(() => null);
    await waitFor('the upstream to receive the request', () => slow.openRequests() === 1);
    controller.abort();
    await pending;
    await waitFor('the upstream request to close', () => slow.openRequests() === 0, 3_000);
  });

  it('the client aborts a stalled stream', async () => {
    const controller = new AbortController();
    const answer = await client.open('/v1/chat/completions', { model: 'huge', ...CHAT, stream: true }, controller.signal);
    answer.body.on('error', () => {});
    await readAtLeast(answer.body, 64 * 1024);
    await untilStalled();
    expect(bulk.openRequests()).toBe(1);
    controller.abort();
    await waitFor('the upstream request to close', () => bulk.openRequests() === 0, 3_000);
  });
});
