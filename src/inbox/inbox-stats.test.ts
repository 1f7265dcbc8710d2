/**
 * The division-of-labour measures over real rows: conversations run through the hub with a scripted model
 * (an answer, a `transfer_to_human`, a request for a person, an approval, another agent), worked by an
 * operator over the HTTP API, then read from `GET /v1/inbox/stats` and the admin API. The rows' times are
 * set afterwards to fixed instants (the flow itself takes milliseconds), so medians and days are exact.
 * The inbox's Prometheus metrics are read from `GET /metrics` of the same hub.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { admin, createKey, createTenant } from '../../test/support/economy.js';
import { startTestHub, type TestHub } from '../../test/support/hub.js';
import { inboxStatsSchema } from './openapi-paths.js';

type Json = Record<string, unknown>;

let hub: TestHub;
let tenantId: string;
let serviceKey: string;
let operatorKey: string;
let viewerKey: string;

async function call(method: string, path: string, body: unknown, key: string): Promise<{ status: number; body: Json }> {
  const response = await fetch(`${hub.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as Json) : {} };
}

async function ok(method: string, path: string, body: unknown, key: string): Promise<Json> {
  const answer = await call(method, path, body, key);
  if (answer.status >= 300) throw new Error(`${method} ${path} → ${answer.status}: ${JSON.stringify(answer.body)}`);
  return answer.body;
}

async function until<T>(probe: () => Promise<T | undefined>, what: string): Promise<T> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const found = await probe();
    if (found !== undefined) return found;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}

const script = (steps: unknown[]) => hub.hub.scripted('script').setScript(steps as never);

async function postMessage(threadId: string, agent: string, content: string): Promise<Json> {
  return ok('POST', `/v1/threads/${threadId}/messages`, { agent, content }, serviceKey);
}

async function taskOfThread(threadId: string): Promise<string> {
  return until(async () => {
    const open = await ok('GET', '/v1/inbox/tasks?status=open', undefined, operatorKey);
    const task = (open.data as Json[]).find((candidate) => candidate.thread_id === threadId);
    return task ? String(task.id) : undefined;
  }, `the task of ${threadId}`);
}

const at = (iso: string) => new Date(iso);

/** Fixed instants for a conversation's runs and its task. */
async function setTimes(
  conversation: { threadId?: string; runId?: string; taskId?: string },
  times: { runs?: string; created?: string; claimed?: string; firstResponse?: string; closed?: string },
): Promise<void> {
  const db = hub.hub.db;
  if (times.runs) {
    await db.query(
      `update runs set created_at = $3 where tenant_id = $1 and (thread_id = $2 or id = $2 or parent_run_id in (select id from runs where thread_id = $2))`,
      [tenantId, conversation.threadId ?? conversation.runId, at(times.runs)],
    );
  }
  if (conversation.taskId && times.created) {
    await db.query(
      `update inbox_tasks set created_at = $3,
         claimed_at = case when claimed_at is null then null else $4::timestamptz end,
         first_response_at = case when first_response_at is null then null else $5::timestamptz end,
         closed_at = case when closed_at is null then null else $6::timestamptz end
       where tenant_id = $1 and id = $2`,
      [
        tenantId,
        conversation.taskId,
        at(times.created),
        times.claimed ? at(times.claimed) : null,
        times.firstResponse ? at(times.firstResponse) : null,
        times.closed ? at(times.closed) : null,
      ],
    );
  }
}

