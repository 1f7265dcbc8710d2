/**
 * Threads over HTTP: a conversation that holds across runs (each run sees the exchanges before it), the
 * replies recorded with their runs, runs started on a thread through the runs API, ledger rows carrying
 * the thread, and tenant isolation.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ThreadsRepository } from '../../src/storage/index.js';
import { createKey, createTenant, ledgerRows } from '../support/economy.js';
import { startTestHub, type TestHub } from '../support/hub.js';

let hub: TestHub;
let key: string;
let otherTenantKey: string;
let inferenceOnly: string;
let tenantId: string;

beforeAll(async () => {
  hub = await startTestHub({
    providers: [{ id: 'script', type: 'scripted' }],
    models: [
      { name: 'scripted', targets: [{ provider: 'script', model: 'scripted' }], pricing: { input_per_mtok: 10, output_per_mtok: 30 } },
    ],
  });
  const tenant = await createTenant(hub, 'threads');
  tenantId = tenant.id;
  key = (await createKey(hub, { tenant_id: tenant.id, scopes: ['agents:write', 'agents:run'] })).key;
  inferenceOnly = (await createKey(hub, { tenant_id: tenant.id })).key;
  const other = await createTenant(hub, 'threads-other');
  otherTenantKey = (await createKey(hub, { tenant_id: other.id, scopes: ['agents:write', 'agents:run'] })).key;
  for (const caller of [key, otherTenantKey]) {
    const created = await call('POST', '/v1/agents', { name: 'helper', model: 'scripted', instructions: 'You help.' }, caller);
    expect(created.status).toBe(201);
  }
});

afterAll(async () => {
  await hub?.close();
});

beforeEach(() => {
  hub.hub.scripted('script').setScript([]);
});

async function call(
  method: string,
  path: string,
  body?: unknown,
  caller = key,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${hub.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${caller}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

/** The conversation the model was given on each call, without the instructions. */
const conversations = (): { role: string; content: unknown }[][] =>
  hub.hub
    .scripted('script')
    .calls.map((recorded) =>
      recorded.request.messages.filter((message) => message.role !== 'system').map(({ role, content }) => ({ role, content })),
    );

