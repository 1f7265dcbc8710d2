/**
 * Claims on inbox tasks over HTTP: of many racing claims exactly one wins (in one hub, and on two replicas
 * sharing PostgreSQL + Redis), an expired lease puts the task back in its queue, only the holder acts on a
 * task, no message is lost while a person holds a thread, the sweeper marks SLA breaches and mends runs
 * that lack their task, the live stream resumes with Last-Event-ID, and a holder calls the agent's tools.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { admin, createKey, createTenant } from '../support/economy.js';
import { startTestHub, type TestHub } from '../support/hub.js';
import { getTestDb, TEST_DATABASE_URL, TEST_REDIS_URL, type TestDb, uniqueRedisPrefix } from '../support/test-db.js';
import {
  type Answer,
  call,
  createAgent,
  createPerson,
  errorCode,
  eventTypes,
  handOff,
  type Json,
  type Person,
  SCRIPTED_CONFIG,
  taskDetail,
  waitFor,
} from './inbox-support.js';

const RACERS = 50;

/** People of one tenant and its service key. */
interface Crew {
  tenantId: string;
  serviceKey: string;
  operators: Person[];
}

async function createCrew(hub: TestHub, name: string, operators: number): Promise<Crew> {
  const tenant = await createTenant(hub, name);
  const serviceKey = (await createKey(hub, { tenant_id: tenant.id, scopes: ['agents:write', 'agents:run'] })).key;
  const people: Person[] = [];
  // A few at a time: fifty at once would only queue on PGlite's one connection.
  for (let start = 0; start < operators; start += 10) {
    const batch = Array.from({ length: Math.min(10, operators - start) }, (_, offset) =>
      createPerson(hub, tenant.id, 'operator', `op${start + offset}@${name}.test`),
    );
    people.push(...(await Promise.all(batch)));
  }
  return { tenantId: tenant.id, serviceKey, operators: people };
}

/** Everyone in `operators` claims `taskId` at once, each through the hub given for them. */
async function raceClaims(hubs: readonly TestHub[], operators: readonly Person[], taskId: string): Promise<Answer[]> {
  return Promise.all(
    operators.map((operator, index) =>
      call(hubs[index % hubs.length] as TestHub, 'POST', `/v1/inbox/tasks/${taskId}/claim`, { lease_seconds: 600 }, operator.key),
    ),
  );
}

function expectOneWinner(answers: readonly Answer[]): number {
  const won = answers.filter((answer) => answer.status === 200);
  const lost = answers.filter((answer) => answer.status !== 200);
  expect(won, JSON.stringify(answers.map((answer) => answer.status))).toHaveLength(1);
  expect(lost).toHaveLength(answers.length - 1);
  for (const answer of lost) {
    expect(answer.status, JSON.stringify(answer.body)).toBe(409);
    expect(errorCode(answer)).toBe('task_claimed');
  }
  return answers.findIndex((answer) => answer.status === 200);
}

