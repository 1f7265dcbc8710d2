/**
 * τ²'s 74 retail training tasks replayed through the real runtime: for each task a scripted model does the
 * task's expected actions on a thread of the installed support app — the customer identified first, each
 * write stated with its identifiers and confirmed by the customer's yes, the write through the app's tool
 * and its policy — and the reward is computed as τ² does: the final store's hash against the hash of a fresh
 * store after the expected actions (task 105's expected exchange fails in τ² too; the refused write leaves
 * both stores where they were), outputs in the agent's messages, and a hand-off in the inbox for the tasks
 * that transfer. Then three refusals of the policy through the runtime.
 *
 * One installation serves all tasks. A store reset costs ~0.3–1 s on PGlite, so the store is reset only when
 * a task's writes touch an order or a user that an earlier task since the last reset touched: between resets
 * the tasks' writes are disjoint, and the expected store is the fresh store after the expected actions of
 * every task since the reset (the same hash as each task's own replay on a fresh store, its rows being
 * untouched by the others).
 */
import { existsSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  checkOutputs,
  isWriteTool,
  MemoryStore,
  replayExpectedActions,
  retailDbText,
  storeHash,
  type TauTask,
} from '../../src/apps/support/index.js';
import { oracleConversation } from '../../src/evals/oracle.js';
import { DEFAULT_SUITE_PATHS, type EvalTask } from '../../src/evals/suite.js';
import { admin, createTenant } from '../support/economy.js';
import { startTestHub, type TestHub } from '../support/hub.js';

type Json = Record<string, unknown>;
const TASKS_PATH = DEFAULT_SUITE_PATHS['tau-retail'].find((path) => existsSync(path));
if (!TASKS_PATH) console.warn('τ² replay tests skipped: the tau-retail tasks file is absent (see docs/evals.md)');
const TASKS: EvalTask[] = TASKS_PATH ? (JSON.parse(readFileSync(TASKS_PATH, 'utf8')) as EvalTask[]) : [];
const SOURCE = retailDbText();

let hub: TestHub;
let installation: string;
let key: string;
let operatorKey: string;
const timings = { resets: 0, resetMs: 0, tasks: 0, taskMs: 0 };

