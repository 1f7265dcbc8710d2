/**
 * The SDK against a real hub on the scripted provider: agents run, streamed and followed, runs read, listed,
 * cancelled and approved, threads, and the key's own usage — every answer as the hub's API gives it.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { RunEvent, TokenHub } from '../../src/sdk/index.js';
import { ledgerRows } from '../support/economy.js';
import { type SdkHub, startSdkHub } from './sdk-hub.js';

let setup: SdkHub;
let hub: TokenHub;

beforeAll(async () => {
  setup = await startSdkHub('sdk');
  hub = setup.client();
  await hub.agents.create({ name: 'support', model: 'scripted', instructions: 'You help customers.' });
  await hub.agents.create({
    name: 'clock',
    model: 'scripted',
    instructions: 'You tell the time.',
    tools: [{ type: 'builtin', name: 'current_time', approval: 'always' }],
  });
});

afterAll(async () => {
  await setup?.hub.close();
});

beforeEach(() => setup.script([]));

const collect = async (stream: AsyncIterable<RunEvent>): Promise<RunEvent[]> => {
  const events: RunEvent[] = [];
  for await (const event of stream) events.push(event);
  return events;
};

describe('agents', () => {
  it('lists and reads agents', async () => {
    const list = await hub.agents.list();
    expect(list.object).toBe('list');
    expect(list.data.map((agent) => agent.name).sort()).toEqual(['clock', 'support']);
    const agent = await hub.agents.get('support');
    expect(agent).toMatchObject({ object: 'agent', name: 'support', model: 'scripted', active_version: 1, source: 'api' });
  });

  it('runs an agent and answers the finished run, billed on the ledger to its run', async () => {
    setup.script([{ text: 'You can return it within 30 days.' }]);
    const run = await hub.agents.run('support', 'I want to return my keyboard', { metadata: { ticket: 'T-1' } });
    expect(run).toMatchObject({
      object: 'agent.run',
      agent: 'support',
      status: 'completed',
      output: { text: 'You can return it within 30 days.' },
      metadata: { ticket: 'T-1' },
      usage: { model_calls: 1 },
    });
    expect(Number(run.usage.cost_usd)).toBeGreaterThan(0);
    const rows = (await ledgerRows(setup.hub)).filter((row) => row.run_id === run.id);
    expect(rows).toHaveLength(1);
    expect(rows[0]?.cost_usd).toBe(run.usage.cost_usd);

    const read = await hub.runs.get(run.id);
    expect(read.steps?.map((step) => step.kind)).toContain('model');
    const page = await hub.runs.list({ agent: 'support', status: ['completed'] });
    expect(page.data.map((summary) => summary.id)).toContain(run.id);
    expect(page).toMatchObject({ object: 'list', has_more: false, next_cursor: null });
  });

  it('streams a run: events in order, ending in run.completed, and the run at the end', async () => {
    setup.script([{ text: 'Streaming works.' }]);
    const stream = hub.agents.stream('support', 'Stream please');
    const events = await collect(stream);
    expect(events.map((event) => event.type)).toEqual(['run.queued', 'run.started', 'model.completed', 'run.completed']);
    expect(events.map((event) => event.seq)).toEqual([1, 2, 3, 4]);
    expect(events.at(-1)).toMatchObject({ status: 'completed', output: { text: 'Streaming works.' } });
    expect(stream.runId).toMatch(/^run_/);
    expect(stream.lastEventId).toBe('4');
    const final = await stream.final();
    expect(final).toMatchObject({ id: stream.runId, status: 'completed', output: { text: 'Streaming works.' } });
    await expect(collect(stream)).rejects.toMatchObject({ code: 'stream_consumed' });
  });

  it('pauses for an approval, decided through the SDK, and follows the run on from its last event', async () => {
    setup.script([{ tool_calls: [{ id: 'call_time', name: 'current_time', arguments: {} }] }, { text: 'It is late.' }]);
    const stream = hub.agents.stream('clock', 'What time is it?');
    const events = await collect(stream);
    expect(events.at(-1)).toMatchObject({ type: 'run.waiting_approval', status: 'waiting_approval' });
    expect(events.map((event) => event.type)).toContain('approval.requested');
    const runId = stream.runId as string;
    const waiting = await hub.runs.get(runId);
    expect(waiting.pending_approvals).toEqual([expect.objectContaining({ call_id: 'call_time', tool: 'current_time' })]);

    await hub.runs.approve(runId, 'call_time', { reason: 'fine' });
    // Only the events after the pause: the stream resumes where the first one ended.
    const rest = hub.runs.events(runId, { lastEventId: stream.lastEventId });
    const after = await collect(rest);
    expect(after[0]?.seq).toBe(Number(stream.lastEventId) + 1);
    expect(after.map((event) => event.type)).toContain('approval.decided');
    expect(after.at(-1)).toMatchObject({ type: 'run.completed', output: { text: 'It is late.' } });
    expect((await rest.final()).status).toBe('completed');
    // Following on from the very last event: nothing is left, and the stream says so by ending.
    expect(await collect(hub.runs.events(runId, { lastEventId: rest.lastEventId }))).toEqual([]);

    // The whole history from the start, as a late follower sees it.
    const all = await collect(hub.runs.events(runId));
    expect(all.map((event) => event.seq)).toEqual([...events, ...after].map((event) => event.seq));
  });

  it('starts a run in the background, and rejects and cancels runs', async () => {
    setup.script([{ tool_calls: [{ id: 'call_a', name: 'current_time', arguments: {} }] }, { text: 'Not told.' }]);
    const queued = await hub.agents.start('clock', 'Time?');
    expect(queued).toMatchObject({ object: 'agent.run', status: 'queued' });
    const paused = await hub.runs.events(queued.id).final();
    expect(paused.status).toBe('waiting_approval');
    await hub.runs.reject(queued.id, 'call_a', { reason: 'not now' });
    expect((await hub.runs.events(queued.id).final()).status).toBe('completed');

    setup.script([{ tool_calls: [{ id: 'call_b', name: 'current_time', arguments: {} }] }]);
    const waiting = await hub.agents.run('clock', 'Time again?');
    expect(waiting.status).toBe('waiting_approval');
    const cancelled = await hub.runs.cancel(waiting.id);
    expect(cancelled.status).toBe('cancelled');
  });
});

describe('threads', () => {
  it('creates a thread, posts to it, and lists its messages oldest first', async () => {
    const thread = await hub.threads.create({ metadata: { customer: 'c_1' } });
    expect(thread).toMatchObject({ object: 'thread', metadata: { customer: 'c_1' } });
    expect(await hub.threads.get(thread.id)).toEqual(thread);

    setup.script([{ text: 'Sorry to hear that.' }, { when: { last_user_message_contains: 'photo' }, text: 'Thanks for the photo.' }]);
    const first = await hub.threads.post(thread.id, { agent: 'support', content: 'My keyboard arrived broken' });
    expect(first).toMatchObject({ object: 'thread.reply', message: { role: 'assistant', content: 'Sorry to hear that.' } });
    expect(first.run).toMatchObject({ status: 'completed', thread_id: thread.id });
    const second = await hub.threads.post(thread.id, { agent: 'support', content: 'Here is a photo' });
    expect(second.message?.content).toBe('Thanks for the photo.');

    const messages = await hub.threads.messages(thread.id);
    expect(messages.data.map((message) => [message.role, message.content])).toEqual([
      ['user', 'My keyboard arrived broken'],
      ['assistant', 'Sorry to hear that.'],
      ['user', 'Here is a photo'],
      ['assistant', 'Thanks for the photo.'],
    ]);
    const page = await hub.threads.messages(thread.id, { after: messages.first_id as string, limit: 2 });
    expect(page.data.map((message) => message.content)).toEqual(['Sorry to hear that.', 'Here is a photo']);
    expect(page.has_more).toBe(true);

    setup.script([{ text: 'On the thread.' }]);
    const run = await hub.agents.run('support', 'And one more thing', { threadId: thread.id });
    expect(run.thread_id).toBe(thread.id);
    expect((await hub.threads.messages(thread.id)).data.at(-1)?.content).toBe('On the thread.');
  });
});

describe('usage', () => {
  it("answers the key's own usage, as the ledger has it", async () => {
    const usage = await hub.usage();
    expect(usage.tenant_id).toBe(setup.tenantId);
    const rows = (await ledgerRows(setup.hub)).filter((row) => row.key_id === usage.key_id);
    const scripted = usage.usage.find((row) => row.group === 'scripted');
    expect(scripted?.requests).toBe(rows.length);
    expect(scripted?.prompt_tokens).toBe(rows.reduce((sum, row) => sum + row.prompt_tokens, 0));
    const byDay = await hub.usage({ groupBy: 'day', from: new Date(Date.now() - 86_400_000) });
    expect(byDay.usage.reduce((sum, row) => sum + row.requests, 0)).toBe(rows.length);
    expect(byDay.usage[0]?.group).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(usage.budgets).toEqual([]);
  });
});