beforeAll(async () => {
  hub = await startTestHub({
    providers: [{ id: 'script', type: 'scripted' }],
    models: [
      { name: 'scripted', targets: [{ provider: 'script', model: 'scripted' }], pricing: { input_per_mtok: 10, output_per_mtok: 30 } },
    ],
  });
  tenantId = (await createTenant(hub, 'stats')).id;
  serviceKey = (await createKey(hub, { tenant_id: tenantId, scopes: ['agents:write', 'agents:run'] })).key;
  const person = (role: string, email: string) =>
    admin<Json>(hub, 'POST', '/admin/v1/users', { tenant_id: tenantId, email, name: email.split('@')[0], role });
  operatorKey = String((await person('operator', 'olga@shop.test')).key);
  viewerKey = String((await person('viewer', 'vic@shop.test')).key);
  const agent = (name: string, extra: Json) =>
    ok('POST', '/v1/agents', { name, model: 'scripted', instructions: 'You help customers.', ...extra }, serviceKey);
  await agent('support', {
    tools: [
      { type: 'builtin', name: 'transfer_to_human' },
      { type: 'builtin', name: 'calculator', approval: 'always' },
    ],
    escalation: { queue: 'returns', priority: 'high', on_customer_request: true },
  });
  await agent('sales', {});

  // A: the agent answers alone (110 tokens, 0.0013 USD).
  const threadA = String((await ok('POST', '/v1/threads', {}, serviceKey)).id);
  script([{ text: 'Your order ships tomorrow.', usage: { input_tokens: 100, output_tokens: 10 } }]);
  expect(((await postMessage(threadA, 'support', 'When does my order ship?')).run as Json).status).toBe('completed');

  // B: the agent hands off (220 tokens, 0.0026 USD); the task breaches its SLA, then is claimed, answered, resolved.
  const threadB = String((await ok('POST', '/v1/threads', {}, serviceKey)).id);
  script([
    {
      tool_calls: [{ name: 'transfer_to_human', arguments: { summary: 'Refund past 30 days.', reason: 'policy exception' } }],
      usage: { input_tokens: 200, output_tokens: 20 },
    },
  ]);
  expect(((await postMessage(threadB, 'support', 'My lamp broke, refund please')).run as Json).status).toBe('handed_off');
  const taskB = await taskOfThread(threadB);
  await hub.hub.db.query(`update inbox_tasks set due_at = $2 where id = $1`, [taskB, new Date(Date.now() - 1_000)]);
  await hub.hub.inbox.sweeper.sweep();
  await ok('POST', `/v1/inbox/tasks/${taskB}/claim`, {}, operatorKey);
  await ok('POST', `/v1/inbox/tasks/${taskB}/messages`, { content: 'Refunded as an exception.' }, operatorKey);
  await ok('POST', `/v1/inbox/tasks/${taskB}/messages`, { content: 'Anything else?' }, operatorKey);
  await ok('POST', `/v1/inbox/tasks/${taskB}/resolve`, { resolution: 'refunded' }, operatorKey);

  // C: the customer asks for a person before any agent answers (no run, no tokens); handed back to the agent.
  const threadC = String((await ok('POST', '/v1/threads', {}, serviceKey)).id);
  expect((await postMessage(threadC, 'support', 'Let me speak to a real person please')).handoff).toMatchObject({
    reason: 'customer_request',
  });
  const taskC = await taskOfThread(threadC);
  await ok('POST', `/v1/inbox/tasks/${taskC}/claim`, {}, operatorKey);
  await ok('POST', `/v1/inbox/tasks/${taskC}/messages`, { content: 'Hello, Olga here.' }, operatorKey);
  await ok('POST', `/v1/inbox/tasks/${taskC}/handback`, { note: 'Sorted; carry on.' }, operatorKey);

  // D: a run without a thread waits for an approval, which is given; it then answers (121 tokens, 0.00143 USD).
  script([
    {
      tool_calls: [{ id: 'call_calc', name: 'calculator', arguments: { expression: '2+3' } }],
      usage: { input_tokens: 50, output_tokens: 5 },
    },
    { text: 'It is 5.', usage: { input_tokens: 60, output_tokens: 6 } },
  ]);
  const runD = String((await ok('POST', '/v1/agents/support/runs', { input: 'What is 2+3?' }, serviceKey)).id);
  const approvalD = await until(async () => {
    const open = await ok('GET', '/v1/inbox/tasks?kind=approval&status=open', undefined, operatorKey);
    const task = (open.data as Json[]).find((candidate) => candidate.run_id === runD);
    return task ? String(task.id) : undefined;
  }, 'the approval task');
  await ok('POST', `/v1/inbox/tasks/${approvalD}/approve`, {}, operatorKey);
  await until(async () => {
    const run = await ok('GET', `/v1/runs/${runD}`, undefined, serviceKey);
    return run.status === 'completed' ? run : undefined;
  }, 'the approved run');

  // E: another agent answers alone (11 tokens, 0.00013 USD).
  const threadE = String((await ok('POST', '/v1/threads', {}, serviceKey)).id);
  script([{ text: 'We have it in blue.', usage: { input_tokens: 10, output_tokens: 1 } }]);
  await postMessage(threadE, 'sales', 'Do you have it in blue?');

  await hub.hub.economy.flush();
  await setTimes({ threadId: threadA }, { runs: '2025-03-03T09:00:00Z' });
  await setTimes({ threadId: threadB }, { runs: '2025-03-03T10:00:00Z' });
  await setTimes(
    { taskId: taskB },
    {
      created: '2025-03-03T10:01:00Z',
      claimed: '2025-03-03T10:02:00Z',
      firstResponse: '2025-03-03T10:03:00Z',
      closed: '2025-03-03T10:12:00Z',
    },
  );
  await setTimes(
    { taskId: taskC },
    {
      created: '2025-03-03T11:00:00Z',
      claimed: '2025-03-03T11:00:10Z',
      firstResponse: '2025-03-03T11:00:30Z',
      closed: '2025-03-03T11:05:10Z',
    },
  );
  await setTimes({ runId: runD }, { runs: '2025-03-04T09:00:00Z' });
  await setTimes({ taskId: approvalD }, { created: '2025-03-04T09:00:30Z', closed: '2025-03-04T09:01:00Z' });
  await setTimes({ threadId: threadE }, { runs: '2025-03-04T15:00:00Z' });
}, 120_000);

