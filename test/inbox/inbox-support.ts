/** Helpers shared by the inbox and identity tests: JSON calls with a key, people of a tenant, hand-offs, waiting. */
import { expect } from 'vitest';
import { admin } from '../support/economy.js';
import type { ConfigInput, TestHub } from '../support/hub.js';

export type Json = Record<string, unknown>;

export interface Answer {
  status: number;
  body: Json;
  headers: Headers;
}

/** One scripted model, priced, for agents to run on. */
export const SCRIPTED_CONFIG: ConfigInput = {
  providers: [{ id: 'script', type: 'scripted' }],
  models: [{ name: 'scripted', targets: [{ provider: 'script', model: 'scripted' }], pricing: { input_per_mtok: 1, output_per_mtok: 2 } }],
};

/** A JSON call to `hub` with `key` as the bearer (none when null); extra headers (a cookie, a CSRF token) as given. */
export async function call(
  hub: TestHub,
  method: string,
  path: string,
  body: unknown,
  key: string | null,
  headers: Record<string, string> = {},
): Promise<Answer> {
  const response = await fetch(`${hub.url}${path}`, {
    method,
    headers: {
      ...(key ? { authorization: `Bearer ${key}` } : {}),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...headers,
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  let parsed: Json = {};
  if (text) {
    try {
      parsed = JSON.parse(text) as Json;
    } catch {
      parsed = { text };
    }
  }
  return { status: response.status, body: parsed, headers: response.headers };
}

/** The error code of an error answer (`error.code`). */
export const errorCode = (answer: Answer): unknown => (answer.body.error as Json | undefined)?.code;

export interface Person {
  id: string;
  key: string;
  email: string;
}

/** A user of `tenantId` made through the admin API, with their first personal key. */
export async function createPerson(hub: TestHub, tenantId: string, role: string, email: string, password?: string): Promise<Person> {
  const created = await admin<Json>(hub, 'POST', '/admin/v1/users', {
    tenant_id: tenantId,
    email,
    name: email.split('@')[0] ?? email,
    role,
    ...(password ? { password } : {}),
  });
  return { id: String(created.id), key: String(created.key), email };
}

/** Polls `probe` until it returns a value (not undefined), or fails after `timeoutMs`. */
export async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = await probe();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Creates an agent with the service key; fails the test unless it is created. */
export async function createAgent(hub: TestHub, serviceKey: string, agent: Json): Promise<void> {
  const created = await call(hub, 'POST', '/v1/agents', { model: 'scripted', instructions: 'You help customers.', ...agent }, serviceKey);
  expect(created.status, JSON.stringify(created.body)).toBe(201);
}

/**
 * A customer's conversation that `agent` hands to a person (its script calls `transfer_to_human`): the new
 * thread, the run, and the open hand-off task, as `reader` (a person with inbox:read) sees it. `replicas`:
 * the hubs sharing the database, each given the script.
 */
export async function handOff(
  hub: TestHub,
  options: { serviceKey: string; reader: string; agent: string; summary?: string; replicas?: readonly TestHub[] },
): Promise<{ threadId: string; runId: string; taskId: string; task: Json }> {
  const thread = await call(hub, 'POST', '/v1/threads', {}, options.serviceKey);
  expect(thread.status, JSON.stringify(thread.body)).toBe(201);
  const threadId = String(thread.body.id);
  // Every replica gets the script: whichever leases the run calls its own model.
  for (const replica of options.replicas ?? [hub]) {
    replica.hub.scripted('script').setScript([
      {
        tool_calls: [
          {
            name: 'transfer_to_human',
            arguments: { summary: options.summary ?? 'The customer needs a person.', reason: 'policy exception' },
          },
        ],
      },
    ]);
  }
  const posted = await call(
    hub,
    'POST',
    `/v1/threads/${threadId}/messages`,
    { agent: options.agent, content: 'My order arrived broken' },
    options.serviceKey,
  );
  expect(posted.status, JSON.stringify(posted.body)).toBe(200);
  const run = posted.body.run as Json;
  expect(run.status).toBe('handed_off');
  const task = await waitFor('the hand-off task', async () => {
    const open = await call(hub, 'GET', '/v1/inbox/tasks?kind=handoff&limit=100', undefined, options.reader);
    return (open.body.data as Json[] | undefined)?.find((candidate) => candidate.thread_id === threadId);
  });
  return { threadId, runId: String(run.id), taskId: String(task.id), task };
}

/** A task with its transcript and events, as `reader` sees it. */
export async function taskDetail(hub: TestHub, taskId: string, reader: string): Promise<Json> {
  const detail = await call(hub, 'GET', `/v1/inbox/tasks/${taskId}`, undefined, reader);
  expect(detail.status, JSON.stringify(detail.body)).toBe(200);
  return detail.body;
}

export const eventTypes = (detail: Json): string[] => (detail.events as Json[]).map((event) => String(event.type));
