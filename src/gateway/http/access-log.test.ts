import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeOpenAI, startFakeOpenAI } from '../../../test/fake-upstreams/openai.js';
import { startTestHub, type TestHub } from '../../../test/support/hub.js';

let upstream: FakeOpenAI;
const hubs: TestHub[] = [];

beforeAll(async () => {
  upstream = await startFakeOpenAI({ reply: 'one two three four five six seven eight', chunks: 8 });
});

afterAll(async () => {
  for (const hub of hubs) await hub.close();
  await upstream?.close();
});

async function hubWithLog(accessLog: boolean | undefined): Promise<{ hub: TestHub; lines: () => Record<string, unknown>[] }> {
  let text = '';
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      text += chunk.toString();
      done();
    },
  });
  const hub = await startTestHub(
    {
      ...(accessLog === undefined ? {} : { server: { access_log: accessLog } }),
      providers: [{ id: 'fake', type: 'openai', base_url: upstream.url }],
      models: [{ name: 'gpt-test', targets: [{ provider: 'fake', model: 'up-1' }], pricing: { input_per_mtok: 1, output_per_mtok: 2 } }],
    },
    { logger: pino({ level: 'info' }, destination) },
  );
  hubs.push(hub);
  const lines = (): Record<string, unknown>[] =>
    text
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .filter((line) => line.access === true);
  return { hub, lines };
}

function chat(hub: TestHub, body: Record<string, unknown>, signal?: AbortSignal): Promise<Response> {
  return fetch(`${hub.openaiBaseUrl}/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${hub.adminKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'gpt-test', messages: [{ role: 'user', content: 'hi' }], ...body }),
    ...(signal ? { signal } : {}),
  });
}

describe('access log', () => {
  it('is on by default: one line per request, the route pattern rather than the path', async () => {
    const { hub, lines } = await hubWithLog(undefined);
    const response = await chat(hub, { stream: true, stream_options: { include_usage: true } });
    await response.text();
    await fetch(`${hub.openaiBaseUrl}/models/gpt-test`, { headers: { authorization: `Bearer ${hub.adminKey}` } });
    await expect.poll(() => lines().length).toBe(2);
    const [streamed, model] = lines();
    expect(streamed).toMatchObject({
      method: 'POST',
      route: '/v1/chat/completions',
      status: 200,
      model: 'gpt-test',
      request_id: response.headers.get('x-request-id'),
      output_tokens: expect.any(Number),
    });
    expect(Number(streamed?.output_tokens)).toBeGreaterThan(0);
    expect(model).toMatchObject({ method: 'GET', route: '/v1/models/*', status: 200 });
    expect(model).not.toHaveProperty('model');
  });

  it('a client that leaves mid-stream still gets its line once the aborted call is settled, as 499 with its tokens', async () => {
    const { hub, lines } = await hubWithLog(true);
    upstream.set({ chunkDelayMs: 200 });
    try {
      const controller = new AbortController();
      const response = await chat(hub, { stream: true }, controller.signal);
      const reader = response.body?.getReader();
      await reader?.read();
      controller.abort();
      await expect.poll(() => lines().length, { timeout: 5_000 }).toBe(1);
      expect(lines()[0]).toMatchObject({ route: '/v1/chat/completions', status: 499, model: 'gpt-test', cost_usd: expect.any(String) });
    } finally {
      upstream.set({ chunkDelayMs: 0 });
    }
  });

  it('server.access_log: false writes none', async () => {
    const { hub, lines } = await hubWithLog(false);
    expect((await chat(hub, {})).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(lines()).toEqual([]);
  });
});
