/**
 * Upstream faults against real servers on 127.0.0.1: every scripted failure of the fake upstreams,
 * through every surface/upstream pairing (pass-through and translation). The client must get a
 * retry/fallback success where one is possible, else an error in its own protocol's shape within the
 * configured timeouts; and after each scenario nothing is left open (upstream requests, hub sockets,
 * attempt timers).
 *
 * The happy retry/fallback cases already covered in src/gateway/surfaces/*.test.ts (OpenAI
 * pass-through 500 retry, 503→fallback, 429 retry-after 0, hang→fallback, error event) are not repeated.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type FakeAnthropic, startFakeAnthropic } from '../fake-upstreams/anthropic.js';
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
  sseEventNames,
  ssePayloads,
  waitFor,
} from './support.js';

const TIMEOUT_MS = 1_500;
const FIRST_BYTE_MS = 400;
const MAX_RETRY_AFTER_MS = 2_000;
const OPENAI_REPLY = 'Hello from fake OpenAI!';
const ANTHROPIC_REPLY = 'Hello from fake Anthropic';

let main: FakeOpenAI;
let backup: FakeOpenAI;
let claude: FakeAnthropic;
let hub: TestHub;
let client: FaultClient;
let baselineTimers: number;
let metered: MeteredKey;
/** Priced, so every request of the metered key reserves budget and the leak check means something. */
const PRICING = { input_per_mtok: 1, output_per_mtok: 2 };

beforeAll(async () => {
  main = await startFakeOpenAI();
  backup = await startFakeOpenAI({ reply: 'Backup answer.' });
  claude = await startFakeAnthropic();
  hub = await startTestHub({
    providers: [
      { id: 'main', type: 'openai', base_url: main.url },
      { id: 'backup', type: 'openai', base_url: backup.url },
      { id: 'claude', type: 'anthropic', base_url: claude.url, api_key: 'sk-ant-fake' },
      { id: 'main-responses', type: 'openai', base_url: main.url, responses_api: true },
    ],
    models: [
      { name: 'solo', targets: [{ provider: 'main', model: 'gpt-up' }], pricing: PRICING },
      { name: 'with-fallback', targets: [{ provider: 'main', model: 'gpt-up' }], fallbacks: ['backup-model'], pricing: PRICING },
      { name: 'backup-model', targets: [{ provider: 'backup', model: 'qwen-up' }], pricing: PRICING },
      { name: 'claude-solo', targets: [{ provider: 'claude', model: 'claude-up' }], pricing: PRICING },
      { name: 'responses-native', targets: [{ provider: 'main-responses', model: 'gpt-up' }], pricing: PRICING },
    ],
    routing: {
      retries: 1,
      backoff_ms: 1,
      max_backoff_ms: 5,
      timeout_ms: TIMEOUT_MS,
      first_byte_timeout_ms: FIRST_BYTE_MS,
      max_retry_after_ms: MAX_RETRY_AFTER_MS,
      // Breakers have their own file; here they must never change which target serves.
      breaker: { failure_threshold: 1_000, cooldown_ms: 1 },
    },
  });
  // Warm both protocols once so lazily created pools and timers are part of the baseline.
  const warm = new FaultClient(hub);
  await warm.post('/v1/chat/completions', { model: 'solo', ...CHAT });
  await warm.post('/v1/chat/completions', { model: 'claude-solo', ...CHAT });
  await warm.close();
  await waitFor('the warm-up to settle', async () => main.openRequests() === 0);
  metered = await createMeteredKey(hub);
  baselineTimers = liveTimers();
});

afterAll(async () => {
  // The scenarios ran on a metered key: its budget was charged, so reservations really were taken and released.
  expect((await hub.hub.economy.budgets.get(metered.budgetId)).spent).toBeGreaterThan(0n);
  const closing = performance.now();
  await hub?.close();
  // Nothing is in flight, so close must not wait for the drain deadline (30 s by default).
  expect(performance.now() - closing).toBeLessThan(5_000);
  await main?.close();
  await backup?.close();
  await claude?.close();
});

beforeEach(() => {
  client = new FaultClient(hub, metered.key);
});

afterEach(async () => {
  await client.close();
  await expectNoLeaks({ hub, upstreams: [main, backup], baselineTimers, meteredKey: metered });
});

function openaiChat(model: string, stream: boolean) {
  return client.post('/v1/chat/completions', { model, ...CHAT, stream });
}

function anthropicMessages(model: string, stream: boolean) {
  return client.post('/v1/messages', { model, max_tokens: 64, ...CHAT, stream });
}