describe('the inbox in one hub', () => {
  let hub: TestHub;
  let crew: Crew;
  let first: Person;
  let second: Person;

  beforeAll(async () => {
    hub = await startTestHub(SCRIPTED_CONFIG);
    crew = await createCrew(hub, 'claims', RACERS);
    first = crew.operators[0] as Person;
    second = crew.operators[1] as Person;
    await createAgent(hub, crew.serviceKey, {
      name: 'support',
      tools: [
        { type: 'builtin', name: 'transfer_to_human' },
        { type: 'builtin', name: 'calculator' },
      ],
    });
    await createAgent(hub, crew.serviceKey, {
      name: 'hurried',
      tools: [{ type: 'builtin', name: 'transfer_to_human' }],
      escalation: { sla_minutes: 1 },
    });
  });

  afterAll(async () => {
    await hub?.close();
  });

  const handOffTask = () => handOff(hub, { serviceKey: crew.serviceKey, reader: first.key, agent: 'support' });

  it(`gives a task to exactly one of ${RACERS} operators claiming it at once`, async () => {
    const { taskId } = await handOffTask();
    const answers = await raceClaims([hub], crew.operators, taskId);
    const winner = crew.operators[expectOneWinner(answers)] as Person;
    const detail = await taskDetail(hub, taskId, first.key);
    expect(detail).toMatchObject({ status: 'claimed', assignee: winner.id });
    expect(eventTypes(detail).filter((type) => type === 'task.claimed')).toHaveLength(1);
  });

  it('puts a task whose lease ran out back in its queue, for anyone to claim', async () => {
    const { taskId } = await handOffTask();
    const claimed = await call(hub, 'POST', `/v1/inbox/tasks/${taskId}/claim`, { lease_seconds: 30 }, first.key);
    expect(claimed.status, JSON.stringify(claimed.body)).toBe(200);
    expect(claimed.body).toMatchObject({ status: 'claimed', assignee: first.id });
    const leaseEnds = Date.parse(String(claimed.body.lease_expires_at));
    expect(leaseEnds - Date.parse(String(claimed.body.claimed_at))).toBe(30_000);
    // Still held by the first operator until the lease runs out.
    const early = await call(hub, 'POST', `/v1/inbox/tasks/${taskId}/claim`, {}, second.key);
    expect([early.status, errorCode(early)]).toEqual([409, 'task_claimed']);

    await hub.hub.db.query("update inbox_tasks set lease_expires_at = now() - interval '1 second' where id = $1", [taskId]);
    expect(await taskDetail(hub, taskId, second.key)).toMatchObject({ status: 'open', assignee: null, lease_expires_at: null });
    const listed = await call(hub, 'GET', '/v1/inbox/tasks?status=open&limit=100', undefined, second.key);
    expect((listed.body.data as Json[]).map((task) => task.id)).toContain(taskId);
    // The lapsed holder may no longer act on it.
    const late = await call(hub, 'POST', `/v1/inbox/tasks/${taskId}/resolve`, { resolution: 'done' }, first.key);
    expect([late.status, errorCode(late)]).toEqual([409, 'task_not_claimed']);

    await hub.hub.inbox.sweeper.sweep();
    const swept = await taskDetail(hub, taskId, second.key);
    expect(swept).toMatchObject({ status: 'open', assignee: null });
    const expired = (swept.events as Json[]).filter((event) => event.type === 'task.lease_expired');
    expect(expired).toHaveLength(1);
    expect(expired[0]).toMatchObject({ actor: 'system', data: { previous_assignee: first.id } });

    const taken = await call(hub, 'POST', `/v1/inbox/tasks/${taskId}/claim`, { lease_seconds: 30 }, second.key);
    expect(taken.status, JSON.stringify(taken.body)).toBe(200);
    expect(taken.body).toMatchObject({ status: 'claimed', assignee: second.id });
    const stale = await call(hub, 'POST', `/v1/inbox/tasks/${taskId}/messages`, { content: 'still here' }, first.key);
    expect([stale.status, errorCode(stale)]).toEqual([409, 'task_claimed']);
  });

  it('lets an operator take over a lapsed claim before any sweep has run', async () => {
    const { taskId } = await handOffTask();
    expect((await call(hub, 'POST', `/v1/inbox/tasks/${taskId}/claim`, { lease_seconds: 30 }, first.key)).status).toBe(200);
    await hub.hub.db.query("update inbox_tasks set lease_expires_at = now() - interval '1 second' where id = $1", [taskId]);
    const taken = await call(hub, 'POST', `/v1/inbox/tasks/${taskId}/claim`, {}, second.key);
    expect(taken.status, JSON.stringify(taken.body)).toBe(200);
    expect(taken.body).toMatchObject({ status: 'claimed', assignee: second.id });
    await hub.hub.inbox.sweeper.sweep();
    // The sweep leaves a live claim alone.
    expect(await taskDetail(hub, taskId, second.key)).toMatchObject({ status: 'claimed', assignee: second.id });
  });

  it('lets only the holder act on a claimed task, and nobody on a closed one', async () => {
    const { taskId } = await handOffTask();
    expect((await call(hub, 'POST', `/v1/inbox/tasks/${taskId}/claim`, {}, first.key)).status).toBe(200);
    const attempts: [string, Json][] = [
      ['messages', { content: 'I am not the holder' }],
      ['resolve', { resolution: 'closing it anyway' }],
      ['handback', { note: 'take it back' }],
      ['release', {}],
      ['tools/calculator', { arguments: { expression: '1+1' } }],
    ];
    for (const [action, body] of attempts) {
      const refused = await call(hub, 'POST', `/v1/inbox/tasks/${taskId}/${action}`, body, second.key);
      expect([action, refused.status, errorCode(refused)]).toEqual([action, 409, 'task_claimed']);
    }
    expect(await taskDetail(hub, taskId, first.key)).toMatchObject({ status: 'claimed', assignee: first.id });

    const released = await call(hub, 'POST', `/v1/inbox/tasks/${taskId}/release`, {}, first.key);
    expect(released.status, JSON.stringify(released.body)).toBe(200);
    expect(released.body).toMatchObject({ status: 'open', assignee: null, lease_expires_at: null });

    expect((await call(hub, 'POST', `/v1/inbox/tasks/${taskId}/claim`, {}, second.key)).status).toBe(200);
    const moved = await call(hub, 'POST', `/v1/inbox/tasks/${taskId}/transfer`, { queue: 'billing' }, second.key);
    expect(moved.status, JSON.stringify(moved.body)).toBe(200);
    expect(moved.body).toMatchObject({ status: 'open', queue: 'billing', assignee: null });
    const inBilling = await call(hub, 'GET', '/v1/inbox/tasks?queue=billing&status=open', undefined, first.key);
    expect((inBilling.body.data as Json[]).map((task) => task.id)).toContain(taskId);

    expect((await call(hub, 'POST', `/v1/inbox/tasks/${taskId}/claim`, {}, first.key)).status).toBe(200);
    const resolved = await call(hub, 'POST', `/v1/inbox/tasks/${taskId}/resolve`, { resolution: 'Refunded order #W1.' }, first.key);
    expect(resolved.status, JSON.stringify(resolved.body)).toBe(200);
    expect(resolved.body).toMatchObject({ status: 'resolved', resolution: 'Refunded order #W1.' });
    expect(resolved.body.closed_at).not.toBeNull();

    const afterwards: [string, Json][] = [
      ['claim', {}],
      ['messages', { content: 'one more thing' }],
      ['resolve', { resolution: 'again' }],
      ['handback', {}],
      ['release', {}],
      ['transfer', { queue: 'default' }],
    ];
    for (const person of [first, second]) {
      for (const [action, body] of afterwards) {
        const refused = await call(hub, 'POST', `/v1/inbox/tasks/${taskId}/${action}`, body, person.key);
        expect([action, refused.status, errorCode(refused)]).toEqual([action, 409, 'task_closed']);
      }
    }
    const detail = await taskDetail(hub, taskId, first.key);
    expect(detail).toMatchObject({ status: 'resolved', resolution: 'Refunded order #W1.' });
    expect(eventTypes(detail)).toEqual([
      'task.created',
      'task.claimed',
      'task.released',
      'task.claimed',
      'task.transferred',
      'task.claimed',
      'task.resolved',
    ]);
  });

  it('keeps every message of customer and operator writing at once, each once and in each writer’s order', async () => {
    const { threadId, taskId } = await handOffTask();
    expect((await call(hub, 'POST', `/v1/inbox/tasks/${taskId}/claim`, {}, first.key)).status).toBe(200);
    const before = (await call(hub, 'GET', `/v1/threads/${threadId}/messages?limit=1000`, undefined, crew.serviceKey)).body.data as Json[];
    const customer = async () => {
      for (let index = 0; index < 10; index++) {
        const posted = await call(
          hub,
          'POST',
          `/v1/threads/${threadId}/messages`,
          { agent: 'support', content: `customer ${index}` },
          crew.serviceKey,
        );
        expect(posted.status, JSON.stringify(posted.body)).toBe(200);
        expect(posted.body).toMatchObject({ run: null, handoff: { task_id: taskId } });
      }
    };
    const operator = async () => {
      for (let index = 0; index < 10; index++) {
        const replied = await call(hub, 'POST', `/v1/inbox/tasks/${taskId}/messages`, { content: `operator ${index}` }, first.key);
        expect(replied.status, JSON.stringify(replied.body)).toBe(201);
      }
    };
    await Promise.all([customer(), operator()]);

    const after = (await call(hub, 'GET', `/v1/threads/${threadId}/messages?limit=1000`, undefined, crew.serviceKey)).body.data as Json[];
    expect(after.slice(0, before.length)).toEqual(before);
    const added = after.slice(before.length);
    expect(added).toHaveLength(20);
    expect(new Set(after.map((message) => message.id)).size).toBe(after.length);
    const contents = added.map((message) => String(message.content));
    expect(contents.filter((content) => content.startsWith('customer '))).toEqual(Array.from({ length: 10 }, (_, i) => `customer ${i}`));
    expect(contents.filter((content) => content.startsWith('operator '))).toEqual(Array.from({ length: 10 }, (_, i) => `operator ${i}`));
    for (const message of added) {
      expect(message.role).toBe(String(message.content).startsWith('customer') ? 'user' : 'human');
    }
    // The list is in the thread's own sequence: strictly increasing, no number used twice.
    const seqs = await hub.hub.db.query<{ id: string; seq: unknown }>(
      'select id, seq from thread_messages where thread_id = $1 order by seq',
      [threadId],
    );
    expect(seqs.map((row) => row.id)).toEqual(after.map((message) => message.id));
    expect(new Set(seqs.map((row) => String(row.seq))).size).toBe(seqs.length);

    // The task's transcript and history have all of them too.
    const detail = await taskDetail(hub, taskId, first.key);
    expect((detail.transcript as Json[]).map((message) => message.id)).toEqual(after.map((message) => message.id));
    expect(eventTypes(detail).filter((type) => type === 'task.message')).toHaveLength(20);
  });

  it('marks a task past its SLA breached, once', async () => {
    const { taskId, task } = await handOff(hub, { serviceKey: crew.serviceKey, reader: first.key, agent: 'hurried' });
    expect(Date.parse(String(task.due_at)) - Date.parse(String(task.created_at))).toBe(60_000);
    expect(task.sla_breached).toBe(false);
    await hub.hub.db.query("update inbox_tasks set due_at = now() - interval '1 second' where id = $1", [taskId]);
    await hub.hub.inbox.sweeper.sweep();
    await hub.hub.inbox.sweeper.sweep();
    const detail = await taskDetail(hub, taskId, first.key);
    expect(detail).toMatchObject({ status: 'open', sla_breached: true });
    const breached = (detail.events as Json[]).filter((event) => event.type === 'task.sla_breached');
    expect(breached).toHaveLength(1);
    expect(breached[0]).toMatchObject({ actor: 'system' });
  });

  it('gives a run that handed off without its task the task again, exactly once', async () => {
    const { runId, taskId } = await handOffTask();
    await hub.hub.db.query('delete from inbox_events where task_id = $1', [taskId]);
    await hub.hub.db.query('delete from inbox_tasks where id = $1', [taskId]);
    expect((await call(hub, 'GET', `/v1/inbox/tasks/${taskId}`, undefined, first.key)).status).toBe(404);

    await hub.hub.inbox.sweeper.sweep();
    await hub.hub.inbox.sweeper.sweep();
    const rows = await hub.hub.db.query<{ id: string; status: string }>('select id, status from inbox_tasks where run_id = $1', [runId]);
    expect(rows).toHaveLength(1);
    expect(rows[0]?.status).toBe('open');
    const mended = await taskDetail(hub, String(rows[0]?.id), first.key);
    expect(mended).toMatchObject({ kind: 'handoff', run_id: runId, status: 'open', reason: 'policy exception' });
    expect(eventTypes(mended)).toEqual(['task.created']);
    expect((await call(hub, 'POST', `/v1/inbox/tasks/${String(mended.id)}/claim`, {}, first.key)).status).toBe(200);
  });

  it('streams task events live, and again from a Last-Event-ID', async () => {
    const { taskId } = await handOffTask();
    const created = (await taskDetail(hub, taskId, first.key)).events as Json[];
    const createdSeq = String(created[0]?.seq);
    const live = await openStream(hub, first.key);
    const streams = [live];
    try {
      const claimed = await call(hub, 'POST', `/v1/inbox/tasks/${taskId}/claim`, {}, second.key);
      expect(claimed.status).toBe(200);
      const claimedEvent = await live.next((event) => event.event === 'task.claimed' && event.data.task_id === taskId);
      expect(claimedEvent.data).toMatchObject({
        type: 'task.claimed',
        task_id: taskId,
        task: { id: taskId, status: 'claimed', assignee: second.id },
      });
      expect(claimedEvent.id).toBe(claimedEvent.data.seq);
      const replied = await call(hub, 'POST', `/v1/inbox/tasks/${taskId}/messages`, { content: 'Hello!' }, second.key);
      expect(replied.status).toBe(201);
      const messageEvent = await live.next((event) => event.event === 'task.message' && event.data.task_id === taskId);
      live.close();

      const resumed = await openStream(hub, first.key, { 'last-event-id': createdSeq });
      streams.push(resumed);
      const again = await resumed.next((event) => event.id === messageEvent.id);
      const seen = resumed.events();
      expect(seen.every((event) => BigInt(event.id) > BigInt(createdSeq))).toBe(true);
      expect(seen.map((event) => event.id)).toEqual([...seen.map((event) => event.id)].sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1)));
      expect(seen.find((event) => event.id === claimedEvent.id)?.event).toBe('task.claimed');
      expect(again.event).toBe('task.message');
      expect(seen.some((event) => event.id === createdSeq)).toBe(false);
    } finally {
      for (const stream of streams) stream.close();
    }
  });

  it('lists tasks with the tenant’s latest event number, from which the stream replays only the later changes', async () => {
    const { taskId } = await handOffTask();
    const history = (await taskDetail(hub, taskId, first.key)).events as Json[];
    const listed = await call(hub, 'GET', '/v1/inbox/tasks?status=open&limit=1', undefined, first.key);
    expect(listed.status, JSON.stringify(listed.body)).toBe(200);
    const snapshot = String(listed.body.last_event_seq);
    expect(snapshot).toMatch(/^\d+$/);
    expect(BigInt(snapshot)).toBeGreaterThanOrEqual(BigInt(String(history.at(-1)?.seq)));

    const claimed = await call(hub, 'POST', `/v1/inbox/tasks/${taskId}/claim`, {}, second.key);
    expect(claimed.status).toBe(200);
    const stream = await openStream(hub, first.key, { 'last-event-id': snapshot });
    try {
      const event = await stream.next((candidate) => candidate.event === 'task.claimed' && candidate.data.task_id === taskId);
      expect(BigInt(event.id)).toBeGreaterThan(BigInt(snapshot));
      expect(stream.events().every((candidate) => BigInt(candidate.id) > BigInt(snapshot))).toBe(true);
    } finally {
      stream.close();
    }

    // Another tenant's events are not counted: a tenant with none reads 0.
    const quiet = await createTenant(hub, 'quiet');
    const viewer = await createPerson(hub, quiet.id, 'viewer', 'vera@quiet.test');
    const empty = await call(hub, 'GET', '/v1/inbox/tasks', undefined, viewer.key);
    expect(empty.body).toMatchObject({ object: 'list', data: [], has_more: false, last_event_seq: '0' });
  });

  it('pages open tasks past claimed ones, with a cursor on every page and has_more only when more follow', async () => {
    const team = await createCrew(hub, 'paging', 1);
    const operator = team.operators[0] as Person;
    await createAgent(hub, team.serviceKey, { name: 'support', tools: [{ type: 'builtin', name: 'transfer_to_human' }] });
    const taskIds: string[] = [];
    for (let index = 0; index < 4; index += 1) {
      taskIds.push((await handOff(hub, { serviceKey: team.serviceKey, reader: operator.key, agent: 'support' })).taskId);
    }
    // The three oldest are held, so a page of open tasks starts past them.
    const heldIds = taskIds.slice(0, 3);
    const openId = taskIds[3];
    for (const id of heldIds) expect((await call(hub, 'POST', `/v1/inbox/tasks/${id}/claim`, {}, operator.key)).status).toBe(200);

    const open = await call(hub, 'GET', '/v1/inbox/tasks?status=open&limit=1', undefined, operator.key);
    expect(open.body).toMatchObject({ data: [{ id: openId, status: 'open' }], has_more: false });
    const first = await call(hub, 'GET', '/v1/inbox/tasks?status=claimed&limit=2', undefined, operator.key);
    expect(first.body).toMatchObject({ has_more: true });
    const firstIds = (first.body.data as Json[]).map((task) => String(task.id));
    expect(firstIds).toHaveLength(2);
    const rest = await call(hub, 'GET', `/v1/inbox/tasks?status=claimed&limit=2&after=${firstIds[1]}`, undefined, operator.key);
    expect(rest.body).toMatchObject({ has_more: false });
    const restIds = (rest.body.data as Json[]).map((task) => String(task.id));
    expect([...firstIds, ...restIds].sort()).toEqual([...heldIds].sort());
  });

  it('lets the holder call the agent’s tools on the customer’s behalf, recorded and audited', async () => {
    const { taskId } = await handOffTask();
    expect((await call(hub, 'POST', `/v1/inbox/tasks/${taskId}/claim`, {}, first.key)).status).toBe(200);
    const computed = await call(hub, 'POST', `/v1/inbox/tasks/${taskId}/tools/calculator`, { arguments: { expression: '6*7' } }, first.key);
    expect(computed.status, JSON.stringify(computed.body)).toBe(200);
    expect(computed.body).toMatchObject({ object: 'inbox.tool_result', tool: 'calculator', result: '42' });

    const unknown = await call(hub, 'POST', `/v1/inbox/tasks/${taskId}/tools/send_money`, { arguments: {} }, first.key);
    expect([unknown.status, errorCode(unknown)]).toEqual([404, 'tool_not_found']);
    const badType = await call(hub, 'POST', `/v1/inbox/tasks/${taskId}/tools/calculator`, { arguments: { expression: 42 } }, first.key);
    expect(badType.status, JSON.stringify(badType.body)).toBe(400);
    const missing = await call(hub, 'POST', `/v1/inbox/tasks/${taskId}/tools/calculator`, { arguments: {} }, first.key);
    expect(missing.status, JSON.stringify(missing.body)).toBe(400);

    const detail = await taskDetail(hub, taskId, first.key);
    const called = (detail.events as Json[]).filter((event) => event.type === 'task.tool_called');
    expect(called).toHaveLength(1);
    expect(called[0]).toMatchObject({
      actor: `user:${first.id}`,
      data: { tool: 'calculator', call_id: computed.body.call_id, arguments: { expression: '6*7' }, outcome: 'result' },
    });

    const audit = await admin<{ data: Json[] }>(hub, 'GET', `/admin/v1/audit?tenant_id=${crew.tenantId}`);
    const rows = audit.data.filter((row) => row.actor === `user:${first.id}` && String(row.path).includes(`/tools/`));
    expect(rows.find((row) => row.status === 200)).toMatchObject({ action: 'inbox.tasks.tools', target_id: taskId });
  });
});

