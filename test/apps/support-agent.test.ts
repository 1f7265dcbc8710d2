/**
 * The support app end to end on a fresh hub: installed through the admin API (store seeded from the shipped
 * τ² data), a customer's return closed by the agent through a thread — authenticated by email, the action
 * stated, the customer's yes, the write — with the store changed exactly as τ²'s tool does; a write without
 * the yes refused by the `confirmed` rule and nothing changed; `transfer_to_human_agents` opening an inbox
 * hand-off; the public chat routes; and a store reset.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { admin, createTenant } from '../support/economy.js';
import { startTestHub, type TestHub } from '../support/hub.js';

type Json = Record<string, unknown>;
let hub: TestHub;
let installation: string;
let tenantId: string;
let key: string;

async function call(method: string, path: string, body?: unknown, caller?: string): Promise<{ status: number; body: Json }> {
  const response = await fetch(`${hub.url}${path}`, {
    method,
    headers: {
      ...(caller ? { authorization: `Bearer ${caller}` } : {}),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as Json) : {} };
}

async function order(id: string): Promise<Json> {
  const store = (await fetch(`${hub.url}/admin/v1/apps/support/${installation}/store`, {
    headers: { authorization: `Bearer ${hub.adminKey}` },
  }).then((response) => response.json())) as { orders: Record<string, Json> };
  return store.orders[id] as Json;
}

beforeAll(async () => {
  hub = await startTestHub({
    providers: [{ id: 'script', type: 'scripted' }],
    models: [
      { name: 'scripted', targets: [{ provider: 'script', model: 'scripted' }], pricing: { input_per_mtok: 1, output_per_mtok: 2 } },
    ],
  });
  const tenant = await createTenant(hub, 'shop');
  tenantId = tenant.id;
  const installed = await admin<{ installation: Json; agent: string }>(hub, 'POST', '/admin/v1/apps/support/install', {
    tenant_id: tenant.id,
    model: 'scripted',
  });
  installation = String(installed.installation.id);
  expect(installed.agent).toBe('support');
  key = String((await admin<Json>(hub, 'POST', '/admin/v1/keys', { tenant_id: tenant.id, scopes: ['agents:run'] })).key);
});

afterAll(async () => {
  await hub?.close();
});

beforeEach(() => hub.hub.scripted('script').setScript([]));

const post = (threadId: string, content: string) => call('POST', `/v1/threads/${threadId}/messages`, { agent: 'support', content }, key);

describe('the support agent', () => {
  it('closes a return: authenticates, states the action, gets the yes, and changes the store as τ² does', async () => {
    const threadId = String((await call('POST', '/v1/threads', {}, key)).body.id);
    hub.hub
      .scripted('script')
      .setScript([
        { tool_calls: [{ name: 'find_user_id_by_email', arguments: { email: 'raj.santos4322@example.com' } }] },
        { tool_calls: [{ name: 'get_order_details', arguments: { order_id: '#W4680753' } }] },
        { text: 'I can return item 9690244451 of order #W4680753 with a refund to paypal_2417743. Shall I proceed?' },
      ]);
    const first = await post(
      threadId,
      'Hi, I am raj.santos4322@example.com and I want to return the item of order #W4680753 to my paypal.',
    );
    expect(first.body.run).toMatchObject({ status: 'completed' });
    expect((await order('#W4680753')).status).toBe('delivered');

    hub.hub.scripted('script').setScript([
      {
        tool_calls: [
          {
            name: 'return_delivered_order_items',
            arguments: { order_id: '#W4680753', item_ids: ['9690244451'], payment_method_id: 'paypal_2417743' },
          },
        ],
      },
      { text: 'Your return is requested.' },
    ]);
    const second = await post(threadId, 'Yes, please go ahead.');
    expect(second.body.run).toMatchObject({ status: 'completed' });
    const returned = await order('#W4680753');
    expect(returned).toMatchObject({
      status: 'return requested',
      return_items: ['9690244451'],
      return_payment_method_id: 'paypal_2417743',
    });
  });

  it('refuses a write the customer did not confirm, naming the rule, and changes nothing', async () => {
    const threadId = String((await call('POST', '/v1/threads', {}, key)).body.id);
    hub.hub
      .scripted('script')
      .setScript([
        { tool_calls: [{ name: 'find_user_id_by_name_zip', arguments: { first_name: 'Yusuf', last_name: 'Rossi', zip: '19122' } }] },
        { tool_calls: [{ name: 'cancel_pending_order', arguments: { order_id: '#W2378156', reason: 'no longer needed' } }] },
        { text: 'Sorry.' },
      ]);
    const before = await order('#W2378156');
    const reply = await post(threadId, 'I am Yusuf Rossi, zip 19122. Cancel my order W2378156.');
    expect(reply.body.run).toMatchObject({ status: 'completed' });
    const toolResult = JSON.stringify(hub.hub.scripted('script').calls?.at(-1));
    expect(toolResult).toMatch(/Refused by policy rule/);
    expect(await order('#W2378156')).toEqual(before);
  });

  it('hands a case to a person with transfer_to_human_agents (an inbox task with the summary)', async () => {
    const threadId = String((await call('POST', '/v1/threads', {}, key)).body.id);
    hub.hub.scripted('script').setScript([
      {
        tool_calls: [
          {
            name: 'transfer_to_human_agents',
            arguments: { summary: 'Customer is furious about a late delivery and wants compensation.' },
          },
        ],
      },
    ]);
    const reply = await post(threadId, 'This is the third time my order is late!! I want compensation NOW');
    expect(reply.body.run).toMatchObject({ status: 'handed_off' });
    const owner = await admin<Json>(hub, 'POST', '/admin/v1/users', {
      tenant_id: tenantId,
      email: 'lead@shop.test',
      name: 'Lea',
      role: 'owner',
    });
    const tasks = await call('GET', '/v1/inbox/tasks?status=open', undefined, String(owner.key));
    const task = (tasks.body.data as Json[]).find((candidate) => candidate.thread_id === threadId);
    expect(task).toMatchObject({
      kind: 'handoff',
      queue: 'support',
      reason: 'transfer_to_human_agents',
      summary: expect.stringContaining('late delivery'),
    });
  });

  it('serves the public chat page and its conversation routes with the installation key', async () => {
    const page = await fetch(`${hub.url}/apps/support/chat?installation=${installation}`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('role="log"');
    const thread = await call('POST', `/apps/support/${installation}/threads`);
    expect(thread.status).toBe(201);
    hub.hub.scripted('script').setScript([{ text: 'Hello! How can I help?' }]);
    const sent = await call('POST', `/apps/support/${installation}/threads/${String(thread.body.id)}/messages`, { content: 'Hello' });
    expect(sent.status).toBe(200);
    expect(sent.body.message).toMatchObject({ content: 'Hello! How can I help?' });
    const messages = await call('GET', `/apps/support/${installation}/threads/${String(thread.body.id)}/messages`);
    expect((messages.body.data as Json[]).map((message) => message.role)).toEqual(['user', 'assistant']);
    expect((await call('GET', `/apps/support/nope/threads/${String(thread.body.id)}/messages`)).status).toBe(404);
  });

  it('resets the store to the shipped data', async () => {
    await admin(hub, 'POST', `/admin/v1/apps/support/${installation}/store/reset`);
    expect((await order('#W4680753')).status).toBe('delivered');
  });
});