afterAll(async () => {
  await hub?.close();
});

const empty = {
  handoffs: { total: 0, by_reason: {} },
  approvals: { total: 0, approved: 0, rejected: 0 },
  time_to_first_human_response_s: { median: null, p90: null, samples: 0 },
  human_handling_s: { median: null, samples: 0 },
  sla_breaches: 0,
};

const supportMarch3 = {
  agent: 'support',
  day: '2025-03-03',
  conversations: 3,
  closed_by_agent: 1,
  containment: 0.3333,
  handoffs: { total: 2, by_reason: { 'policy exception': 1, customer_request: 1 } },
  approvals: { total: 0, approved: 0, rejected: 0 },
  time_to_first_human_response_s: { median: 75, p90: 111, samples: 2 },
  human_handling_s: { median: 450, samples: 2 },
  resolved_conversations: 2,
  tokens: { total: 330, per_resolved_conversation: 165 },
  cost_usd: { total: '0.0039', per_resolved_conversation: '0.00195' },
  sla_breaches: 1,
};
const supportMarch4 = {
  ...empty,
  agent: 'support',
  day: '2025-03-04',
  conversations: 1,
  closed_by_agent: 1,
  containment: 1,
  approvals: { total: 1, approved: 1, rejected: 0 },
  resolved_conversations: 1,
  tokens: { total: 121, per_resolved_conversation: 121 },
  cost_usd: { total: '0.00143', per_resolved_conversation: '0.00143' },
};
const salesMarch4 = {
  ...empty,
  agent: 'sales',
  day: '2025-03-04',
  conversations: 1,
  closed_by_agent: 1,
  containment: 1,
  resolved_conversations: 1,
  tokens: { total: 11, per_resolved_conversation: 11 },
  cost_usd: { total: '0.00013', per_resolved_conversation: '0.00013' },
};