const replicaSkip = !TEST_DATABASE_URL
  ? 'TOKENHUB_TEST_DATABASE_URL is not set'
  : !TEST_REDIS_URL
    ? 'TOKENHUB_TEST_REDIS_URL is not set'
    : null;

describe.skipIf(replicaSkip !== null)('the inbox on two replicas sharing PostgreSQL and Redis', () => {
  let database: TestDb;
  let replicaA: TestHub;
  let replicaB: TestHub;
  let crew: Crew;

  beforeAll(async () => {
    database = await getTestDb({ engine: 'postgres' });
    const shared = { database: database.db, redisUrl: TEST_REDIS_URL, redisKeyPrefix: uniqueRedisPrefix('inbox-claims') };
    replicaA = await startTestHub(SCRIPTED_CONFIG, shared);
    replicaB = await startTestHub(SCRIPTED_CONFIG, shared);
    crew = await createCrew(replicaA, 'replicas', RACERS);
    await createAgent(replicaA, crew.serviceKey, { name: 'support', tools: [{ type: 'builtin', name: 'transfer_to_human' }] });
    await createAgent(replicaA, crew.serviceKey, {
      name: 'careful',
      tools: [{ type: 'builtin', name: 'calculator', approval: 'always' }],
    });
  });

  afterAll(async () => {
    await replicaA?.close();
    await replicaB?.close();
    await database?.close();
  });

  it(`gives a task to exactly one of ${RACERS} operators claiming it at once through either replica`, async () => {
    const reader = (crew.operators[0] as Person).key;
    const { taskId } = await handOff(replicaA, {
      serviceKey: crew.serviceKey,
      reader,
      agent: 'support',
      replicas: [replicaA, replicaB],
    });
    const answers = await raceClaims([replicaA, replicaB], crew.operators, taskId);
    const winner = crew.operators[expectOneWinner(answers)] as Person;
    for (const replica of [replicaA, replicaB]) {
      const detail = await taskDetail(replica, taskId, reader);
      expect(detail).toMatchObject({ status: 'claimed', assignee: winner.id });
      expect(eventTypes(detail).filter((type) => type === 'task.claimed')).toHaveLength(1);
    }
  });

  it('resumes a run paused on replica A when its approval task is approved through replica B', async () => {
    for (const replica of [replicaA, replicaB]) {
      replica.hub.scripted('script').setScript([
        { when: { last_tool_result_contains: '5' }, text: 'It is 5.', repeat: true },
        { tool_calls: [{ id: 'call_sum', name: 'calculator', arguments: { expression: '2+3' } }], repeat: true },
      ]);
    }
    const operator = crew.operators[1] as Person;
    const run = await call(replicaA, 'POST', '/v1/agents/careful/runs', { input: 'What is 2+3?' }, crew.serviceKey);
    expect(run.status, JSON.stringify(run.body)).toBe(200);
    expect(run.body.status).toBe('waiting_approval');
    const runId = String(run.body.id);
    const approval = await waitFor('the approval task', async () => {
      for (const replica of [replicaB, replicaA]) {
        const open = await call(replica, 'GET', '/v1/inbox/tasks?kind=approval&status=open', undefined, operator.key);
        const found = (open.body.data as Json[] | undefined)?.find((task) => task.run_id === runId);
        if (found) return found;
      }
      return undefined;
    });
    expect(approval).toMatchObject({ kind: 'approval', call: { id: 'call_sum', name: 'calculator', arguments: { expression: '2+3' } } });

    const approved = await call(replicaB, 'POST', `/v1/inbox/tasks/${String(approval.id)}/approve`, {}, operator.key);
    expect(approved.status, JSON.stringify(approved.body)).toBe(200);
    expect(approved.body).toMatchObject({ status: 'resolved', resolution: 'approved' });
    const done = await waitFor('the run to finish', async () => {
      const seen = await call(replicaA, 'GET', `/v1/runs/${runId}`, undefined, crew.serviceKey);
      return ['completed', 'failed', 'needs_attention'].includes(String(seen.body.status)) ? seen.body : undefined;
    });
    expect(done.status).toBe('completed');
    // Deciding again, through either replica, is refused.
    for (const replica of [replicaA, replicaB]) {
      const again = await call(replica, 'POST', `/v1/inbox/tasks/${String(approval.id)}/approve`, {}, operator.key);
      expect([again.status, errorCode(again)]).toEqual([409, 'task_closed']);
    }
  });
});

