/**
 * A hub whose stdout nobody reads for a while (a stuck log shipper, a paused `docker logs`) keeps answering:
 * its log lines wait in memory and all of them arrive, in order, once the reader comes back. With one
 * synchronous write() per line the hub froze as soon as the pipe was full.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeOpenAI, startFakeOpenAI } from '../fake-upstreams/openai.js';
import { freePort, type HubProcess, startHubProcess } from '../support/hub-process.js';

const ADMIN_KEY = 'thadm_stalled_log_reader_0123456789';
// ~400 bytes of access line each: well past what the pipe and the reader's buffer hold.
const REQUESTS = 2_000;
const CONCURRENCY = 16;

let upstream: FakeOpenAI;
let dataDir: string;
let hub: HubProcess | undefined;
const agent = new Agent({ connections: CONCURRENCY });

beforeAll(async () => {
  upstream = await startFakeOpenAI({ reply: 'hello' });
  dataDir = await mkdtemp(join(tmpdir(), 'tokenhub-stalled-log-'));
});

afterAll(async () => {
  hub?.child.kill('SIGKILL');
  await agent.close();
  await upstream?.close();
  await rm(dataDir, { recursive: true, force: true });
});

const accessLines = (output: string): { request_id: string }[] =>
  output
    .split('\n')
    .filter((line) => line.startsWith('{') && line.includes('"access":true'))
    .map((line) => JSON.parse(line) as { request_id: string });

describe('a stalled log reader', () => {
  it('does not stop the hub, and every access line arrives once the reader reads again', async () => {
    hub = await startHubProcess({
      dataDir,
      port: await freePort(),
      config: {
        providers: [{ id: 'fake', type: 'openai', base_url: upstream.url }],
        models: [{ name: 'gpt-test', targets: [{ provider: 'fake', model: 'up-1' }] }],
      },
      env: { TOKENHUB_ADMIN_KEY: ADMIN_KEY, TOKENHUB_LOG_LEVEL: 'info', TOKENHUB_DATABASE_URL: '', TOKENHUB_ACCESS_LOG: '' },
      readyTimeoutMs: 90_000,
    });
    const started = hub;
    started.child.stdout?.pause();

    const ids: string[] = [];
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < REQUESTS) {
        next++;
        const response = await request(`${started.url}/v1/chat/completions`, {
          method: 'POST',
          dispatcher: agent,
          headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
          body: JSON.stringify({ model: 'gpt-test', messages: [{ role: 'user', content: 'hi' }] }),
          headersTimeout: 10_000,
          bodyTimeout: 10_000,
        });
        await response.body.text();
        expect(response.statusCode).toBe(200);
        ids.push(String(response.headers['x-request-id']));
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    expect(ids).toHaveLength(REQUESTS);

    started.child.stdout?.resume();
    const sent = new Set(ids);
    const loggedOfSent = (): number => accessLines(started.output()).filter((line) => sent.has(line.request_id)).length;
    await expect.poll(loggedOfSent, { timeout: 30_000, interval: 200 }).toBe(REQUESTS);
  }, 180_000);
});
