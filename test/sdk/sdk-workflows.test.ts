/**
 * The SDK's workflows and human inbox against a real hub: a document saved as YAML and as an object, runs
 * synchronous, streamed and in the background, a human step decided through the SDK, and the same kind of
 * step worked by a person from the inbox with a personal key.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { RunEvent, TokenHub, WorkflowDocument } from '../../src/sdk/index.js';
import { createPerson } from '../inbox/inbox-support.js';
import { type SdkHub, startSdkHub } from './sdk-hub.js';

let setup: SdkHub;
let hub: TokenHub;

beforeAll(async () => {
  setup = await startSdkHub('sdk-workflows');
  hub = setup.client();
});

afterAll(async () => {
  await setup?.hub.close();
});

beforeEach(() => setup.script([]));

const REFUND_YAML = `
apiVersion: tokenhub.dev/v1
kind: Workflow
metadata:
  name: refund-check
  description: A person approves, then a model writes the note.
spec:
  steps:
    - id: approve
      kind: human
      title: 'Refund order \${{ input.order }}?'
      mode: approval
      queue: refunds
    - id: note
      kind: llm
      model: scripted
      prompt: 'Write a refund note for \${{ input.order }} (\${{ steps.approve.output.comment }})'
`;

const summarize = (name: string): WorkflowDocument => ({
  apiVersion: 'tokenhub.dev/v1',
  kind: 'Workflow',
  metadata: { name },
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a workflow expression, not a template literal
  spec: { steps: [{ id: 'summary', kind: 'llm', model: 'scripted', prompt: 'Summarize: ${{ input.text }}' }] },
});

const collect = async (stream: AsyncIterable<RunEvent>): Promise<RunEvent[]> => {
  const events: RunEvent[] = [];
  for await (const event of stream) events.push(event);
  return events;
};

describe('workflows', () => {
  it('saves a document as YAML and as an object; saving it again changes nothing', async () => {
    const created = await hub.workflows.apply(REFUND_YAML);
    expect(created).toMatchObject({ object: 'workflow', name: 'refund-check', result: 'created', version: 1, changed: true });
    expect((await hub.workflows.apply(REFUND_YAML)).result).toBe('unchanged');

    const saved = await hub.workflows.apply(summarize('summarize'));
    expect(saved).toMatchObject({ name: 'summarize', result: 'created', active_version: 1 });
    const changed = await hub.workflows.apply({ ...summarize('summarize'), metadata: { name: 'summarize', description: 'Shorter.' } });
    expect(changed).toMatchObject({ result: 'updated', version: 2, description: 'Shorter.' });

    expect((await hub.workflows.list()).data.map((workflow) => workflow.name).sort()).toEqual(['refund-check', 'summarize']);
    expect((await hub.workflows.get('summarize')).active_version).toBe(2);
    expect((await hub.workflows.versions('summarize')).data.map((version) => version.version)).toEqual([1, 2]);
    expect((await hub.workflows.activate('summarize', 1)).active_version).toBe(1);
  });

  it('runs a workflow synchronously, streamed, and in the background', async () => {
    setup.script([{ repeat: true, text: 'A short summary.' }]);
    const run = await hub.workflows.run('summarize', { text: 'A long text.' }, { metadata: { source: 'sdk' } });
    expect(run).toMatchObject({ object: 'workflow.run', workflow: 'summarize', status: 'completed', metadata: { source: 'sdk' } });
    expect(run.steps).toEqual([expect.objectContaining({ key: 'summary', kind: 'llm', status: 'completed' })]);
    expect(run.output).toEqual({ text: 'A short summary.' });
    expect(Number(run.usage.cost_usd)).toBeGreaterThan(0);

    const stream = hub.workflows.stream('summarize', { text: 'Streamed.' });
    const events = await collect(stream);
    expect(events[0]).toMatchObject({ type: 'run.queued', run_id: stream.runId });
    expect(events.at(-1)).toMatchObject({ type: 'run.completed', status: 'completed' });
    expect((await stream.final()).status).toBe('completed');

    const queued = await hub.workflows.run('summarize', { text: 'Later.' }, { mode: 'background', version: 2 });
    expect(queued).toMatchObject({ status: 'queued', version: 2 });
    const finished = await hub.workflows.runs.events(queued.id).final();
    expect(finished).toMatchObject({ id: queued.id, status: 'completed', version: 2 });
    const page = await hub.workflows.runs.list({ workflow: 'summarize', status: 'completed' });
    expect(page.data.map((summary) => summary.id)).toEqual(expect.arrayContaining([run.id, queued.id]));
  });

  it('waits on a human step, decided through the SDK, then finishes', async () => {
    const waiting = await hub.workflows.run('refund-check', { order: '#W1' });
    expect(waiting.status).toBe('waiting_approval');
    expect(waiting.pending).toEqual([expect.objectContaining({ call_id: 'approve', title: 'Refund order #W1?', mode: 'approval' })]);

    setup.script([{ when: { last_user_message_contains: 'Write a refund note for #W1 (photos ok)' }, text: 'Refunded #W1.' }]);
    const decided = await hub.workflows.runs.decide(waiting.id, 'approve', 'approve', { reason: 'photos ok' });
    expect(decided.id).toBe(waiting.id);
    const done = await hub.workflows.runs.events(waiting.id).final();
    expect(done.status).toBe('completed');
    expect(done.steps.find((step) => step.key === 'approve')?.decision).toMatchObject({ decision: 'approve', reason: 'photos ok' });
    // The note's prompt carried the comment: the scripted model answered only to it.
    expect(done.output).toEqual({ text: 'Refunded #W1.' });
  });

  it('cancels a waiting run', async () => {
    const waiting = await hub.workflows.run('refund-check', { order: '#W2' });
    expect((await hub.workflows.runs.cancel(waiting.id)).status).toBe('cancelled');
    expect((await hub.workflows.runs.get(waiting.id)).status).toBe('cancelled');
  });
});

describe('inbox', () => {
  it("works a workflow's approval from the inbox with a person's key", async () => {
    const operator = await createPerson(setup.hub, setup.tenantId, 'operator', 'ops@example.com');
    const person = setup.client({ apiKey: operator.key });
    const waiting = await hub.workflows.run('refund-check', { order: '#W3' });
    expect(waiting.status).toBe('waiting_approval');

    const open = await person.inbox.tasks.list({ kind: 'approval', status: 'open', queue: 'refunds' });
    const task = open.data.find((candidate) => candidate.run_id === waiting.id);
    expect(task).toMatchObject({ object: 'inbox.task', kind: 'approval', status: 'open', call: { id: 'approve' } });
    expect(open.last_event_seq).toMatch(/^\d+$/);
    const id = task?.id as string;
    expect((await person.inbox.tasks.get(id)).events.map((event) => event.type)).toContain('task.created');

    const claimed = await person.inbox.tasks.claim(id, { leaseSeconds: 300 });
    expect(claimed).toMatchObject({ status: 'claimed', assignee: operator.id });
    expect((await person.inbox.tasks.list({ assignee: 'me' })).data.map((mine) => mine.id)).toContain(id);

    setup.script([{ repeat: true, text: 'Noted.' }]);
    const approved = await person.inbox.tasks.approve(id, { reason: 'ok by me' });
    expect(approved.status).toBe('resolved');
    const done = await hub.workflows.runs.events(waiting.id).final();
    expect(done.status).toBe('completed');
    expect(done.steps.find((step) => step.key === 'approve')?.decision).toMatchObject({
      decision: 'approve',
      reason: 'ok by me',
      by: `user:${operator.id}`,
    });
  });

  it('takes a hand-off from a thread: claim, renew, reply, transfer, release, hand back, and a rejection', async () => {
    await hub.agents.create({
      name: 'desk',
      model: 'scripted',
      instructions: 'You help, or pass to a person.',
      tools: [
        { type: 'builtin', name: 'transfer_to_human' },
        { type: 'builtin', name: 'current_time', approval: 'always' },
      ],
    });
    const operator = await createPerson(setup.hub, setup.tenantId, 'operator', 'desk@example.com');
    const person = setup.client({ apiKey: operator.key });
    const thread = await hub.threads.create();
    setup.script([
      { tool_calls: [{ name: 'transfer_to_human', arguments: { summary: 'Broken lamp, wants a refund.', reason: 'refund' } }] },
    ]);
    const posted = await hub.threads.post(thread.id, { agent: 'desk', content: 'My lamp arrived broken' });
    expect(posted.run?.status).toBe('handed_off');
    const task = (await person.inbox.tasks.list({ kind: 'handoff' })).data.find((candidate) => candidate.thread_id === thread.id);
    expect(task).toMatchObject({ status: 'open', summary: expect.stringContaining('Broken lamp') });
    const id = task?.id as string;

    await person.inbox.tasks.claim(id);
    expect((await person.inbox.tasks.renew(id, { leaseSeconds: 600 })).lease_expires_at).not.toBeNull();
    const tool = await person.inbox.tasks.callTool(id, 'current_time');
    expect(tool).toMatchObject({ object: 'inbox.tool_result', tool: 'current_time', result: expect.any(String) });
    const reply = await person.inbox.tasks.reply(id, 'Hello, I can help with the refund.');
    expect(reply).toMatchObject({ object: 'thread.message', thread_id: thread.id, role: 'human' });
    expect((await person.inbox.tasks.release(id)).status).toBe('open');
    await person.inbox.tasks.claim(id);
    // A transfer moves the task to another queue, unclaimed.
    expect(await person.inbox.tasks.transfer(id, 'billing')).toMatchObject({ queue: 'billing', status: 'open', assignee: null });
    // Someone else's claim stands: a second person is refused with the conflict typed.
    const other = setup.client({ apiKey: (await createPerson(setup.hub, setup.tenantId, 'operator', 'other@example.com')).key });
    await other.inbox.tasks.claim(id);
    await expect(person.inbox.tasks.claim(id)).rejects.toMatchObject({ name: 'ConflictError', status: 409, code: 'task_claimed' });
    expect((await other.inbox.tasks.handback(id, { note: 'Refund done; close politely.' })).status).toBe('returned');
    const detail = await person.inbox.tasks.get(id);
    expect(detail.transcript.map((message) => message.role)).toEqual(['user', 'assistant', 'human', 'note']);

    setup.script([{ tool_calls: [{ id: 'call_t', name: 'current_time', arguments: {} }] }, { text: 'I may not tell the time.' }]);
    const asking = await hub.agents.run('desk', 'What time is it?');
    expect(asking.status).toBe('waiting_approval');
    const approval = (await person.inbox.tasks.list({ kind: 'approval', status: 'open' })).data.find((open) => open.run_id === asking.id);
    await person.inbox.tasks.claim(approval?.id as string);
    expect((await person.inbox.tasks.reject(approval?.id as string, { reason: 'not today' })).status).toBe('resolved');
    expect((await hub.runs.events(asking.id).final()).status).toBe('completed');
  });

  it('follows the inbox feed from a cursor, and leaves it when asked', async () => {
    const operator = await createPerson(setup.hub, setup.tenantId, 'operator', 'feed@example.com');
    const person = setup.client({ apiKey: operator.key });
    const { last_event_seq: after } = await person.inbox.tasks.list();
    const waiting = await hub.workflows.run('refund-check', { order: '#W4' });
    const controller = new AbortController();
    const seen: string[] = [];
    for await (const event of person.inbox.events({ after, signal: controller.signal })) {
      seen.push(event.type);
      expect(BigInt(event.seq)).toBeGreaterThan(BigInt(after));
      if (event.type === 'task.created') {
        expect(event.task).toMatchObject({ run_id: waiting.id, kind: 'approval' });
        break;
      }
    }
    expect(seen).toContain('task.created');
    await hub.workflows.runs.cancel(waiting.id);
  });

  it('refuses a service key (person_required), says so with a typed error', async () => {
    await expect(hub.inbox.tasks.list()).rejects.toMatchObject({ name: 'PermissionError', status: 403, code: 'person_required' });
  });
});
