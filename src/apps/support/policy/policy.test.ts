import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { conversation, openStores, SOURCE, type Stores } from '../__fixtures__/harness.js';
import { runSupportTool } from '../executor.js';
import type { Order } from '../model.js';
import type { DatabaseStore } from '../store/db-store.js';
import { isAffirmative } from './confirmation.js';

let stores: Stores;
let store: DatabaseStore;
beforeAll(async () => {
  stores = await openStores();
  store = await stores.fresh();
});
afterAll(async () => {
  await stores.testDb.close();
});

const PENDING = '#W8367380'; // ava_nguyen_6646, credit_card_5683823; gift_card_1994993 holds 78.0
const DELIVERED = '#W3113816'; // emma_santos_9753, credit_card_5869505
const PROCESSED = '#W2611340'; // james_li_5688
const ava = 'ava_nguyen_6646';
const cancelArgs = { order_id: PENDING, reason: 'no longer needed' };
const askCancel = `I will cancel order ${PENDING} (reason: no longer needed). Shall I proceed?`;

/** Runs a write through the policy and asserts it was refused by `rule`, with the store unchanged. */
async function expectRefusal(
  name: string,
  args: Record<string, unknown>,
  convo: ReturnType<typeof conversation>,
  rule: string,
  text?: string,
) {
  const before = await store.repository.exportText();
  const outcome = await runSupportTool(name, args, { store, conversation: convo });
  expect(outcome.ok).toBe(false);
  if (outcome.ok) return;
  expect(outcome.refusedBy).toBe(rule);
  expect(outcome.error.startsWith(`Refused by policy rule "${rule}": `)).toBe(true);
  if (text) expect(outcome.error).toContain(text);
  expect(await store.repository.exportText()).toBe(before);
}