// ---- the live stream -----------------------------------------------------------------------------------

interface StreamEvent {
  id: string;
  event: string;
  data: Json;
}

interface EventStream {
  /** The first event (received so far or later) matching `wanted`. */
  next(wanted: (event: StreamEvent) => boolean, timeoutMs?: number): Promise<StreamEvent>;
  events(): StreamEvent[];
  close(): void;
}

/** Opens `GET /v1/inbox/events` and parses its server-sent events as they arrive. */
async function openStream(hub: TestHub, key: string, headers: Record<string, string> = {}): Promise<EventStream> {
  const controller = new AbortController();
  const response = await fetch(`${hub.url}/v1/inbox/events`, {
    headers: { authorization: `Bearer ${key}`, accept: 'text/event-stream', ...headers },
    signal: controller.signal,
  });
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
  const received: StreamEvent[] = [];
  const waiters = new Set<() => void>();
  let buffer = '';
  let ended = false;
  const decoder = new TextDecoder();
  const reader = response.body?.getReader();
  const pump = async (): Promise<void> => {
    if (!reader) return;
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        buffer += decoder.decode(value, { stream: true });
        let boundary = buffer.indexOf('\n\n');
        while (boundary >= 0) {
          const block = buffer.slice(0, boundary);
          buffer = buffer.slice(boundary + 2);
          const fields = new Map<string, string>();
          for (const line of block.split('\n')) {
            if (line.startsWith(':')) continue;
            const colon = line.indexOf(':');
            if (colon > 0) fields.set(line.slice(0, colon), line.slice(colon + 1).replace(/^ /, ''));
          }
          if (fields.has('data')) {
            received.push({
              id: fields.get('id') ?? '',
              event: fields.get('event') ?? 'message',
              data: JSON.parse(fields.get('data') ?? '{}') as Json,
            });
          }
          boundary = buffer.indexOf('\n\n');
        }
        for (const wake of waiters) wake();
      }
    } catch {
      // Aborted by close().
    } finally {
      ended = true;
      for (const wake of waiters) wake();
    }
  };
  void pump();
  return {
    events: () => [...received],
    next: (wanted, timeoutMs = 10_000) =>
      new Promise<StreamEvent>((resolve, reject) => {
        const check = (): void => {
          const found = received.find(wanted);
          if (found || ended) {
            waiters.delete(check);
            clearTimeout(timer);
            if (found) resolve(found);
            else reject(new Error(`the stream ended; got ${received.map((event) => event.event).join(', ')}`));
          }
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`no such event after ${timeoutMs} ms; got ${received.map((event) => `${event.id} ${event.event}`).join(', ')}`));
        }, timeoutMs);
        waiters.add(check);
        check();
      }),
    close: () => controller.abort(),
  };
}
