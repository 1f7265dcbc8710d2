/**
 * A full hand-off over HTTP: a customer's thread → the agent calls `transfer_to_human` → an inbox task with
 * the agent's summary and the customer told → an operator claims it, replies (the customer sees it at once),
 * the customer's next message joins the task and no agent answers → the operator hands back with a note →
 * the agent answers the next message with the person's messages and note in its context. Also approvals
 * from the inbox, escalation rules, and that the audit log names the person.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { admin, createKey, createTenant } from '../support/economy.js';
import { startTestHub, type TestHub } from '../support/hub.js';

let hub: TestHub;
let serviceKey: string;
let operatorKey: string;
let operatorId: string;
let viewerKey: string;
let tenantId: string;

type Json = Record<string, unknown>;

async function call(method: string, path: string, body: unknown, caller: string): Promise<{ status: number; body: Json }> {
  const response = await fetch(`${hub.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${caller}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as Json) : {} };
}

beforeAll(async () => {
  hub = await startTestHub({
    providers: [{ id: 'script', type: 'scripted' }],
    models: [
      { name: 'scripted', targets: [{ provider: 'script', model: 'scripted' }], pricing: { input_per_mtok: 10, output_per_mtok: 30 } },
    ],
  });
  const tenant = await createTenant(hub, 'inbox');
  tenantId = tenant.id;
  serviceKey = (await createKey(hub, { tenant_id: tenant.id, scopes: ['agents:write', 'agents:run'] })).key;
  const operator = await admin<Json>(hub, 'POST', '/admin/v1/users', {
    tenant_id: tenant.id,
    email: 'olga@shop.test',
    name: 'Olga',
    role: 'operator',
  });
  operatorKey = String(operator.key);
  operatorId = String(operator.id);
  viewerKey = String(
    (await admin<Json>(hub, 'POST', '/admin/v1/users', { tenant_id: tenant.id, email: 'vic@shop.test', name: 'Vic', role: 'viewer' })).key,
  );
  const created = await call(
    'POST',
    '/v1/agents',
    {
      name: 'support',
      model: 'scripted',
      instructions: 'You help customers.',
      tools: [
        { type: 'builtin', name: 'transfer_to_human' },
        { type: 'builtin', name: 'calculator', approval: 'always' },
      ],
      escalation: { queue: 'returns', priority: 'high', on_customer_request: true },
    },
    serviceKey,
  );
  expect(created.status, JSON.stringify(created.body)).toBe(201);
});

afterAll(async () => {
  await hub?.close();
});

beforeEach(() => {
  hub.hub.scripted('script').setScript([]);
});

describe('a hand-off through the inbox', () => {
  it('goes from the agent to a person and back, with the customer told and answered at each step', async () => {
    const thread = (await call('POST', '/v1/threads', {}, serviceKey)).body;
    const threadId = String(thread.id);
    hub.hub.scripted('script').setScript([
      {
        tool_calls: [
          {
            name: 'transfer_to_human',
            arguments: { summary: 'Maria wants a refund for a broken lamp; order #W1 is past 30 days.', reason: 'policy exception' },
          },
        ],
      },
    ]);
    const first = await call(
      'POST',
      `/v1/threads/${threadId}/messages`,
      { agent: 'support', content: 'My lamp arrived broken, I want my money back' },
      serviceKey,
    );
    expect(first.status).toBe(200);
    expect((first.body.run as Json).status).toBe('handed_off');

    // The inbox opens the task as the run settles, which can come just after the message's answer: wait for it (bounded).
    let task: Json | undefined;
    for (const started = Date.now(); !task && Date.now() - started < 10_000; await new Promise((resolve) => setTimeout(resolve, 50))) {
      const tasks = await call('GET', '/v1/inbox/tasks?status=open', undefined, operatorKey);
      expect(tasks.status).toBe(200);
      task = (tasks.body.data as Json[]).find((candidate) => candidate.thread_id === threadId);
    }
    if (!task) throw new Error(`no open hand-off task for thread ${threadId} within 10 s`);
    expect(task).toMatchObject({ kind: 'handoff', status: 'open', reason: 'policy exception', queue: 'returns', priority: 'high' });
    expect(task.summary).toContain('broken lamp');
    const taskId = String(task.id);

    const transcript = await call('GET', `/v1/threads/${threadId}/messages`, undefined, serviceKey);
    const told = (transcript.body.data as Json[]).at(-1) as Json;
    expect(told.role).toBe('assistant');
    expect(String(told.content)).toMatch(/colleague/);

    // A viewer reads but does not act.
    expect((await call('POST', `/v1/inbox/tasks/${taskId}/claim`, {}, viewerKey)).status).toBe(403);
    expect((await call('POST', `/v1/inbox/tasks/${taskId}/messages`, { content: 'hi' }, operatorKey)).status).toBe(409);
    const claimed = await call('POST', `/v1/inbox/tasks/${taskId}/claim`, { lease_seconds: 600 }, operatorKey);
    expect(claimed.status).toBe(200);
    expect(claimed.body).toMatchObject({ status: 'claimed', assignee: operatorId });

    const replied = await call(
      'POST',
      `/v1/inbox/tasks/${taskId}/messages`,
      { content: 'Hi Maria, I am Olga. I can refund it as an exception.' },
      operatorKey,
    );
    expect(replied.status).toBe(201);
    const seen = await call('GET', `/v1/threads/${threadId}/messages`, undefined, serviceKey);
    expect((seen.body.data as Json[]).at(-1)).toMatchObject({ role: 'human', author: 'Olga' });

    // While Olga holds the thread no agent answers; the customer's message joins the task.
    const during = await call('POST', `/v1/threads/${threadId}/messages`, { agent: 'support', content: 'Thank you so much!' }, serviceKey);
    expect(during.status).toBe(200);
    expect(during.body).toMatchObject({ message: null, run: null, handoff: { task_id: taskId } });
    const started = await call('POST', '/v1/agents/support/runs', { input: 'x', thread_id: threadId }, serviceKey);
    expect(started.status).toBe(409);

    const detail = await call('GET', `/v1/inbox/tasks/${taskId}`, undefined, viewerKey);
    expect(detail.status).toBe(200);
    expect((detail.body.transcript as Json[]).map((message) => message.role)).toEqual(['user', 'assistant', 'human', 'user']);
    expect((detail.body.run as Json).status).toBe('handed_off');
    expect((detail.body.events as Json[]).map((event) => event.type)).toEqual([
      'task.created',
      'task.claimed',
      'task.message',
      'task.message',
    ]);
    expect(detail.body.first_response_at).not.toBeNull();

    const back = await call(
      'POST',
      `/v1/inbox/tasks/${taskId}/handback`,
      { note: 'Refund approved as an exception; close politely.' },
      operatorKey,
    );
    expect(back.status).toBe(200);
    expect(back.body.status).toBe('returned');

    hub.hub.scripted('script').setScript([{ text: 'You are welcome, Maria. Anything else?' }]);
    const after = await call('POST', `/v1/threads/${threadId}/messages`, { agent: 'support', content: 'Is it done?' }, serviceKey);
    expect(after.status).toBe(200);
    expect((after.body.message as Json).content).toBe('You are welcome, Maria. Anything else?');
    const given = hub.hub.scripted('script').calls?.at(-1);
    if (given) {
      const text = JSON.stringify(given);
      expect(text).toContain('Refund approved as an exception');
      expect(text).toContain('I can refund it as an exception');
    }

    const audit = await admin<{ data: Json[] }>(hub, 'GET', `/admin/v1/audit?tenant_id=${tenantId}`);
    const actions = audit.data.filter((row) => row.actor === `user:${operatorId}`).map((row) => row.action);
    expect(actions).toEqual(expect.arrayContaining(['inbox.tasks.claim', 'inbox.tasks.messages', 'inbox.tasks.handback']));
  });

  it('opens an approval task per pending call, and approving it resumes the run', async () => {
    hub.hub
      .scripted('script')
      .setScript([{ tool_calls: [{ id: 'call_calc', name: 'calculator', arguments: { expression: '2+3' } }] }, { text: 'It is 5.' }]);
    const run = await call('POST', '/v1/agents/support/runs', { input: 'What is 2+3?' }, serviceKey);
    expect(run.body.status).toBe('waiting_approval');
    let approval: Json | undefined;
    for (let attempt = 0; attempt < 50 && !approval; attempt++) {
      const open = await call('GET', '/v1/inbox/tasks?kind=approval&status=open', undefined, operatorKey);
      approval = (open.body.data as Json[]).find((task) => task.run_id === run.body.id);
      if (!approval) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(approval).toMatchObject({ kind: 'approval', call: { id: 'call_calc', name: 'calculator', arguments: { expression: '2+3' } } });
    const approved = await call('POST', `/v1/inbox/tasks/${String(approval?.id)}/approve`, {}, operatorKey);
    expect(approved.status).toBe(200);
    expect(approved.body).toMatchObject({ status: 'resolved', resolution: 'approved' });
    let status = '';
    for (let attempt = 0; attempt < 100 && status !== 'completed'; attempt++) {
      status = String((await call('GET', `/v1/runs/${String(run.body.id)}`, undefined, serviceKey)).body.status);
      if (status !== 'completed') await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(status).toBe('completed');
  });

  it('escalates when the customer asks for a person, before any agent answers', async () => {
    const threadId = String((await call('POST', '/v1/threads', {}, serviceKey)).body.id);
    const posted = await call(
      'POST',
      `/v1/threads/${threadId}/messages`,
      { agent: 'support', content: 'Let me speak to a real person please' },
      serviceKey,
    );
    expect(posted.status).toBe(200);
    expect(posted.body).toMatchObject({ run: null, handoff: { reason: 'customer_request', status: 'open' } });
    expect(String((posted.body.message as Json).content)).toMatch(/colleague/);
    expect(hub.hub.scripted('script').calls?.length ?? 0).toBe(0);
  });

  it('answers hostile input with a 400 in the API error shape, never a database error', async () => {
    const tooBig = await call('GET', '/v1/inbox/events?after=99999999999999999999', undefined, operatorKey);
    expect(tooBig.status).toBe(400);
    expect(tooBig.body).toMatchObject({ error: { param: 'after' } });
    const controller = new AbortController();
    const stream = await fetch(`${hub.url}/v1/inbox/events`, {
      headers: { authorization: `Bearer ${operatorKey}`, 'last-event-id': '9999999999999999999' },
      signal: controller.signal,
    });
    expect(stream.status).toBe(200);
    controller.abort();
    const nul = await call('POST', '/v1/inbox/tasks/tsk_nope/messages', { content: 'hi\u0000there' }, operatorKey);
    expect(nul.status).toBe(400);
    expect(nul.body).toMatchObject({ error: { param: 'content' } });
    const lease = await call('POST', '/v1/inbox/tasks/tsk_nope/claim', { lease_seconds: 1e12 }, operatorKey);
    expect(lease.status).toBe(400);
  });
});