describe('support policy', () => {
  it('authenticated: no write before the customer is identified; a lookup identifies them', async () => {
    await expectRefusal('cancel_pending_order', cancelArgs, conversation(null, askCancel, 'yes'), 'authenticated');
    const found = await runSupportTool(
      'find_user_id_by_email',
      { email: SOURCE.users[ava]?.email },
      { store, conversation: conversation(null) },
    );
    expect(found).toEqual({ ok: true, result: ava, identifiedUserId: ava });
    const again = await runSupportTool(
      'find_user_id_by_email',
      { email: SOURCE.users[ava]?.email },
      { store, conversation: conversation(ava) },
    );
    expect(again).toEqual({ ok: true, result: ava });
  });

  it('own-records: orders, payment methods and profile of the identified customer only', async () => {
    await expectRefusal('cancel_pending_order', cancelArgs, conversation('noah_brown_6181', askCancel, 'yes'), 'own-records');
    await expectRefusal(
      'modify_pending_order_payment',
      { order_id: PENDING, payment_method_id: 'credit_card_7815826' },
      conversation(ava, `Switch the payment of ${PENDING} to credit_card_7815826?`, 'yes'),
      'own-records',
    );
    await expectRefusal(
      'modify_user_address',
      { user_id: 'noah_brown_6181', address1: '1 A St', address2: '', city: 'X', state: 'CO', country: 'USA', zip: '80202' },
      conversation(ava, 'Change the address to 1 A St, 80202?', 'yes'),
      'own-records',
    );
  });

  it('order-pending: cancel and modify only pending orders, with τ²’s text', async () => {
    const james = 'james_li_5688';
    await expectRefusal(
      'cancel_pending_order',
      { order_id: PROCESSED, reason: 'no longer needed' },
      conversation(james, `Cancel ${PROCESSED}?`, 'yes'),
      'order-pending',
      'Non-pending order cannot be cancelled',
    );
    const address = { address1: '1 A St', address2: '', city: 'X', state: 'NY', country: 'USA', zip: '10001' };
    await expectRefusal(
      'modify_pending_order_address',
      { order_id: PROCESSED, ...address },
      conversation(james, `Change the address of ${PROCESSED}?`, 'yes'),
      'order-pending',
      'Non-pending order cannot be modified',
    );
  });

  it('order-delivered: return and exchange only delivered orders, with τ²’s text', async () => {
    const item = (SOURCE.orders[PENDING] as Order).items[0]?.item_id as string;
    await expectRefusal(
      'return_delivered_order_items',
      { order_id: PENDING, item_ids: [item], payment_method_id: 'credit_card_5683823' },
      conversation(ava, `Return ${item} from ${PENDING}?`, 'yes'),
      'order-delivered',
      'Non-delivered order cannot be returned',
    );
    await expectRefusal(
      'exchange_delivered_order_items',
      { order_id: PENDING, item_ids: [item], new_item_ids: [item], payment_method_id: 'credit_card_5683823' },
      conversation(ava, `Exchange ${item} of ${PENDING}?`, 'yes'),
      'order-delivered',
      'Non-delivered order cannot be exchanged',
    );
  });

  it('once-per-order: after an items change nothing more is modified; after an exchange no second one', async () => {
    const own = await stores.fresh();
    const order = SOURCE.orders[PENDING] as Order;
    const item = order.items[0] as Order['items'][number];
    const product = SOURCE.products[item.product_id];
    const other = Object.values(product?.variants ?? {}).find((variant) => variant.available && variant.item_id !== item.item_id);
    const args = { order_id: PENDING, item_ids: [item.item_id], new_item_ids: [other?.item_id], payment_method_id: 'credit_card_5683823' };
    const proposal = `I will modify item ${item.item_id} of order ${PENDING} to ${other?.item_id}. Confirm?`;
    expect(
      (await runSupportTool('modify_pending_order_items', args, { store: own, conversation: conversation(ava, proposal, 'Yes please') }))
        .ok,
    ).toBe(true);
    const refused = await runSupportTool(
      'modify_pending_order_items',
      { ...args, item_ids: [other?.item_id], new_item_ids: [item.item_id] },
      { store: own, conversation: conversation(ava, proposal, 'yes') },
    );
    expect(refused).toMatchObject({ ok: false, refusedBy: 'once-per-order' });
    const cancel = await runSupportTool('cancel_pending_order', cancelArgs, {
      store: own,
      conversation: conversation(ava, askCancel, 'yes'),
    });
    expect(cancel).toMatchObject({ ok: false, refusedBy: 'once-per-order' });

    const emma = 'emma_santos_9753';
    const delivered = SOURCE.orders[DELIVERED] as Order;
    const returned = delivered.items[0]?.item_id as string;
    const ok = await runSupportTool(
      'return_delivered_order_items',
      { order_id: DELIVERED, item_ids: [returned], payment_method_id: 'credit_card_5869505' },
      { store: own, conversation: conversation(emma, `Return ${returned} from ${DELIVERED} to your card?`, 'yes, go ahead') },
    );
    expect(ok.ok).toBe(true);
    const second = await runSupportTool(
      'exchange_delivered_order_items',
      { order_id: DELIVERED, item_ids: [returned], new_item_ids: [returned], payment_method_id: 'credit_card_5869505' },
      { store: own, conversation: conversation(emma, `Exchange ${returned} of ${DELIVERED}?`, 'yes') },
    );
    expect(second).toMatchObject({ ok: false, refusedBy: 'once-per-order' });
  });

  it('gift-card-balance: a gift card pays only what it holds', async () => {
    await expectRefusal(
      'modify_pending_order_payment',
      { order_id: PENDING, payment_method_id: 'gift_card_1994993' },
      conversation(ava, `Pay order ${PENDING} with gift card gift_card_1994993?`, 'yes'),
      'gift-card-balance',
      'Insufficient gift card balance to pay for the order',
    );
  });

  it('confirmed: the agent stated the action and its order, and the customer said yes', async () => {
    await expectRefusal('cancel_pending_order', cancelArgs, conversation(ava, askCancel, 'no, wait'), 'confirmed');
    await expectRefusal('cancel_pending_order', cancelArgs, conversation(ava, askCancel, 'What would the refund be?'), 'confirmed');
    await expectRefusal(
      'cancel_pending_order',
      cancelArgs,
      conversation(ava, 'I will cancel order #W0000001. Proceed?', 'yes'),
      'confirmed',
    );
    await expectRefusal('cancel_pending_order', cancelArgs, conversation(ava, `Order ${PENDING} is pending.`, 'yes'), 'confirmed');
    await expectRefusal(
      'cancel_pending_order',
      cancelArgs,
      { identifiedUserId: ava, messages: [{ role: 'assistant', content: askCancel }] },
      'confirmed',
    );
    const own = await stores.fresh();
    const done = await runSupportTool('cancel_pending_order', cancelArgs, {
      store: own,
      conversation: conversation(ava, askCancel.replace('#', ''), 'Yes, the reason is no longer needed.'),
    });
    expect(done.ok).toBe(true);
    expect((await own.getOrder(PENDING))?.status).toBe('cancelled');
  });

  it('reads affirmatives and negations conservatively', () => {
    for (const yes of ['yes', 'Yeah.', 'yep, do it', 'Confirm', 'Sure!', 'go ahead', 'please do', 'Correct', 'OK', 'Yes, that’s right'])
      expect(isAffirmative(yes)).toBe(true);
    for (const no of ['no', 'No thanks', "don't", 'yes... actually wait', 'not yet', 'hmm', 'Can you check first?', 'I’m not sure'])
      expect(isAffirmative(no)).toBe(false);
  });

  it('lets reads through without authentication, and hands off through the composition’s callback', async () => {
    expect((await runSupportTool('get_order_details', { order_id: PROCESSED }, { store, conversation: conversation(null) })).ok).toBe(true);
    const summaries: string[] = [];
    const outcome = await runSupportTool(
      'transfer_to_human_agents',
      { summary: 'needs a person' },
      {
        store,
        conversation: conversation(null),
        openHandoff: async ({ summary }) => {
          summaries.push(summary);
          return 'handoff-1';
        },
      },
    );
    expect(outcome).toEqual({ ok: true, result: 'Transfer successful', handoffId: 'handoff-1' });
    expect(summaries).toEqual(['needs a person']);
  });
});