describe('threads', () => {
  it('holds a conversation across two runs: the second run sees the first exchange', async () => {
    const thread = await call('POST', '/v1/threads', { metadata: { customer: 'c-1' } });
    expect(thread.status).toBe(201);
    expect(thread.body).toMatchObject({ object: 'thread', metadata: { customer: 'c-1' } });
    expect(String(thread.body.id)).toMatch(/^thr_/);
    expect(typeof thread.body.created_at).toBe('string');
    const id = String(thread.body.id);

    hub.hub.scripted('script').setScript([{ text: 'Hello Ada.' }, { text: 'Your name is Ada.' }]);
    const first = await call('POST', `/v1/threads/${id}/messages`, { agent: 'helper', content: 'My name is Ada.' });
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    const firstRun = first.body.run as Record<string, unknown>;
    expect(first.body).toMatchObject({
      object: 'thread.reply',
      message: { role: 'assistant', content: 'Hello Ada.', run_id: firstRun.id, thread_id: id },
      run: { status: 'completed', thread_id: id, output: { text: 'Hello Ada.' } },
    });

    const second = await call('POST', `/v1/threads/${id}/messages`, { agent: 'helper', content: 'What is my name?' });
    expect(second.status, JSON.stringify(second.body)).toBe(200);
    expect(second.body).toMatchObject({ message: { role: 'assistant', content: 'Your name is Ada.' }, run: { status: 'completed' } });
    const secondRun = second.body.run as Record<string, unknown>;

    expect(conversations()).toEqual([
      [{ role: 'user', content: 'My name is Ada.' }],
      [
        { role: 'user', content: 'My name is Ada.' },
        { role: 'assistant', content: 'Hello Ada.' },
        { role: 'user', content: 'What is my name?' },
      ],
    ]);

    const messages = await call('GET', `/v1/threads/${id}/messages`);
    expect(messages.status).toBe(200);
    expect(messages.body).toMatchObject({ object: 'list', has_more: false });
    const data = messages.body.data as Record<string, unknown>[];
    expect(data.map(({ role, content, run_id }) => ({ role, content, run_id }))).toEqual([
      { role: 'user', content: 'My name is Ada.', run_id: firstRun.id },
      { role: 'assistant', content: 'Hello Ada.', run_id: firstRun.id },
      { role: 'user', content: 'What is my name?', run_id: secondRun.id },
      { role: 'assistant', content: 'Your name is Ada.', run_id: secondRun.id },
    ]);
    expect(data.every((message) => /^msg_/.test(String(message.id)) && typeof message.created_at === 'string')).toBe(true);

    const page = await call('GET', `/v1/threads/${id}/messages?limit=2&after=${String(data[0]?.id)}`);
    expect((page.body.data as Record<string, unknown>[]).map((message) => message.content)).toEqual(['Hello Ada.', 'What is my name?']);
    expect(page.body.has_more).toBe(true);

    // Every model call of the thread's runs is on the ledger with the thread.
    const rows = (await ledgerRows(hub)).filter((row) => row.run_id === firstRun.id || row.run_id === secondRun.id);
    expect(rows).toHaveLength(2);
    expect(rows.every((row) => row.thread_id === id && row.agent === 'helper' && row.tenant_id === tenantId)).toBe(true);
  });

  it('runs started with a thread_id run on the thread and answer on it, in the background too', async () => {
    const id = String((await call('POST', '/v1/threads', {})).body.id);
    hub.hub.scripted('script').setScript([{ text: 'First answer.' }, { text: 'Second answer.' }]);
    const waited = await call('POST', '/v1/agents/helper/runs', { input: 'One?', thread_id: id });
    expect(waited.body).toMatchObject({ status: 'completed', thread_id: id });

    const queued = await call('POST', '/v1/agents/helper/runs', {
      input: [{ role: 'user', content: 'Two?' }],
      thread_id: id,
      background: true,
    });
    expect(queued.status).toBe(202);
    const runId = String(queued.body.id);
    await hub.hub.agents.runs.settled(tenantId, runId);

    const data = (await call('GET', `/v1/threads/${id}/messages`)).body.data as Record<string, unknown>[];
    expect(data.map((message) => [message.role, message.content])).toEqual([
      ['user', 'One?'],
      ['assistant', 'First answer.'],
      ['user', 'Two?'],
      ['assistant', 'Second answer.'],
    ]);
    expect(data[3]?.run_id).toBe(runId);
    expect(conversations()[1]).toEqual([
      { role: 'user', content: 'One?' },
      { role: 'assistant', content: 'First answer.' },
      { role: 'user', content: 'Two?' },
    ]);
  });

  it("answers 404 for another tenant's thread, also as a run's thread_id", async () => {
    const id = String((await call('POST', '/v1/threads', {})).body.id);
    for (const [method, path, body] of [
      ['GET', `/v1/threads/${id}`, undefined],
      ['GET', `/v1/threads/${id}/messages`, undefined],
      ['POST', `/v1/threads/${id}/messages`, { agent: 'helper', content: 'Hi' }],
      ['POST', '/v1/agents/helper/runs', { input: 'Hi', thread_id: id }],
    ] as const) {
      const answer = await call(method, path, body, otherTenantKey);
      expect(answer.status, `${method} ${path}`).toBe(404);
      expect((answer.body.error as Record<string, unknown>).code).toBe('thread_not_found');
    }
    const unknown = await call('POST', '/v1/agents/helper/runs', { input: 'Hi', thread_id: 'thr_doesnotexist' });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error).toMatchObject({ code: 'thread_not_found', param: 'thread_id' });
    // Nothing ran and nothing was added to the thread.
    expect(hub.hub.scripted('script').calls).toHaveLength(0);
    expect((await call('GET', `/v1/threads/${id}/messages`)).body.data).toEqual([]);
  });

  it('needs the agents:run scope', async () => {
    const answer = await call('POST', '/v1/threads', {}, inferenceOnly);
    expect(answer.status).toBe(403);
    expect((answer.body.error as Record<string, unknown>).code).toBe('missing_scope');
  });

  it('answers the run without a message when it did not complete, and a bad message with a 400', async () => {
    const id = String((await call('POST', '/v1/threads', {})).body.id);
    const exhausted = await call('POST', `/v1/threads/${id}/messages`, { agent: 'helper', content: 'Hi' });
    expect(exhausted.status).toBe(200);
    expect(exhausted.body).toMatchObject({ message: null, run: { status: 'failed' } });
    const bad = await call('POST', `/v1/threads/${id}/messages`, { agent: 'helper', content: 'nul \u0000' });
    expect(bad.status).toBe(400);
    expect((bad.body.error as Record<string, unknown>).param).toBe('content');
    const unknownAgent = await call('POST', `/v1/threads/${id}/messages`, { agent: 'nobody', content: 'Hi' });
    expect(unknownAgent.status).toBe(404);
  });

  it('stores a person’s reply with its author, and a run’s reply once however often it is recorded', async () => {
    const thread = await hub.hub.agents.threads.create(tenantId);
    const human = await hub.hub.agents.threads.appendHuman(tenantId, thread.id, { author: 'user_1', content: 'A person here.' });
    expect(human).toMatchObject({ role: 'human', author: 'user_1', content: 'A person here.' });
    const repository = new ThreadsRepository(hub.hub.db, tenantId);
    const reply = { id: 'msg_once', runId: 'run_once', content: 'Once.' };
    await repository.appendReply(thread.id, reply, new Date());
    await repository.appendReply(thread.id, { ...reply, id: 'msg_twice' }, new Date());
    const listed = (await call('GET', `/v1/threads/${thread.id}/messages`)).body.data as Record<string, unknown>[];
    expect(listed.map(({ role, author, content, run_id }) => ({ role, author, content, run_id }))).toEqual([
      { role: 'human', author: 'user_1', content: 'A person here.', run_id: undefined },
      { role: 'assistant', author: undefined, content: 'Once.', run_id: 'run_once' },
    ]);
    // Another tenant reads none of it.
    expect(await new ThreadsRepository(hub.hub.db, 'ten_other').messages(thread.id)).toEqual([]);
  });
});
