/**
 * Shared helpers for the fault-tolerance suite: a client with its own connection pool (so "no socket
 * left open" can be checked after each scenario), SSE reading with a hard deadline, and leak checks.
 */
import type { Readable } from 'node:stream';
import { Agent, request } from 'undici';
import { expect } from 'vitest';
import { usdToPicos } from '../../src/core/index.js';
import type { TestHub } from '../support/hub.js';

export interface ClientAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  /** Milliseconds from sending the request to the end of the body. */
  elapsedMs: number;
}

export interface PostOptions {
  headers?: Record<string, string>;
  /** Client-side deadline; the test fails (rather than hangs) when the hub does not answer in time. */
  deadlineMs?: number;
}

/**
 * A test client with a private undici pool: closing it closes its sockets, so the hub's own connection
 * count must then fall to zero.
 */
export class FaultClient {
  private readonly agent = new Agent({ keepAliveTimeout: 10_000 });
  private readonly baseUrl: string;
  private readonly apiKey: string;

  /** `apiKey`: the key to call with (default: the admin key, which no budget or limit applies to). */
  constructor(hub: TestHub, apiKey: string = hub.adminKey) {
    this.baseUrl = hub.url;
    this.apiKey = apiKey;
  }

  /** POSTs JSON and reads the whole answer, failing if it takes longer than the deadline. */
  async post(path: string, body: unknown, options: PostOptions = {}): Promise<ClientAnswer> {
    const startedAt = performance.now();
    const signal = AbortSignal.timeout(options.deadlineMs ?? 10_000);
    const answer = await request(this.baseUrl + path, {
      method: 'POST',
      dispatcher: this.agent,
      headers: { authorization: `Bearer ${this.apiKey}`, 'content-type': 'application/json', ...options.headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
      signal,
    });
    const text = await answer.body.text();
    return { status: answer.statusCode, headers: answer.headers, text, elapsedMs: performance.now() - startedAt };
  }

  /** Starts a POST and hands back the open body, for tests that read slowly or walk away. */
  async open(path: string, body: unknown, signal?: AbortSignal): Promise<{ status: number; body: Readable }> {
    const answer = await request(this.baseUrl + path, {
      method: 'POST',
      dispatcher: this.agent,
      headers: { authorization: `Bearer ${this.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
      ...(signal ? { signal } : {}),
    });
    return { status: answer.statusCode, body: answer.body };
  }

  async close(): Promise<void> {
    await this.agent.close();
  }
}

/** Polls `probe` until it returns true; fails with `what` after `timeoutMs`. */
export async function waitFor(what: string, probe: () => boolean | Promise<boolean>, timeoutMs = 2_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    if (await probe()) return;
    if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export function serverConnections(hub: TestHub): Promise<number> {
  return new Promise((resolve, reject) => {
    hub.hub.app.server.getConnections((error, count) => (error ? reject(error) : resolve(count)));
  });
}

/** Timers that keep the event loop alive (unref'd ones, like undici's keep-alive timers, do not count). */
export function liveTimers(): number {
  return process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout').length;
}

export interface LeakProbe {
  hub: TestHub;
  /** Fake upstreams exposing their open request count. */
  upstreams: { openRequests(): number }[];
  /** `liveTimers()` measured when the hub was idle. */
  baselineTimers: number;
  /**
   * The metered key the scenario called with: none of its budget may stay reserved. Budget reservation and
   * concurrency slot are released by the same atomic settle, so this also shows no slot is held.
   */
  meteredKey?: MeteredKey;
}

export interface MeteredKey {
  key: string;
  budgetId: string;
}

/**
 * A tenant and a virtual key with a budget and a concurrency limit, so the fault scenarios exercise
 * reservation and release on every path (the admin key reserves nothing). A leaked slot shows up as
 * 429s in later scenarios, a leaked reservation in `expectNoLeaks`.
 */
export async function createMeteredKey(hub: TestHub, maxConcurrency = 8): Promise<MeteredKey> {
  const tenant = await hub.hub.economy.tenancy.createTenant('faults');
  const created = await hub.hub.economy.keys.create({
    tenantId: tenant.id,
    projectId: null,
    name: 'faults',
    models: null,
    rateLimits: { maxConcurrency },
    budget: { limitPicos: usdToPicos('1000'), period: 'total' },
  });
  if (!created.budget) throw new Error('the key was created without its budget');
  return { key: created.secret, budgetId: created.budget.id };
}

/**
 * After a scenario (and after its client pool is closed): the upstreams hold no open request, the hub
 * holds no client socket, and no timer of the scenario (attempt timeouts, backoffs) is left running.
 * The router's timers run for the whole attempt timeout when leaked, so a short wait here catches them.
 */
export async function expectNoLeaks(probe: LeakProbe): Promise<void> {
  await waitFor('upstreams to have no open request', () => probe.upstreams.every((upstream) => upstream.openRequests() === 0));
  await waitFor('the hub to hold no client connection', async () => (await serverConnections(probe.hub)) === 0);
  await waitFor(`live timers to fall back to ${probe.baselineTimers}`, () => liveTimers() <= probe.baselineTimers);
  const metered = probe.meteredKey;
  if (metered) {
    await waitFor(
      'the key budget to hold no reservation',
      async () => (await probe.hub.hub.economy.budgets.get(metered.budgetId)).reserved === 0n,
    );
  }
}

/** The `data:` payloads of an SSE text, in order. */
export function ssePayloads(text: string): string[] {
  return text
    .split('\n')
    .filter((line) => line.startsWith('data: '))
    .map((line) => line.slice('data: '.length));
}

/** The `event:` names of an SSE text, in order. */
export function sseEventNames(text: string): string[] {
  return text
    .split('\n')
    .filter((line) => line.startsWith('event: '))
    .map((line) => line.slice('event: '.length));
}

/** The error object of an OpenAI-shaped body: `{ error: { message, type, param, code } }`. */
export function expectOpenAIError(text: string, type?: string): { message: string; type: string; code: unknown } {
  const body = JSON.parse(text) as { error?: { message?: unknown; type?: unknown; code?: unknown; param?: unknown } };
  expect(body.error).toBeDefined();
  expect(typeof body.error?.message).toBe('string');
  expect(typeof body.error?.type).toBe('string');
  expect(body.error).toHaveProperty('param');
  expect(body.error).toHaveProperty('code');
  if (type) expect(body.error?.type).toBe(type);
  return body.error as { message: string; type: string; code: unknown };
}

/** The error object of an Anthropic-shaped body: `{ type: 'error', error: { type, message } }`. */
export function expectAnthropicError(text: string, type?: string): { message: string; type: string } {
  const body = JSON.parse(text) as { type?: unknown; error?: { message?: unknown; type?: unknown } };
  expect(body.type).toBe('error');
  expect(typeof body.error?.message).toBe('string');
  expect(typeof body.error?.type).toBe('string');
  if (type) expect(body.error?.type).toBe(type);
  return body.error as { message: string; type: string };
}

export const CHAT = { messages: [{ role: 'user', content: 'Hi' }] };