describe('GET /v1/inbox/stats', () => {
  it('measures each agent per UTC day and over the window, from runs, tasks and the ledger', async () => {
    const stats = await call('GET', '/v1/inbox/stats?from=2025-03-03&to=2025-03-04', undefined, viewerKey);
    expect(stats.status, JSON.stringify(stats.body)).toBe(200);
    expect(stats.body).toEqual({
      object: 'inbox.stats',
      tenant_id: tenantId,
      from: '2025-03-03T00:00:00.000Z',
      to: '2025-03-05T00:00:00.000Z',
      agent: null,
      data: [salesMarch4, supportMarch3, supportMarch4],
      totals: [
        { ...salesMarch4, day: null },
        {
          agent: 'support',
          day: null,
          conversations: 4,
          closed_by_agent: 2,
          containment: 0.5,
          handoffs: { total: 2, by_reason: { 'policy exception': 1, customer_request: 1 } },
          approvals: { total: 1, approved: 1, rejected: 0 },
          time_to_first_human_response_s: { median: 75, p90: 111, samples: 2 },
          human_handling_s: { median: 450, samples: 2 },
          resolved_conversations: 3,
          tokens: { total: 451, per_resolved_conversation: 150.33 },
          cost_usd: { total: '0.00533', per_resolved_conversation: '0.001776666667' },
          sla_breaches: 1,
        },
      ],
    });
    // The body is what the API reference says it is.
    expect(inboxStatsSchema.safeParse(stats.body).success).toBe(true);
  });

  it('narrows to one agent and to a window of timestamps', async () => {
    const sales = await ok('GET', '/v1/inbox/stats?from=2025-03-01&to=2025-03-07&agent=sales', undefined, operatorKey);
    expect(sales.agent).toBe('sales');
    expect(sales.data).toEqual([salesMarch4]);
    const morning = await ok(
      'GET',
      `/v1/inbox/stats?from=${encodeURIComponent('2025-03-03T00:00:00Z')}&to=${encodeURIComponent('2025-03-03T10:30:00+00:00')}&agent=support`,
      undefined,
      operatorKey,
    );
    // B's run and task fall before 10:30, C's task after: two conversations, one of them handed off.
    expect(morning.data).toEqual([
      {
        ...supportMarch3,
        conversations: 2,
        closed_by_agent: 1,
        containment: 0.5,
        handoffs: { total: 1, by_reason: { 'policy exception': 1 } },
        time_to_first_human_response_s: { median: 120, p90: 120, samples: 1 },
        human_handling_s: { median: 600, samples: 1 },
      },
    ]);
  });

  it('defaults to the last 7 days, refuses bad windows, and is for the tenant’s people only', async () => {
    const recent = await ok('GET', '/v1/inbox/stats', undefined, viewerKey);
    expect(Date.parse(String(recent.to)) - Date.parse(String(recent.from))).toBe(7 * 86_400_000);
    expect(recent.data).toEqual([]);
    expect((await call('GET', '/v1/inbox/stats?from=2025-03-05&to=2025-03-01', undefined, viewerKey)).status).toBe(400);
    expect((await call('GET', '/v1/inbox/stats?from=2020-01-01&to=2025-03-01', undefined, viewerKey)).status).toBe(400);
    expect((await call('GET', '/v1/inbox/stats?from=yesterday', undefined, viewerKey)).status).toBe(400);
    expect((await call('GET', '/v1/inbox/stats?agent=x&extra=1', undefined, viewerKey)).status).toBe(400);
    expect((await call('GET', '/v1/inbox/stats', undefined, serviceKey)).status).toBe(403);
    expect((await call('GET', '/v1/inbox/stats', undefined, hub.adminKey)).status).toBe(403);
  });
});

describe('GET /admin/v1/inbox/stats', () => {
  it("reads any tenant's measures with the admin key", async () => {
    const stats = await admin<Json>(hub, 'GET', `/admin/v1/inbox/stats?tenant_id=${tenantId}&from=2025-03-04&to=2025-03-04`);
    expect(stats).toMatchObject({ tenant_id: tenantId, data: [salesMarch4, supportMarch4] });
    expect((await call('GET', '/admin/v1/inbox/stats?tenant_id=ten_missing', undefined, hub.adminKey)).status).toBe(404);
    expect((await call('GET', '/admin/v1/inbox/stats', undefined, hub.adminKey)).status).toBe(400);
    expect((await call('GET', `/admin/v1/inbox/stats?tenant_id=${tenantId}`, undefined, operatorKey)).status).toBe(403);
  });
});

describe('the inbox metrics on GET /metrics', () => {
  it('count tasks opened and closed, SLA breaches, and time first replies and handling, with bounded labels', async () => {
    const text = await (await fetch(`${hub.url}/metrics`)).text();
    const value = (series: string): number | undefined => {
      const line = text.split('\n').find((candidate) => candidate.startsWith(`${series} `));
      return line === undefined ? undefined : Number(line.slice(series.length + 1));
    };
    expect(value('tokenhub_inbox_tasks_created_total{kind="handoff",reason="other"}')).toBe(1);
    expect(value('tokenhub_inbox_tasks_created_total{kind="handoff",reason="customer_request"}')).toBe(1);
    expect(value('tokenhub_inbox_tasks_created_total{kind="approval",reason="approval"}')).toBe(1);
    expect(value('tokenhub_inbox_tasks_closed_total{kind="handoff",status="resolved"}')).toBe(1);
    expect(value('tokenhub_inbox_tasks_closed_total{kind="handoff",status="returned"}')).toBe(1);
    expect(value('tokenhub_inbox_tasks_closed_total{kind="approval",status="resolved"}')).toBe(1);
    expect(value('tokenhub_inbox_sla_breaches_total{queue="returns"}')).toBe(1);
    // B and C each got a first reply (B's second reply is not a first one) and were closed from a claim.
    expect(value('tokenhub_inbox_first_response_seconds_count')).toBe(2);
    expect(value('tokenhub_inbox_handling_seconds_count')).toBe(2);
    expect(text).not.toMatch(/tokenhub_inbox_[a-z_]+\{[^}]*(tenant|user|agent)=/);
    expect(text).not.toContain('policy exception');
  });
});