/** The text of an OpenAI SSE stream that ended properly with `[DONE]`. */
function openaiStreamText(text: string): string {
  const payloads = ssePayloads(text);
  expect(payloads.at(-1)).toBe('[DONE]');
  let content = '';
  for (const payload of payloads.slice(0, -1)) {
    const chunk = JSON.parse(payload) as { choices: { delta?: { content?: string | null } }[] };
    content += chunk.choices[0]?.delta?.content ?? '';
  }
  return content;
}

/** The text of an Anthropic SSE stream that ended properly with `message_stop`. */
function anthropicStreamText(text: string): string {
  expect(sseEventNames(text).at(-1)).toBe('message_stop');
  let content = '';
  for (const payload of ssePayloads(text)) {
    const event = JSON.parse(payload) as { type: string; delta?: { type?: string; text?: string } };
    if (event.type === 'content_block_delta' && event.delta?.type === 'text_delta') content += event.delta.text ?? '';
  }
  return content;
}

/** The last `data:` payload of a stream that ended with an error event instead of a proper end. */
function lastErrorEvent(text: string): string {
  const payloads = ssePayloads(text);
  expect(payloads).not.toContain('[DONE]');
  expect(sseEventNames(text)).not.toContain('message_stop');
  const last = payloads.at(-1);
  expect(last).toBeDefined();
  return last ?? '';
}

describe('5xx then success: one retry on the same target', () => {
  const cases = [500, 502, 503].flatMap((status) => [
    { status, surface: 'openai' as const, stream: true },
    { status, surface: 'anthropic' as const, stream: false },
    { status, surface: 'anthropic' as const, stream: true },
  ]);
  it.each(cases)('$status, $surface client, stream=$stream', async ({ status, surface, stream }) => {
    const before = main.requests.length;
    main.failNext({ kind: 'status', status });
    const answer = surface === 'openai' ? await openaiChat('solo', stream) : await anthropicMessages('solo', stream);
    expect(answer.status).toBe(200);
    expect(main.requests.length).toBe(before + 2);
    if (!stream) {
      const message = JSON.parse(answer.text) as { content: { text: string }[] };
      expect(message.content[0]?.text).toBe(OPENAI_REPLY);
    } else if (surface === 'openai') expect(openaiStreamText(answer.text)).toBe(OPENAI_REPLY);
    else expect(anthropicStreamText(answer.text)).toBe(OPENAI_REPLY);
  });

  it('an Anthropic 529 (overloaded) is retried for an OpenAI client', async () => {
    claude.failNext({ kind: 'status', status: 529 });
    const answer = await openaiChat('claude-solo', true);
    expect(answer.status).toBe(200);
    expect(openaiStreamText(answer.text)).toBe(ANTHROPIC_REPLY);
  });
});

describe('5xx on every attempt and no fallback: a protocol-shaped error, not a hang', () => {
  it('OpenAI client: 503 with the upstream_error type, as JSON even when a stream was asked for', async () => {
    for (const stream of [false, true]) {
      main.failNext({ kind: 'status', status: 503 }, { kind: 'status', status: 503 });
      const answer = await openaiChat('solo', stream);
      expect(answer.status).toBe(503);
      expect(answer.headers['content-type']).toMatch(/^application\/json/);
      expectOpenAIError(answer.text, 'upstream_error');
    }
  });

  it('Anthropic client: 502 as an api_error, 503 as overloaded_error', async () => {
    main.failNext({ kind: 'status', status: 502 }, { kind: 'status', status: 500 });
    const broken = await anthropicMessages('solo', true);
    expect(broken.status).toBe(502);
    expectAnthropicError(broken.text, 'api_error');

    main.failNext({ kind: 'status', status: 503 }, { kind: 'status', status: 503 });
    const unavailable = await anthropicMessages('solo', false);
    expect(unavailable.status).toBe(503);
    expectAnthropicError(unavailable.text, 'overloaded_error');
  });

  it('a fallback model serves when the first model fails with 500s, streamed', async () => {
    main.failNext({ kind: 'status', status: 500 }, { kind: 'status', status: 500 });
    const answer = await anthropicMessages('with-fallback', true);
    expect(answer.status).toBe(200);
    expect(anthropicStreamText(answer.text)).toBe('Backup answer.');
  });
});

