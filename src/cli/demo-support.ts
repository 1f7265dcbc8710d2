/**
 * `npm run demo:support` / `tokenhub apps demo support`: the support app end to end on a fresh hub in this
 * process (a temporary data dir, PGlite, a scripted model, so no model or network is needed): a return the
 * agent closes itself (the customer identified, the action stated, the customer's yes, the write), then an
 * angry customer the agent hands to a person (an inbox task an operator claims, answers and resolves), and
 * what the conversations cost, from the ledger.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { createHub } from '../app.js';
import { configSchema } from '../config/index.js';
import { generateAdminKey } from '../economy/index.js';
import { demoCaller } from './demo-client.js';

type Json = Record<string, unknown>;

export interface SupportDemoResult {
  /** The order returned in the first conversation, as the store holds it after. */
  returnedOrder: Json;
  /** The inbox task of the second conversation, once resolved. */
  handoffTask: Json;
  /** The tenant's spend, from the ledger. */
  usage: { requests: number; prompt_tokens: number; completion_tokens: number; cost_usd: string };
  durationMs: number;
}

const USAGE = { input_tokens: 900, output_tokens: 60 };

/** Plays the demo; each line of the transcript goes to `print`. */
export async function runSupportDemo(options: { print?: (line: string) => void } = {}): Promise<SupportDemoResult> {
  const print = options.print ?? ((line: string) => process.stdout.write(`${line}\n`));
  const started = Date.now();
  const dataDir = await mkdtemp(join(tmpdir(), 'tokenhub-demo-'));
  const adminKey = generateAdminKey();
  const hub = await createHub({
    config: configSchema.parse({
      providers: [{ id: 'demo-model', type: 'scripted' }],
      models: [
        { name: 'demo', targets: [{ provider: 'demo-model', model: 'scripted' }], pricing: { input_per_mtok: 0.5, output_per_mtok: 1.5 } },
      ],
    }),
    dataDir,
    adminKey,
    logger: pino({ level: 'silent' }),
  });
  try {
    const url = await hub.listen(0, '127.0.0.1');
    const call = demoCaller(url, adminKey);
    const script = hub.scripted('demo-model');

    print(`TokenHub support demo — hub at ${url} (PGlite in ${dataDir}, a scripted model)`);
    const tenant = await call('POST', '/admin/v1/tenants', { name: 'demo-shop' });
    const tenantId = String(tenant.id);
    const installed = await call('POST', '/admin/v1/apps/support/install', { tenant_id: tenantId, model: 'demo' });
    const installation = String((installed.installation as Json).id);
    print(`installed the support app: installation ${installation}, agent ${String(installed.agent)} (τ²'s retail store and policy)`);
    const key = String((await call('POST', '/admin/v1/keys', { tenant_id: tenantId, scopes: ['agents:run'] })).key);
    const operator = await call('POST', '/admin/v1/users', {
      tenant_id: tenantId,
      email: 'lea@demo-shop.test',
      name: 'Lea',
      role: 'operator',
    });
    const operatorKey = String(operator.key);

    const say = async (threadId: string, content: string): Promise<Json> => {
      print(`  customer: ${content}`);
      const reply = await call('POST', `/v1/threads/${threadId}/messages`, { agent: String(installed.agent), content }, key);
      const run = reply.run as Json | null;
      for (const tool of (script.calls.at(-1)?.request.messages ?? []).filter((message) => message.role === 'tool')) {
        print(`    [tool result] ${String(tool.content).slice(0, 110)}`);
      }
      const message = reply.message as Json | null;
      if (message) print(`  agent: ${String(message.content)}`);
      if (run?.status === 'handed_off') print(`  (run ${String(run.id)} handed off to a person)`);
      return reply;
    };

    print('\n1. A return the agent closes');
    const first = String((await call('POST', '/v1/threads', {}, key)).id);
    script.setScript([
      { tool_calls: [{ name: 'find_user_id_by_email', arguments: { email: 'raj.santos4322@example.com' } }], usage: USAGE },
      { tool_calls: [{ name: 'get_order_details', arguments: { order_id: '#W4680753' } }], usage: USAGE },
      {
        text: 'I can return item 9690244451 (the mechanical keyboard) of order #W4680753, with the refund to paypal_2417743. Shall I proceed?',
        usage: USAGE,
      },
    ]);
    await say(first, "Hi, I'm raj.santos4322@example.com. I'd like to return the keyboard from order #W4680753, refund to my PayPal.");
    script.setScript([
      {
        tool_calls: [
          {
            name: 'return_delivered_order_items',
            arguments: { order_id: '#W4680753', item_ids: ['9690244451'], payment_method_id: 'paypal_2417743' },
          },
        ],
        usage: USAGE,
      },
      { text: 'Done: the return of order #W4680753 is requested; the refund goes to your PayPal once we receive the item.', usage: USAGE },
    ]);
    await say(first, 'Yes, please go ahead.');
    const store = (await fetch(`${url}/admin/v1/apps/support/${installation}/store`, {
      headers: { authorization: `Bearer ${adminKey}` },
    }).then((response) => response.json())) as { orders: Record<string, Json> };
    const returnedOrder = store.orders['#W4680753'] as Json;
    print(`  store: order #W4680753 is now "${String(returnedOrder.status)}", return items ${JSON.stringify(returnedOrder.return_items)}`);

    print('\n2. An angry customer, handed to a person');
    const second = String((await call('POST', '/v1/threads', {}, key)).id);
    script.setScript([
      {
        tool_calls: [
          { name: 'transfer_to_human_agents', arguments: { summary: 'Customer is furious: third late delivery, wants compensation.' } },
        ],
        usage: USAGE,
      },
    ]);
    await say(second, 'This is the THIRD time my order is late!! I want compensation, now.');
    const open = (await call('GET', '/v1/inbox/tasks?status=open', undefined, operatorKey)).data as Json[];
    const task = open.find((candidate) => candidate.thread_id === second);
    if (!task) throw new Error('the hand-off opened no inbox task');
    const taskId = String(task.id);
    print(`  inbox: task ${taskId} (${String(task.kind)}, queue ${String(task.queue)}, ${String(task.reason)}): ${String(task.summary)}`);
    await call('POST', `/v1/inbox/tasks/${taskId}/claim`, {}, operatorKey);
    print(`  Lea (operator) claims ${taskId}`);
    const answer = "I'm sorry about the delays. I've added a $20 credit to your account and flagged your next order for priority shipping.";
    await call('POST', `/v1/inbox/tasks/${taskId}/messages`, { content: answer }, operatorKey);
    print(`  Lea: ${answer}`);
    const handoffTask = await call(
      'POST',
      `/v1/inbox/tasks/${taskId}/resolve`,
      { resolution: 'Apologised; $20 credit; priority shipping.' },
      operatorKey,
    );
    print(`  task ${taskId} is ${String(handoffTask.status)}: ${String(handoffTask.resolution)}`);

    await hub.economy.flush();
    const usage = ((await call('GET', `/admin/v1/usage?tenant_id=${tenantId}&group_by=none`)).data as SupportDemoResult['usage'][])[0] ?? {
      requests: 0,
      prompt_tokens: 0,
      completion_tokens: 0,
      cost_usd: '0',
    };
    print(
      `\ncost (ledger): ${usage.requests} model calls, ${usage.prompt_tokens} prompt + ${usage.completion_tokens} completion tokens, $${usage.cost_usd}`,
    );
    const durationMs = Date.now() - started;
    print(`demo finished in ${(durationMs / 1000).toFixed(1)} s`);
    return { returnedOrder, handoffTask, usage, durationMs };
  } finally {
    await hub.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}

const invokedDirectly = process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (invokedDirectly) {
  runSupportDemo().then(
    () => process.exit(0),
    (error: unknown) => {
      process.stderr.write(`demo failed: ${(error as Error).stack ?? String(error)}\n`);
      process.exit(1);
    },
  );
}
