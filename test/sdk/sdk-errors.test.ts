/**
 * Every error class of the SDK from a real refusal of a real hub: a bad key, a missing scope, an unknown
 * agent, a bad field, a run not waiting, a spent budget, a rate limit (too long to wait out: thrown at once)
 * and a concurrency limit (waited out as its `retry-after` says, then passed).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AuthenticationError,
  BudgetExceededError,
  ConflictError,
  InvalidRequestError,
  NotFoundError,
  PermissionError,
  RateLimitError,
  TokenHubError,
} from '../../src/sdk/index.js';
import { createKey } from '../support/economy.js';
import { type SdkHub, startSdkHub } from './sdk-hub.js';

let setup: SdkHub;

beforeAll(async () => {
  setup = await startSdkHub('sdk-errors');
  await setup.client().agents.create({ name: 'support', model: 'scripted', instructions: 'You help.' });
});

afterAll(async () => {
  await setup?.hub.close();
});

/** A fetch that records the status of every answer it got. */
function countingFetch(): { fetch: typeof fetch; statuses: number[] } {
  const statuses: number[] = [];
  return {
    statuses,
    fetch: async (input, init) => {
      const response = await fetch(input, init);
      statuses.push(response.status);
      return response;
    },
  };
}

const chat = { model: 'scripted', messages: [{ role: 'user', content: 'Hello' }], max_tokens: 50 };

async function refusal(call: Promise<unknown>): Promise<TokenHubError> {
  const error = await call.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(TokenHubError);
  return error as TokenHubError;
}

describe('errors from real refusals', () => {
  it('401 for an unknown key', async () => {
    const error = await refusal(setup.client({ apiKey: 'thk_not_a_key_at_all' }).agents.list());
    expect(error).toBeInstanceOf(AuthenticationError);
    expect(error).toMatchObject({ status: 401, type: 'authentication_error' });
    expect(error.requestId).toMatch(/^req_/);
  });

  it('403 missing_scope for a key without agents:run', async () => {
    const { key } = await createKey(setup.hub, { tenant_id: setup.tenantId, scopes: ['inference'] });
    const error = await refusal(setup.client({ apiKey: key }).agents.run('support', 'Hi'));
    expect(error).toBeInstanceOf(PermissionError);
    expect(error).toMatchObject({ status: 403, code: 'missing_scope', type: 'permission_error' });
    expect(error.message).toContain('agents:run');
  });

  it('404 for an unknown agent and an unknown run', async () => {
    const hub = setup.client();
    const agent = await refusal(hub.agents.run('nobody', 'Hi'));
    expect(agent).toBeInstanceOf(NotFoundError);
    expect(agent).toMatchObject({ status: 404, code: 'agent_not_found' });
    expect(await refusal(hub.runs.get('run_doesnotexist'))).toMatchObject({ name: 'NotFoundError', code: 'run_not_found' });
  });

  it('400 naming the field, and 409 for a run that is not waiting', async () => {
    const hub = setup.client();
    const invalid = await refusal(hub.agents.run('support', 'Hi', { threadId: 'not a thread id!' }));
    expect(invalid).toBeInstanceOf(InvalidRequestError);
    expect(invalid).toMatchObject({ status: 400, param: 'thread_id', type: 'invalid_request_error' });

    setup.script([{ text: 'Done.' }]);
    const run = await hub.agents.run('support', 'Hi');
    expect(run.status).toBe('completed');
    const conflict = await refusal(hub.runs.approve(run.id, 'call_x'));
    expect(conflict).toBeInstanceOf(ConflictError);
    expect(conflict).toMatchObject({ status: 409, code: 'run_not_waiting' });
  });

  it('402 from a spent budget, never retried; an agent run on it ends budget_exceeded', async () => {
    const { key } = await createKey(setup.hub, {
      tenant_id: setup.tenantId,
      scopes: ['inference', 'agents:run'],
      budget: { limit_usd: '0.000001', period: 'total' },
    });
    const counting = countingFetch();
    const hub = setup.client({ apiKey: key, fetch: counting.fetch });
    const error = await refusal(hub.request('POST', '/v1/chat/completions', { body: chat }));
    expect(error).toBeInstanceOf(BudgetExceededError);
    expect(error).toMatchObject({ status: 402, code: 'budget_exceeded', type: 'insufficient_quota' });
    expect(counting.statuses).toEqual([402]);

    // A run is not refused at the door: it starts, and its first model call stops it.
    const run = await hub.agents.run('support', 'Hi');
    expect(run.status).toBe('budget_exceeded');
    expect((await hub.usage()).budgets[0]).toMatchObject({ scope: 'key', limit_usd: '0.000001' });
  });

  it('429 with a retry-after too long to wait: thrown at once, with retryAfterMs', async () => {
    const { key } = await createKey(setup.hub, { tenant_id: setup.tenantId, scopes: ['inference'], rate_limits: { rpm: 1 } });
    const counting = countingFetch();
    const hub = setup.client({ apiKey: key, fetch: counting.fetch, maxRetryDelayMs: 30_000 });
    setup.script([{ text: 'First.' }]);
    await hub.request('POST', '/v1/chat/completions', { body: chat });
    const error = await refusal(hub.request('POST', '/v1/chat/completions', { body: chat }));
    expect(error).toBeInstanceOf(RateLimitError);
    expect(error).toMatchObject({ status: 429, code: 'requests_per_minute_exceeded', type: 'rate_limit_error' });
    expect(error.retryAfterMs).toBe(Number(error.headers?.get('retry-after')) * 1000);
    expect(error.retryAfterMs).toBeGreaterThan(30_000);
    expect(counting.statuses).toEqual([200, 429]);
  });

  it('429 from a concurrency limit: waited out as retry-after says, then the call passes', async () => {
    const { key } = await createKey(setup.hub, {
      tenant_id: setup.tenantId,
      scopes: ['inference'],
      rate_limits: { max_concurrency: 1 },
    });
    setup.script([{ delay_ms: 600, text: 'Slow.' }, { text: 'Fast.' }]);
    const slow = fetch(`${setup.hub.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify(chat),
    });
    const scripted = setup.hub.hub.scripted('script');
    while (scripted.calls.length === 0) await new Promise((resolve) => setTimeout(resolve, 10));

    const counting = countingFetch();
    const hub = setup.client({ apiKey: key, fetch: counting.fetch });
    const startedAt = Date.now();
    const answer = await hub.request<{ choices: { message: { content: string } }[] }>('POST', '/v1/chat/completions', { body: chat });
    expect(answer.choices[0]?.message.content).toBe('Fast.');
    // Refused while the slow call held the one slot (once, unless this machine is slower than the slow call), then passed.
    expect(counting.statuses[0]).toBe(429);
    expect(counting.statuses.at(-1)).toBe(200);
    expect(counting.statuses.slice(0, -1).every((status) => status === 429)).toBe(true);
    // The hub said `retry-after: 1`: the retry came no sooner.
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(1_000);
    expect((await slow).status).toBe(200);
  });
});
