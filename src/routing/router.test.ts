import { describe, expect, it } from 'vitest';
import { configSchema } from '../config/index.js';
import { type ChatResult, HubError } from '../core/index.js';
import type { Provider } from '../providers/index.js';
import { ModelCatalog } from './catalog.js';
import { Router } from './router.js';

/** A scripted provider: answers each call with the next scripted outcome. */
function scriptedProvider(id: string, script: (HubError | 'ok')[]): Provider & { calls: number } {
  const provider = {
    id,
    type: 'openai' as const,
    passthrough: null,
    responsesApi: false,
    calls: 0,
    chat: async (): Promise<ChatResult> => {
      provider.calls++;
      const next = script.shift() ?? 'ok';
      if (next !== 'ok') throw next;
      return {
        id: 'x',
        model: id,
        created: 0,
        choices: [],
        usage: { inputTokens: 1, outputTokens: 1, cachedInputTokens: 0, cacheWriteInputTokens: 0, source: 'upstream' },
      };
    },
    streamChat: async () => {
      throw new Error('unused');
    },
    embeddings: async () => {
      throw new Error('unused');
    },
    close: async () => {},
  };
  return provider;
}

function setup(providers: Provider[], models: unknown[], routing: Record<string, unknown> = {}, now = { t: 0 }) {
  const config = configSchema.parse({
    providers: providers.map((provider) => ({ id: provider.id, type: 'openai', base_url: 'http://127.0.0.1:1/v1' })),
    models,
    routing: { backoff_ms: 0, ...routing },
  });
  const providerMap = new Map(providers.map((provider) => [provider.id, provider]));
  const router = new Router(new ModelCatalog(config), providerMap, config.routing, {
    clock: { now: () => now.t },
    random: seededRandom(),
  });
  const run = (model: string) =>
    router.route(model, { requestId: 'r', signal: new AbortController().signal }, (attempt, context) =>
      attempt.provider.chat({ model: attempt.target.upstreamModel, messages: [], stream: false }, context),
    );
  return { router, run, providerMap };
}

/** Park–Miller LCG: spread like Math.random, but the same every run. */
function seededRandom(): () => number {
  let seed = 42;
  return () => {
    seed = (seed * 16807) % 2147483647;
    return seed / 2147483647;
  };
}

const fail = () => new HubError('UPSTREAM_ERROR', 'boom');

describe('Router', () => {
  it('spreads traffic by weight', async () => {
    const a = scriptedProvider('a', []);
    const b = scriptedProvider('b', []);
    const { run } = setup(
      [a, b],
      [
        {
          name: 'm',
          targets: [
            { provider: 'a', model: 'x', weight: 3 },
            { provider: 'b', model: 'x', weight: 1 },
          ],
        },
      ],
    );
    for (let i = 0; i < 400; i++) (await run('m')).finish('success');
    expect(a.calls / 400).toBeGreaterThan(0.65);
    expect(a.calls / 400).toBeLessThan(0.85);
  });

  it('retries on another target, then falls back to the next model', async () => {
    const a = scriptedProvider('a', [fail(), fail(), fail()]);
    const b = scriptedProvider('b', []);
    const { run } = setup(
      [a, b],
      [
        { name: 'm', targets: [{ provider: 'a', model: 'x' }], fallbacks: ['n'] },
        { name: 'n', targets: [{ provider: 'b', model: 'y' }] },
      ],
      { retries: 2 },
    );
    const routed = await run('m');
    expect(routed.attempt.model.name).toBe('n');
    expect(routed.attempts).toBe(4);
    expect(a.calls).toBe(3);
  });

  it('skips a target whose provider was removed at run time, and serves from the others', async () => {
    const gone = scriptedProvider('gone', []);
    const b = scriptedProvider('b', []);
    const { run, providerMap } = setup(
      [gone, b],
      [
        {
          name: 'm',
          targets: [
            { provider: 'gone', model: 'x', weight: 100 },
            { provider: 'b', model: 'y', weight: 1 },
          ],
        },
        { name: 'only-gone', targets: [{ provider: 'gone', model: 'x' }] },
      ],
      { retries: 1 },
    );
    providerMap.delete('gone');
    const routed = await run('m');
    expect(routed.attempt.provider.id).toBe('b');
    expect(routed.attempts).toBe(1);
    await expect(run('only-gone')).rejects.toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', status: 503 });
  });

  it('does not retry a request the upstream rejected as invalid', async () => {
    const a = scriptedProvider('a', [new HubError('UPSTREAM_REJECTED', 'bad', { status: 422 })]);
    const { run } = setup([a], [{ name: 'm', targets: [{ provider: 'a', model: 'x' }] }]);
    await expect(run('m')).rejects.toMatchObject({ code: 'UPSTREAM_REJECTED', status: 422 });
    expect(a.calls).toBe(1);
  });

  it('opens the breaker after consecutive failures and half-opens after the cooldown', async () => {
    const now = { t: 0 };
    const a = scriptedProvider('a', [fail(), fail(), fail()]);
    const { run, router } = setup(
      [a],
      [{ name: 'm', targets: [{ provider: 'a', model: 'x' }] }],
      { retries: 0, breaker: { failure_threshold: 3, cooldown_ms: 1000 } },
      now,
    );
    for (let i = 0; i < 3; i++) await expect(run('m')).rejects.toMatchObject({ code: 'UPSTREAM_ERROR' });
    expect(router.breakerStates()['a/x']).toBe('open');
    await expect(run('m')).rejects.toMatchObject({ code: 'NO_HEALTHY_TARGET', status: 503 });
    expect(a.calls).toBe(3);
    now.t = 1000;
    expect(router.breakerStates()['a/x']).toBe('half-open');
    const routed = await run('m');
    routed.finish('success');
    expect(router.breakerStates()['a/x']).toBe('closed');
  });

  it('stops at once when the client leaves', async () => {
    const a = scriptedProvider('a', [fail(), fail()]);
    const { router } = setup([a], [{ name: 'm', targets: [{ provider: 'a', model: 'x' }] }], {
      retries: 2,
      backoff_ms: 5_000,
      max_backoff_ms: 5_000,
      max_retry_after_ms: 0,
    });
    const controller = new AbortController();
    const pending = router.route('m', { requestId: 'r', signal: controller.signal }, (attempt, context) =>
      attempt.provider.chat({ model: 'x', messages: [], stream: false }, context),
    );
    setTimeout(() => controller.abort(), 20);
    await expect(pending).rejects.toMatchObject({ code: 'CLIENT_CLOSED' });
    expect(a.calls).toBe(1);
  });
});