describe('429 with retry-after', () => {
  it('waits the upstream retry-after (when within max_retry_after_ms), then succeeds', async () => {
    main.failNext({ kind: 'status', status: 429, retryAfter: '1' });
    const answer = await openaiChat('solo', true);
    expect(answer.status).toBe(200);
    expect(openaiStreamText(answer.text)).toBe(OPENAI_REPLY);
    // The retry happened no sooner than the upstream asked.
    expect(answer.elapsedMs).toBeGreaterThanOrEqual(1_000);
  });

  it('does not sleep through a retry-after longer than allowed; passes 429 and retry-after on', async () => {
    main.failNext({ kind: 'status', status: 429, retryAfter: '30' }, { kind: 'status', status: 429, retryAfter: '30' });
    const answer = await openaiChat('solo', false);
    expect(answer.status).toBe(429);
    expect(answer.headers['retry-after']).toBe('30');
    expectOpenAIError(answer.text, 'rate_limit_error');
    expect(answer.elapsedMs).toBeLessThan(MAX_RETRY_AFTER_MS);

    main.failNext({ kind: 'status', status: 429, retryAfter: '30' }, { kind: 'status', status: 429, retryAfter: '30' });
    const anthropic = await anthropicMessages('solo', true);
    expect(anthropic.status).toBe(429);
    expect(anthropic.headers['retry-after']).toBe('30');
    expectAnthropicError(anthropic.text, 'rate_limit_error');
  });

  it('an HTTP-date retry-after is honoured too', async () => {
    // One second ahead, rounded up by the date's whole-second resolution: at most ~2 s of waiting.
    const date = new Date(Date.now() + 1_000).toUTCString();
    main.failNext({ kind: 'status', status: 429, retryAfter: date });
    const answer = await openaiChat('solo', false);
    expect(answer.status).toBe(200);
  });
});

describe('hang before headers: the first-byte timeout', () => {
  it('retries a silent upstream, then streams the answer', async () => {
    main.failNext({ kind: 'hang-before-headers' });
    const answer = await anthropicMessages('solo', true);
    expect(answer.status).toBe(200);
    expect(anthropicStreamText(answer.text)).toBe(OPENAI_REPLY);
    expect(answer.elapsedMs).toBeGreaterThanOrEqual(FIRST_BYTE_MS);
  });

  it('answers 504 in the client protocol once every attempt timed out', async () => {
    main.failNext({ kind: 'hang-before-headers' }, { kind: 'hang-before-headers' });
    const openai = await openaiChat('solo', true);
    expect(openai.status).toBe(504);
    expectOpenAIError(openai.text, 'timeout_error');
    // Two attempts of FIRST_BYTE_MS each, not the total timeout, and certainly not forever.
    expect(openai.elapsedMs).toBeGreaterThanOrEqual(2 * FIRST_BYTE_MS);
    expect(openai.elapsedMs).toBeLessThan(2 * FIRST_BYTE_MS + 3_000);

    main.failNext({ kind: 'hang-before-headers' }, { kind: 'hang-before-headers' });
    const anthropic = await anthropicMessages('solo', false);
    expect(anthropic.status).toBe(504);
    expectAnthropicError(anthropic.text, 'timeout_error');
  });

  it('an Anthropic upstream that never answers is a 504 for an OpenAI client', async () => {
    claude.failNext({ kind: 'hang' }, { kind: 'hang' });
    const answer = await openaiChat('claude-solo', false);
    expect(answer.status).toBe(504);
    expectOpenAIError(answer.text, 'timeout_error');
  });
});

describe('hang mid-stream: the total timeout ends the stream with an error event', () => {
  it('OpenAI pass-through', async () => {
    main.failNext({ kind: 'hang-mid-stream', afterChunks: 2 });
    const answer = await openaiChat('solo', true);
    expect(answer.status).toBe(200);
    const error = JSON.parse(lastErrorEvent(answer.text)) as { error: { type: string; code: string } };
    expect(error.error).toMatchObject({ type: 'timeout_error', code: 'upstream_timeout' });
    expect(answer.elapsedMs).toBeGreaterThanOrEqual(TIMEOUT_MS - 50);
    expect(answer.elapsedMs).toBeLessThan(TIMEOUT_MS + 3_000);
  });

  it('Anthropic client over an OpenAI upstream (translation)', async () => {
    main.failNext({ kind: 'hang-mid-stream', afterChunks: 2 });
    const answer = await anthropicMessages('solo', true);
    expect(answer.status).toBe(200);
    expect(sseEventNames(answer.text).at(-1)).toBe('error');
    expectAnthropicError(lastErrorEvent(answer.text), 'timeout_error');
    expect(answer.elapsedMs).toBeLessThan(TIMEOUT_MS + 3_000);
  });
});

