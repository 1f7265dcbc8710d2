/**
 * Circuit breakers against real upstreams: consecutive failures open a target's breaker (its traffic
 * goes to the fallback without touching it), the cooldown lets one trial through, a good trial closes
 * it and a bad one opens it again. Which upstream served is read from the fakes' request logs, so no
 * assertion depends on how fast anything ran — only on waiting at least the cooldown.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type FakeOpenAI, startFakeOpenAI } from '../fake-upstreams/openai.js';
import { startTestHub, type TestHub } from '../support/hub.js';
import {
  CHAT,
  createMeteredKey,
  expectAnthropicError,
  expectNoLeaks,
  expectOpenAIError,
  FaultClient,
  liveTimers,
  type MeteredKey,
} from './support.js';

// Long enough that the requests made "while open" surely run inside it, short enough to wait out.
const COOLDOWN_MS = 2_000;

let main: FakeOpenAI;
let spare: FakeOpenAI;
let hub: TestHub;
let client: FaultClient;
let baselineTimers: number;
let metered: MeteredKey;
/** Priced, so every request of the metered key reserves budget and the leak check means something. */
const PRICING = { input_per_mtok: 1, output_per_mtok: 2 };

beforeAll(async () => {
  main = await startFakeOpenAI();
  spare = await startFakeOpenAI({ reply: 'Spare answer.' });
  hub = await startTestHub({
    providers: [
      { id: 'main', type: 'openai', base_url: main.url },
      { id: 'spare', type: 'openai', base_url: spare.url },
    ],
    models: [
      { name: 'primary', targets: [{ provider: 'main', model: 'gpt-primary' }], fallbacks: ['spare-model'], pricing: PRICING },
      { name: 'spare-model', targets: [{ provider: 'spare', model: 'spare-up' }], pricing: PRICING },
      // Its own target (provider/model), so its breaker is independent of `primary`'s.
      { name: 'lonely', targets: [{ provider: 'main', model: 'gpt-lonely' }], pricing: PRICING },
    ],
    routing: {
      retries: 0,
      backoff_ms: 1,
      timeout_ms: 5_000,
      first_byte_timeout_ms: 2_000,
      breaker: { failure_threshold: 2, cooldown_ms: COOLDOWN_MS },
    },
  });
  metered = await createMeteredKey(hub);
  baselineTimers = liveTimers();
});

afterAll(async () => {
  await hub?.close();
  await main?.close();
  await spare?.close();
});

beforeEach(() => {
  client = new FaultClient(hub, metered.key);
});

afterEach(async () => {
  await client.close();
  await expectNoLeaks({ hub, upstreams: [main, spare], baselineTimers, meteredKey: metered });
});

async function served(model: string): Promise<string> {
  const answer = await client.post('/v1/chat/completions', { model, ...CHAT });
  expect(answer.status).toBe(200);
  return (JSON.parse(answer.text) as { choices: { message: { content: string } }[] }).choices[0]?.message.content ?? '';
}

function requestsTo(upstream: FakeOpenAI, upstreamModel: string): number {
  return upstream.requests.filter((request) => request.body?.model === upstreamModel).length;
}

describe('circuit breaker', () => {
  it('opens after consecutive failures, sheds the target, and closes after a good trial', async () => {
    main.failNext({ kind: 'status', status: 500 }, { kind: 'status', status: 502 });
    expect(await served('primary')).toBe('Spare answer.');
    expect(await served('primary')).toBe('Spare answer.');
    expect(requestsTo(main, 'gpt-primary')).toBe(2);

    // Open: the failing target is not even tried.
    expect(await served('primary')).toBe('Spare answer.');
    expect(await served('primary')).toBe('Spare answer.');
    expect(requestsTo(main, 'gpt-primary')).toBe(2);

    await sleep(COOLDOWN_MS + 100);
    // Half-open: one trial goes through, succeeds, and the breaker closes for good.
    expect(await served('primary')).toBe('Hello from fake OpenAI!');
    expect(await served('primary')).toBe('Hello from fake OpenAI!');
    expect(requestsTo(main, 'gpt-primary')).toBe(4);
  });

  it('a failed half-open trial opens the breaker again at once', async () => {
    main.failNext({ kind: 'status', status: 503 }, { kind: 'status', status: 503 });
    await served('primary');
    await served('primary');
    const afterOpening = requestsTo(main, 'gpt-primary');

    await sleep(COOLDOWN_MS + 100);
    main.failNext({ kind: 'status', status: 500 });
    expect(await served('primary')).toBe('Spare answer.');
    expect(requestsTo(main, 'gpt-primary')).toBe(afterOpening + 1);
    // One failed trial is enough: open again, not tried.
    expect(await served('primary')).toBe('Spare answer.');
    expect(requestsTo(main, 'gpt-primary')).toBe(afterOpening + 1);

    await sleep(COOLDOWN_MS + 100);
    expect(await served('primary')).toBe('Hello from fake OpenAI!');
  });

  it('with no fallback, an open breaker answers 503 at once in the client protocol', async () => {
    main.failNext({ kind: 'status', status: 500 }, { kind: 'status', status: 500 });
    for (let i = 0; i < 2; i++) {
      const failed = await client.post('/v1/chat/completions', { model: 'lonely', ...CHAT });
      expect(failed.status).toBe(502);
    }
    const before = requestsTo(main, 'gpt-lonely');
    const openai = await client.post('/v1/chat/completions', { model: 'lonely', ...CHAT, stream: true });
    expect(openai.status).toBe(503);
    expect(expectOpenAIError(openai.text, 'upstream_error').message).toContain('circuit open');
    // The seconds until the half-open trial: within the cooldown, never 0.
    const retryAfter = Number(openai.headers['retry-after']);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(COOLDOWN_MS / 1000);
    const anthropic = await client.post('/v1/messages', { model: 'lonely', max_tokens: 16, ...CHAT });
    expect(anthropic.status).toBe(503);
    expectAnthropicError(anthropic.text, 'overloaded_error');
    expect(Number(anthropic.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(requestsTo(main, 'gpt-lonely')).toBe(before);

    await sleep(COOLDOWN_MS + 100);
    expect(await served('lonely')).toBe('Hello from fake OpenAI!');
  });

  it('client aborts do not count as upstream failures', async () => {
    main.set({ chunkDelayMs: 50, chunks: 20 });
    try {
      for (let i = 0; i < 3; i++) {
        const controller = new AbortController();
        const { body } = await client.open('/v1/chat/completions', { model: 'primary', ...CHAT, stream: true }, controller.signal);
        // Read the first bytes, then walk away.
        await new Promise<void>((resolve) => body.once('data', () => resolve()));
        controller.abort();
        body.on('error', () => {});
      }
    } finally {
      main.set({ chunkDelayMs: 0, chunks: 5 });
    }
    // Three abandoned streams later the breaker is still closed: the next call goes to main.
    const before = requestsTo(main, 'gpt-primary');
    expect(await served('primary')).toBe('Hello from fake OpenAI!');
    expect(requestsTo(main, 'gpt-primary')).toBe(before + 1);
  });
});