async function call(method: string, path: string, body?: unknown, caller = key): Promise<{ status: number; body: Json }> {
  const response = await fetch(`${hub.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${caller}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as Json) : {} };
}

async function storeText(): Promise<string> {
  const response = await fetch(`${hub.url}/admin/v1/apps/support/${installation}/store`, {
    headers: { authorization: `Bearer ${hub.adminKey}` },
  });
  return response.text();
}

async function resetStore(): Promise<void> {
  const started = performance.now();
  await admin(hub, 'POST', `/admin/v1/apps/support/${installation}/store/reset`);
  timings.resets += 1;
  timings.resetMs += performance.now() - started;
}

/** The orders and users a task's expected writes change (an order's owner too: a refund or a charge moves a gift card balance). */
function touchedBy(task: TauTask, fresh: MemoryStore): Promise<string[]> {
  const writes = (task.evaluation_criteria?.actions ?? []).filter((action) => isWriteTool(action.name));
  return Promise.all(
    writes.map(async (action) => {
      const orderId = typeof action.arguments.order_id === 'string' ? action.arguments.order_id : undefined;
      const owner = orderId ? (await fresh.getOrder(orderId))?.user_id : undefined;
      return [orderId, owner, typeof action.arguments.user_id === 'string' ? action.arguments.user_id : undefined].filter(
        (key): key is string => key !== undefined,
      );
    }),
  ).then((keys) => keys.flat());
}

/** The installation's store since its last reset, and the in-memory store it must equal. */
const batch = { touched: new Set<string>(), expected: MemoryStore.fromText(SOURCE) };

const newThread = async (): Promise<string> => String((await call('POST', '/v1/threads', {})).body.id);
const post = (threadId: string, content: string) => call('POST', `/v1/threads/${threadId}/messages`, { agent: 'support', content });

async function openHandoff(threadId: string): Promise<Json | undefined> {
  const tasks = await call('GET', '/v1/inbox/tasks?status=open&limit=100', undefined, operatorKey);
  return (tasks.body.data as Json[]).find((task) => task.thread_id === threadId);
}

/** The tool results of the run that just ended, as its model's last call was sent them. */
function toolResults(): string[] {
  const last = hub.hub.scripted('script').calls.at(-1);
  return (last?.request.messages ?? [])
    .filter((message) => message.role === 'tool')
    .map((message) => (typeof message.content === 'string' ? message.content : JSON.stringify(message.content)));
}

beforeAll(async () => {
  hub = await startTestHub({
    providers: [{ id: 'script', type: 'scripted' }],
    models: [
      { name: 'scripted', targets: [{ provider: 'script', model: 'scripted' }], pricing: { input_per_mtok: 1, output_per_mtok: 2 } },
    ],
  });
  const tenant = await createTenant(hub, 'replay');
  const installed = await admin<{ installation: Json }>(hub, 'POST', '/admin/v1/apps/support/install', {
    tenant_id: tenant.id,
    model: 'scripted',
  });
  installation = String(installed.installation.id);
  key = String((await admin<Json>(hub, 'POST', '/admin/v1/keys', { tenant_id: tenant.id, scopes: ['agents:run'] })).key);
  operatorKey = String(
    (await admin<Json>(hub, 'POST', '/admin/v1/users', { tenant_id: tenant.id, email: 'ops@replay.test', name: 'Ops', role: 'operator' }))
      .key,
  );
});

afterAll(async () => {
  if (timings.tasks > 0) {
    console.info(
      `τ² replay: ${timings.tasks} tasks in ${(timings.taskMs / 1000).toFixed(1)} s; ${timings.resets} store resets, ` +
        `${(timings.resetMs / Math.max(1, timings.resets)).toFixed(0)} ms each on average`,
    );
  }
  await hub?.close();
});

describe.skipIf(TASKS.length === 0)('τ² retail training tasks through the runtime', () => {
  it('has the 74 tasks', () => {
    expect(TASKS).toHaveLength(74);
  });

  it.each(TASKS.map((task) => [task.id, task] as const))(
    'task %s: reward 1',
    async (_id, task) => {
      const started = performance.now();
      const touched = await touchedBy(task, MemoryStore.fromText(SOURCE));
      if (touched.some((key) => batch.touched.has(key))) {
        await resetStore();
        batch.touched.clear();
        batch.expected = MemoryStore.fromText(SOURCE);
      }
      for (const key of touched) batch.touched.add(key);
      const expected = batch.expected;
      const turns = await oracleConversation(task, MemoryStore.fromText(SOURCE));
      const threadId = await newThread();
      const transfers = (task.evaluation_criteria?.actions ?? []).some((action) => action.name === 'transfer_to_human_agents');
      const statuses: string[] = [];
      const results: string[] = [];
      for (const turn of turns) {
        hub.hub.scripted('script').setScript(turn.agent);
        const reply = await post(threadId, turn.customer);
        expect(reply.status, JSON.stringify(reply.body)).toBe(200);
        statuses.push(String((reply.body.run as Json | null)?.status));
        results.push(...toolResults());
        expect(hub.hub.scripted('script').remaining()).toBe(0);
      }

      const replay = await replayExpectedActions(task, expected);
      const expectedHash = await storeHash(expected);
      const actualHash = await storeHash(MemoryStore.fromText(await storeText()));
      // Every write the replay made, the agent made: a refusal would show as a policy message here.
      const refused = results.filter((result) => result.startsWith('Error: Refused by policy rule'));
      expect(refused).toEqual(replay.failedWrites.length > 0 ? [expect.stringContaining('gift-card-balance')] : []);
      expect(actualHash).toBe(expectedHash);

      const messages = (await call('GET', `/v1/threads/${threadId}/messages?limit=500`)).body.data as {
        role: 'user' | 'assistant';
        content: string;
      }[];
      expect(checkOutputs(task, messages).filter((output) => !output.met)).toEqual([]);
      if (transfers) {
        expect(statuses.at(-1)).toBe('handed_off');
        expect(await openHandoff(threadId)).toMatchObject({ kind: 'handoff', reason: 'transfer_to_human_agents' });
      } else {
        expect(statuses.every((status) => status === 'completed')).toBe(true);
      }
      timings.tasks += 1;
      timings.taskMs += performance.now() - started;
    },
    60_000,
  );
});

describe('the policy refuses through the runtime, and the store stays as it was', () => {
  // #W6247578 is Yusuf Rossi's (zip 19122) and pending in the shipped store; Raj Santos is another customer.
  const cancel = { name: 'cancel_pending_order', arguments: { order_id: '#W6247578', reason: 'no longer needed' } };
  const statement = { text: 'I will cancel order #W6247578 because it is no longer needed. Do you confirm?' };

  beforeAll(resetStore);

  async function refusal(turns: { customer: string; agent: Json[] }[]): Promise<string[]> {
    const before = await storeText();
    const threadId = await newThread();
    const results: string[] = [];
    for (const turn of turns) {
      hub.hub.scripted('script').setScript(turn.agent);
      const reply = await post(threadId, turn.customer);
      expect(reply.body.run).toMatchObject({ status: 'completed' });
      results.push(...toolResults());
    }
    expect(await storeText()).toBe(before);
    return results.filter((result) => result.startsWith('Error: Refused by policy rule'));
  }

  it('a write before the customer is identified: "authenticated"', async () => {
    const refused = await refusal([
      { customer: 'Cancel my order #W6247578.', agent: [statement] },
      { customer: 'Yes, please proceed.', agent: [{ tool_calls: [cancel] }, { text: 'Sorry.' }] },
    ]);
    expect(refused).toEqual([expect.stringMatching(/^Error: Refused by policy rule "authenticated"/)]);
  });

  it('a write the customer did not say yes to: "confirmed"', async () => {
    const refused = await refusal([
      {
        customer: 'I am Yusuf Rossi, zip 19122.',
        agent: [
          { tool_calls: [{ name: 'find_user_id_by_name_zip', arguments: { first_name: 'Yusuf', last_name: 'Rossi', zip: '19122' } }] },
          statement,
        ],
      },
      { customer: 'Hmm, wait, let me think about it.', agent: [{ tool_calls: [cancel] }, { text: 'Sorry.' }] },
    ]);
    expect(refused).toEqual([expect.stringMatching(/^Error: Refused by policy rule "confirmed"/)]);
  });

  it('a write on another customer\'s order: "own-records"', async () => {
    const refused = await refusal([
      {
        customer: 'I am raj.santos4322@example.com.',
        agent: [{ tool_calls: [{ name: 'find_user_id_by_email', arguments: { email: 'raj.santos4322@example.com' } }] }, statement],
      },
      { customer: 'Yes, please proceed.', agent: [{ tool_calls: [cancel] }, { text: 'Sorry.' }] },
    ]);
    expect(refused).toEqual([expect.stringMatching(/^Error: Refused by policy rule "own-records"/)]);
  });
});