describe('socket closed mid-stream', () => {
  // Spaced chunks, so the cut lands after bytes reached the hub (an unflushed cut is a cut before headers).
  beforeEach(() => main.set({ chunkDelayMs: 20 }));
  afterEach(() => main.set({ chunkDelayMs: 0 }));

  it('OpenAI pass-through: an upstream_error event, no [DONE]', async () => {
    main.failNext({ kind: 'cut-mid-stream', afterChunks: 2 });
    const answer = await openaiChat('solo', true);
    expect(answer.status).toBe(200);
    const error = JSON.parse(lastErrorEvent(answer.text)) as { error: { type: string; message: string } };
    expect(error.error.type).toBe('upstream_error');
    // What happened, not "cannot reach upstream": it answered, then broke off.
    expect(error.error.message).toContain('upstream main closed the connection mid-response');
  });

  it('Anthropic client over an OpenAI upstream: an error event', async () => {
    main.failNext({ kind: 'cut-mid-stream', afterChunks: 2 });
    const answer = await anthropicMessages('solo', true);
    expect(sseEventNames(answer.text).at(-1)).toBe('error');
    expect(expectAnthropicError(lastErrorEvent(answer.text)).message).toContain('upstream main closed the connection mid-response');
  });

  it('OpenAI client over an Anthropic upstream: an error chunk', async () => {
    claude.failNext({ kind: 'cut', afterDeltas: 2 });
    const answer = await openaiChat('claude-solo', true);
    expect(answer.status).toBe(200);
    expect(expectOpenAIError(lastErrorEvent(answer.text)).message).toContain('upstream claude closed the connection mid-response');
  });

  it('Anthropic pass-through: an error event that says the upstream broke off', async () => {
    claude.failNext({ kind: 'cut', afterDeltas: 2 });
    const answer = await anthropicMessages('claude-solo', true);
    expect(sseEventNames(answer.text).at(-1)).toBe('error');
    expect(expectAnthropicError(lastErrorEvent(answer.text)).message).toContain('upstream claude closed the connection mid-response');
  });
});

describe('malformed SSE and invalid JSON from the upstream', () => {
  it('translation: a malformed first event is caught before any byte is sent, so it is retried', async () => {
    const before = main.requests.length;
    main.failNext({ kind: 'malformed-sse' });
    const answer = await anthropicMessages('solo', true);
    expect(answer.status).toBe(200);
    expect(anthropicStreamText(answer.text)).toBe(OPENAI_REPLY);
    expect(main.requests.length).toBe(before + 2);
  });

  it('pass-through: the stream ends with a protocol-shaped error event, never [DONE]', async () => {
    main.failNext({ kind: 'malformed-sse' });
    const answer = await openaiChat('solo', true);
    expect(answer.status).toBe(200);
    expectOpenAIError(lastErrorEvent(answer.text));
  });

  it('translation: an invalid JSON body is retried', async () => {
    main.failNext({ kind: 'invalid-json' });
    const answer = await anthropicMessages('solo', false);
    expect(answer.status).toBe(200);
    const message = JSON.parse(answer.text) as { content: { text: string }[] };
    expect(message.content[0]?.text).toBe(OPENAI_REPLY);
  });

  it('pass-through: an invalid JSON body is retried too (the body is read inside the attempt)', async () => {
    main.failNext({ kind: 'invalid-json' });
    const answer = await openaiChat('solo', false);
    expect(answer.status).toBe(200);
  });

  it('pass-through: invalid JSON on every attempt is a 502 in the OpenAI shape', async () => {
    // retries: 1 → two attempts, both broken.
    main.failNext({ kind: 'invalid-json' }, { kind: 'invalid-json' });
    const answer = await openaiChat('solo', false);
    expect(answer.status).toBe(502);
    expect(expectOpenAIError(answer.text, 'upstream_error').message).toContain('not JSON');
  });

  it('Responses pass-through: an invalid JSON body is retried (read inside the attempt), twice is a 502', async () => {
    main.failNext({ kind: 'invalid-json' });
    const retried = await client.post('/v1/responses', { model: 'responses-native', input: 'Hi' });
    expect(retried.status).toBe(200);
    expect((JSON.parse(retried.text) as { object: string }).object).toBe('response');
    main.failNext({ kind: 'invalid-json' }, { kind: 'invalid-json' });
    const broken = await client.post('/v1/responses', { model: 'responses-native', input: 'Hi' });
    expect(broken.status).toBe(502);
    expect(expectOpenAIError(broken.text, 'upstream_error').message).toContain('not JSON');
  });

  it('translation: an error event mid-stream becomes an Anthropic error event', async () => {
    main.failNext({ kind: 'error-event', afterChunks: 1 });
    const answer = await anthropicMessages('solo', true);
    expect(sseEventNames(answer.text).at(-1)).toBe('error');
    expectAnthropicError(lastErrorEvent(answer.text));
  });
});
