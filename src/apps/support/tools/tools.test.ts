import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStores, SOURCE, type Stores, TAU2_RESULTS } from '../__fixtures__/harness.js';
import type { GiftCard, Order, Variant } from '../model.js';
import { pyRound } from '../python/numbers.js';
import type { DatabaseStore } from '../store/db-store.js';
import { runRawTool, SUPPORT_TOOLS } from './registry.js';

let stores: Stores;
let shared: DatabaseStore;
beforeAll(async () => {
  stores = await openStores();
  shared = await stores.fresh();
});
afterAll(async () => {
  await stores.testDb.close();
});

const run = (store: DatabaseStore, name: string, args: unknown) => runRawTool(name, args, store);
const result = async (store: DatabaseStore, name: string, args: unknown): Promise<string> => {
  const outcome = await run(store, name, args);
  if (!outcome.ok) throw new Error(`${name} failed: ${outcome.error}`);
  return outcome.result;
};
/** Asserts τ²'s error text and that the store did not change. */
async function expectError(name: string, args: unknown, error: string, store?: DatabaseStore): Promise<void> {
  const target = store ?? shared;
  const before = await target.repository.exportText();
  expect(await run(target, name, args)).toEqual({ ok: false, error });
  expect(await target.repository.exportText()).toBe(before);
}

const sourceOrder = (id: string): Order => SOURCE.orders[id] as Order;
const balanceOf = (userId: string, id: string): number =>
  (SOURCE.users[userId]?.payment_methods[id] as GiftCard | undefined)?.balance ?? Number.NaN;
const variantsOf = (productId: string): Variant[] => Object.values(SOURCE.products[productId]?.variants ?? {});
/** An item of the order and an available variant of its product that costs more than `margin` extra. */
function upgradeBeyond(orderId: string, margin: number): { item: Order['items'][number]; variant: Variant } {
  for (const item of sourceOrder(orderId).items) {
    const variant = variantsOf(item.product_id).find((candidate) => candidate.available && candidate.price - item.price > margin);
    if (variant) return { item, variant };
  }
  throw new Error(`no upgrade beyond ${margin} in ${orderId}`);
}
/** An available variant of the product other than `itemId`. */
const otherVariant = (productId: string, itemId: string, pick: (variants: Variant[]) => Variant | undefined = (v) => v[0]): Variant =>
  pick(variantsOf(productId).filter((variant) => variant.available && variant.item_id !== itemId)) as Variant;

// Orders used below (τ²'s db.json).
const PENDING_GIFT_CARD = '#W6779827'; // ethan_lopez_6291, paid with gift_card_7219486 (49.0)
const PENDING_CARD = '#W8367380'; // ava_nguyen_6646, paid 1003.22 with credit_card_5683823; also gift_card_1994993 (78.0)
const DELIVERED = '#W3113816'; // emma_santos_9753, paid with credit_card_5869505; also gift_card_6023546 (36.0)
const PROCESSED = '#W2611340';

describe('τ² retail tools: specs', () => {
  it('has τ²’s 16 tools with its argument names', () => {
    const signatures = Object.fromEntries(SUPPORT_TOOLS.map((tool) => [tool.name, tool.parameters.required.join(',')]));
    expect(signatures).toEqual({
      calculate: 'expression',
      cancel_pending_order: 'order_id,reason',
      exchange_delivered_order_items: 'order_id,item_ids,new_item_ids,payment_method_id',
      find_user_id_by_name_zip: 'first_name,last_name,zip',
      find_user_id_by_email: 'email',
      get_order_details: 'order_id',
      get_product_details: 'product_id',
      get_item_details: 'item_id',
      get_user_details: 'user_id',
      list_all_product_types: '',
      modify_pending_order_address: 'order_id,address1,address2,city,state,country,zip',
      modify_pending_order_items: 'order_id,item_ids,new_item_ids,payment_method_id',
      modify_pending_order_payment: 'order_id,payment_method_id',
      modify_user_address: 'user_id,address1,address2,city,state,country,zip',
      return_delivered_order_items: 'order_id,item_ids,payment_method_id',
      transfer_to_human_agents: 'summary',
    });
    const items = SUPPORT_TOOLS.find((tool) => tool.name === 'modify_pending_order_items');
    expect(items?.parameters.properties.item_ids).toMatchObject({ type: 'array', items: { type: 'string' } });
  });

  it('refuses unknown tools and malformed arguments with Python’s texts', async () => {
    await expectError('refund_everything', {}, "Error: Tool 'refund_everything' not found.");
    await expectError(
      'cancel_pending_order',
      { order_id: PENDING_CARD },
      "Error: RetailTools.cancel_pending_order() missing 1 required positional argument: 'reason'",
    );
    await expectError(
      'modify_pending_order_payment',
      {},
      "Error: RetailTools.modify_pending_order_payment() missing 2 required positional arguments: 'order_id' and 'payment_method_id'",
    );
    await expectError(
      'get_order_details',
      { order_id: PROCESSED, verbose: true },
      "Error: RetailTools.get_order_details() got an unexpected keyword argument 'verbose'",
    );
    await expectError('get_order_details', { order_id: 42 }, "Error: argument 'order_id' of get_order_details must be a string");
  });
});

describe('τ² retail tools: reads', () => {
  it('find_user_id_by_email: case- and accent-insensitive; User not found', async () => {
    expect(await result(shared, 'find_user_id_by_email', { email: 'noah.brown7922@example.com' })).toBe('noah_brown_6181');
    expect(await result(shared, 'find_user_id_by_email', { email: ' Noah.Brówn7922@EXAMPLE.com ' })).toBe('noah_brown_6181');
    await expectError('find_user_id_by_email', { email: 'nobody@example.com' }, 'Error: User not found');
  });

  it('find_user_id_by_name_zip: name folded, zip exact; User not found', async () => {
    expect(await result(shared, 'find_user_id_by_name_zip', { first_name: 'NOAH', last_name: 'bröwn', zip: '80279' })).toBe(
      'noah_brown_6181',
    );
    await expectError('find_user_id_by_name_zip', { first_name: 'Noah', last_name: 'Brown', zip: '80278' }, 'Error: User not found');
  });

  it('get_user_details / get_order_details / get_product_details / get_item_details / list_all_product_types: τ²’s exact texts', async () => {
    expect(await result(shared, 'get_user_details', { user_id: 'noah_brown_6181' })).toBe(TAU2_RESULTS['get_user_details noah_brown_6181']);
    expect(await result(shared, 'get_user_details', { user_id: 'ethan_lopez_6291' })).toBe(
      TAU2_RESULTS['get_user_details ethan_lopez_6291'],
    );
    expect(await result(shared, 'get_order_details', { order_id: PROCESSED })).toBe(TAU2_RESULTS['get_order_details #W2611340']);
    // An integer-like product id, whose variants a JS object would reorder: the text keeps τ²'s order.
    expect(await result(shared, 'get_product_details', { product_id: '1656367028' })).toBe(TAU2_RESULTS['get_product_details 1656367028']);
    expect(await result(shared, 'get_item_details', { item_id: '9612497925' })).toBe(TAU2_RESULTS['get_item_details 9612497925']);
    expect(await result(shared, 'list_all_product_types', {})).toBe(TAU2_RESULTS.list_all_product_types);
  });

  it('the lookups’ errors', async () => {
    await expectError('get_user_details', { user_id: 'nobody_1' }, 'Error: User not found');
    await expectError('get_order_details', { order_id: 'W2611340' }, 'Error: Order not found');
    await expectError('get_product_details', { product_id: '9612497925' }, 'Error: Product not found');
    await expectError('get_item_details', { item_id: '9523456873' }, 'Error: Item not found');
    await expectError('get_item_details', { item_id: 'constructor' }, 'Error: Item not found');
  });

  it('calculate: Python’s eval, round(…, 2) and str()', async () => {
    expect(await result(shared, 'calculate', { expression: '3131.1 + 4777.75 + 367.38' })).toBe('8276.23');
    expect(await result(shared, 'calculate', { expression: '155.33 - 147.05 + 268.77 - 235.13' })).toBe('41.92');
    expect(await result(shared, 'calculate', { expression: '2 + 2' })).toBe('4.0');
    expect(await result(shared, 'calculate', { expression: '0.125 + 0' })).toBe('0.12');
    expect(await result(shared, 'calculate', { expression: '-2 ** 2 + 7 // 2' })).toBe('-1.0');
    expect(await result(shared, 'calculate', { expression: ' (1 + 2) / 3' })).toBe('1.0');
    await expectError('calculate', { expression: '2 ^ 3' }, 'Error: Invalid characters in expression');
    await expectError('calculate', { expression: '1 / 0' }, 'Error: division by zero');
    await expectError('calculate', { expression: '1.5 / 0' }, 'Error: float division by zero');
    await expectError('calculate', { expression: '(1 + 2' }, "Error: '(' was never closed (<string>, line 1)");
    await expectError('calculate', { expression: '1 +' }, 'Error: invalid syntax (<string>, line 1)');
  });

  it('transfer_to_human_agents: "Transfer successful", store untouched', async () => {
    expect(await run(shared, 'transfer_to_human_agents', { summary: 'wants a person' })).toEqual({
      ok: true,
      result: 'Transfer successful',
    });
  });
});

describe('τ² retail tools: pending orders', () => {
  it('cancel_pending_order: refund row per payment row, gift card credited at once, rounded', async () => {
    const store = await stores.fresh();
    const source = sourceOrder(PENDING_GIFT_CARD);
    const paid = source.payment_history[0]?.amount as number;
    const order = JSON.parse(await result(store, 'cancel_pending_order', { order_id: PENDING_GIFT_CARD, reason: 'ordered by mistake' }));
    expect(order.status).toBe('cancelled');
    expect(order.cancel_reason).toBe('ordered by mistake');
    expect(order.payment_history).toEqual([
      ...source.payment_history,
      { transaction_type: 'refund', amount: paid, payment_method_id: 'gift_card_7219486' },
    ]);
    const card = (await store.getUser('ethan_lopez_6291'))?.payment_methods.gift_card_7219486 as GiftCard;
    expect(card.balance).toBe(pyRound(balanceOf('ethan_lopez_6291', 'gift_card_7219486') + paid, 2));
    expect((await store.getOrder(PENDING_GIFT_CARD))?.status).toBe('cancelled');
  });

  it('cancel_pending_order: errors', async () => {
    await expectError('cancel_pending_order', { order_id: '#W0000000', reason: 'no longer needed' }, 'Error: Order not found');
    await expectError(
      'cancel_pending_order',
      { order_id: PROCESSED, reason: 'no longer needed' },
      'Error: Non-pending order cannot be cancelled',
    );
    await expectError('cancel_pending_order', { order_id: PENDING_CARD, reason: 'too expensive' }, 'Error: Invalid reason');
  });

  it('modify_pending_order_address: also on "pending (item modified)"; errors', async () => {
    const store = await stores.fresh();
    const address = { address1: '1 Main St', address2: '', city: 'Austin', state: 'TX', country: 'USA', zip: '78701' };
    const order = JSON.parse(await result(store, 'modify_pending_order_address', { order_id: PENDING_CARD, ...address }));
    expect(order.address).toEqual({ address1: '1 Main St', address2: '', city: 'Austin', country: 'USA', state: 'TX', zip: '78701' });
    expect(Object.keys((await store.getOrder(PENDING_CARD))?.address ?? {})).toEqual([
      'address1',
      'address2',
      'city',
      'country',
      'state',
      'zip',
    ]);
    await expectError('modify_pending_order_address', { order_id: PROCESSED, ...address }, 'Error: Non-pending order cannot be modified');
    await expectError('modify_pending_order_address', { order_id: '#W1', ...address }, 'Error: Order not found');
  });

  it('modify_pending_order_items: payment row with the unrounded difference, status "pending (item modified)", and τ²’s price quirk', async () => {
    const store = await stores.fresh();
    const source = sourceOrder(PENDING_CARD);
    const [first, second] = source.items as [Order['items'][number], Order['items'][number]];
    const firstNew = otherVariant(first.product_id, first.item_id);
    const secondNew = otherVariant(second.product_id, second.item_id);
    const difference = firstNew.price - first.price + (secondNew.price - second.price);
    const order = JSON.parse(
      await result(store, 'modify_pending_order_items', {
        order_id: PENDING_CARD,
        item_ids: [first.item_id, second.item_id],
        new_item_ids: [firstNew.item_id, secondNew.item_id],
        payment_method_id: 'credit_card_5683823',
      }),
    ) as Order;
    expect(order.status).toBe('pending (item modified)');
    expect(order.payment_history.at(-1)).toEqual({
      transaction_type: difference > 0 ? 'payment' : 'refund',
      amount: Math.abs(difference),
      payment_method_id: 'credit_card_5683823',
    });
    // Both changed items carry the LAST new variant's price and options (τ² reuses the loop's last variant).
    expect(order.items[0]).toMatchObject({
      item_id: firstNew.item_id,
      price: secondNew.price,
      options: secondNew.options,
      product_id: first.product_id,
    });
    expect(order.items[1]).toMatchObject({ item_id: secondNew.item_id, price: secondNew.price, options: secondNew.options });
    expect(order.items[2]).toEqual(source.items[2]);
    // Only once: the status is no longer "pending".
    await expectError(
      'modify_pending_order_items',
      { order_id: PENDING_CARD, item_ids: [firstNew.item_id], new_item_ids: [first.item_id], payment_method_id: 'credit_card_5683823' },
      'Error: Non-pending order cannot be modified',
      store,
    );
  });

  it('modify_pending_order_items: gift card pays the difference, balance rounded', async () => {
    const store = await stores.fresh();
    const item = sourceOrder(PENDING_CARD).items[0] as Order['items'][number];
    const cheaper = otherVariant(item.product_id, item.item_id, (variants) => variants.find((variant) => variant.price < item.price));
    const order = JSON.parse(
      await result(store, 'modify_pending_order_items', {
        order_id: PENDING_CARD,
        item_ids: [item.item_id],
        new_item_ids: [cheaper.item_id],
        payment_method_id: 'gift_card_1994993',
      }),
    ) as Order;
    expect(order.payment_history.at(-1)?.transaction_type).toBe('refund');
    const card = (await store.getUser('ava_nguyen_6646'))?.payment_methods.gift_card_1994993 as GiftCard;
    expect(card.balance).toBe(pyRound(78 - (cheaper.price - item.price), 2));
  });

  it('modify_pending_order_items: errors', async () => {
    const item = sourceOrder(PENDING_CARD).items[0] as Order['items'][number];
    const pricier = otherVariant(item.product_id, item.item_id);
    const unavailable = variantsOf(item.product_id).find((variant) => !variant.available);
    const base = { order_id: PENDING_CARD, payment_method_id: 'credit_card_5683823' };
    await expectError('modify_pending_order_items', { ...base, item_ids: ['123'], new_item_ids: ['456'] }, 'Error: 123 not found');
    await expectError(
      'modify_pending_order_items',
      { ...base, item_ids: [item.item_id, item.item_id], new_item_ids: [pricier.item_id, pricier.item_id] },
      `Error: ${item.item_id} not found`,
    );
    await expectError(
      'modify_pending_order_items',
      { ...base, item_ids: [item.item_id], new_item_ids: [] },
      'Error: The number of items to be exchanged should match',
    );
    await expectError(
      'modify_pending_order_items',
      { ...base, item_ids: [item.item_id], new_item_ids: [item.item_id] },
      'Error: The new item id should be different from the old item id',
    );
    await expectError(
      'modify_pending_order_items',
      { ...base, item_ids: [item.item_id], new_item_ids: ['9612497925'] },
      'Error: Variant not found',
    );
    if (unavailable) {
      await expectError(
        'modify_pending_order_items',
        { ...base, item_ids: [item.item_id], new_item_ids: [unavailable.item_id] },
        `Error: New item ${unavailable.item_id} not found or available`,
      );
    }
    await expectError(
      'modify_pending_order_items',
      { ...base, item_ids: [item.item_id], new_item_ids: [pricier.item_id], payment_method_id: 'paypal_1' },
      'Error: Payment method not found',
    );
    const upgrade = upgradeBeyond(PENDING_GIFT_CARD, 49);
    await expectError(
      'modify_pending_order_items',
      {
        order_id: PENDING_GIFT_CARD,
        item_ids: [upgrade.item.item_id],
        new_item_ids: [upgrade.variant.item_id],
        payment_method_id: 'gift_card_7219486',
      },
      'Error: Insufficient gift card balance to pay for the new item',
    );
    await expectError(
      'modify_pending_order_items',
      { ...base, order_id: PROCESSED, item_ids: [], new_item_ids: [] },
      'Error: Non-pending order cannot be modified',
    );
  });

  it('modify_pending_order_payment: payment then refund rows, both gift cards settled at once', async () => {
    const store = await stores.fresh();
    const paid = sourceOrder(PENDING_GIFT_CARD).payment_history[0]?.amount as number;
    const order = JSON.parse(
      await result(store, 'modify_pending_order_payment', { order_id: PENDING_GIFT_CARD, payment_method_id: 'credit_card_9789590' }),
    ) as Order;
    expect(order.status).toBe('pending');
    expect(order.payment_history.slice(1)).toEqual([
      { transaction_type: 'payment', amount: paid, payment_method_id: 'credit_card_9789590' },
      { transaction_type: 'refund', amount: paid, payment_method_id: 'gift_card_7219486' },
    ]);
    const card = (await store.getUser('ethan_lopez_6291'))?.payment_methods.gift_card_7219486 as GiftCard;
    expect(card.balance).toBe(pyRound(49 + paid, 2));
    // Now two more rows: a second change is refused.
    await expectError(
      'modify_pending_order_payment',
      { order_id: PENDING_GIFT_CARD, payment_method_id: 'gift_card_7219486' },
      'Error: There should be exactly one payment for a pending order',
      store,
    );
  });

  it('modify_pending_order_payment: errors', async () => {
    await expectError(
      'modify_pending_order_payment',
      { order_id: PROCESSED, payment_method_id: 'x' },
      'Error: Non-pending order cannot be modified',
    );
    await expectError(
      'modify_pending_order_payment',
      { order_id: PENDING_CARD, payment_method_id: 'paypal_0' },
      'Error: Payment method not found',
    );
    await expectError(
      'modify_pending_order_payment',
      { order_id: PENDING_CARD, payment_method_id: 'credit_card_5683823' },
      'Error: The new payment method should be different from the current one',
    );
    await expectError(
      'modify_pending_order_payment',
      { order_id: PENDING_CARD, payment_method_id: 'gift_card_1994993' },
      'Error: Insufficient gift card balance to pay for the order',
    );
  });
});

describe('τ² retail tools: delivered orders and the profile', () => {
  it('return_delivered_order_items: sorted items, "return requested", no money moves yet', async () => {
    const store = await stores.fresh();
    const items = sourceOrder(DELIVERED).items.map((item) => item.item_id);
    const picked = [items[3] as string, items[0] as string];
    const order = JSON.parse(
      await result(store, 'return_delivered_order_items', {
        order_id: DELIVERED,
        item_ids: picked,
        payment_method_id: 'gift_card_6023546',
      }),
    ) as Order;
    expect(order.status).toBe('return requested');
    expect(order.return_items).toEqual([...picked].sort());
    expect(order.return_payment_method_id).toBe('gift_card_6023546');
    expect(order.payment_history).toEqual(sourceOrder(DELIVERED).payment_history);
    expect((await store.getUser('emma_santos_9753'))?.payment_methods.gift_card_6023546).toEqual(
      SOURCE.users.emma_santos_9753?.payment_methods.gift_card_6023546,
    );
  });

  it('return_delivered_order_items: errors', async () => {
    const item = sourceOrder(DELIVERED).items[0]?.item_id as string;
    await expectError(
      'return_delivered_order_items',
      { order_id: PENDING_CARD, item_ids: [item], payment_method_id: 'credit_card_5683823' },
      'Error: Non-delivered order cannot be returned',
    );
    await expectError(
      'return_delivered_order_items',
      { order_id: DELIVERED, item_ids: [item], payment_method_id: 'paypal_9' },
      'Error: Payment method not found',
    );
    await expectError(
      'return_delivered_order_items',
      { order_id: DELIVERED, item_ids: [item, item], payment_method_id: 'credit_card_5869505' },
      'Error: Some item not found',
    );
  });

  it('exchange_delivered_order_items: rounded difference, sorted lists, "exchange requested"', async () => {
    const store = await stores.fresh();
    const [first, second] = sourceOrder(DELIVERED).items as [Order['items'][number], Order['items'][number]];
    const firstNew = otherVariant(first.product_id, first.item_id);
    const secondNew = otherVariant(second.product_id, second.item_id);
    const order = JSON.parse(
      await result(store, 'exchange_delivered_order_items', {
        order_id: DELIVERED,
        item_ids: [second.item_id, first.item_id],
        new_item_ids: [secondNew.item_id, firstNew.item_id],
        payment_method_id: 'credit_card_5869505',
      }),
    ) as Order;
    expect(order.status).toBe('exchange requested');
    expect(order.exchange_items).toEqual([first.item_id, second.item_id].sort());
    expect(order.exchange_new_items).toEqual([firstNew.item_id, secondNew.item_id].sort());
    expect(order.exchange_payment_method_id).toBe('credit_card_5869505');
    expect(order.exchange_price_difference).toBe(pyRound(secondNew.price - second.price + (firstNew.price - first.price), 2));
    expect(order.items).toEqual(sourceOrder(DELIVERED).items);
  });

  it('exchange_delivered_order_items: errors', async () => {
    const { item, variant: pricier } = upgradeBeyond(DELIVERED, 36);
    const base = { order_id: DELIVERED, payment_method_id: 'credit_card_5869505' };
    await expectError(
      'exchange_delivered_order_items',
      { ...base, order_id: PENDING_CARD, item_ids: [], new_item_ids: [] },
      'Error: Non-delivered order cannot be exchanged',
    );
    await expectError('exchange_delivered_order_items', { ...base, item_ids: ['1'], new_item_ids: ['2'] }, 'Error: Number of 1 not found.');
    await expectError(
      'exchange_delivered_order_items',
      { ...base, item_ids: [item.item_id], new_item_ids: [] },
      'Error: The number of items to be exchanged should match.',
    );
    await expectError(
      'exchange_delivered_order_items',
      { ...base, item_ids: [item.item_id], new_item_ids: ['nope'] },
      'Error: Variant not found',
    );
    await expectError(
      'exchange_delivered_order_items',
      { ...base, item_ids: [item.item_id], new_item_ids: [pricier.item_id], payment_method_id: 'gift_card_6023546' },
      'Error: Insufficient gift card balance to pay for the price difference',
    );
  });

  it('modify_user_address: returns the user; User not found', async () => {
    const store = await stores.fresh();
    const address = { address1: '9 Elm St', address2: 'Apt 2', city: 'Denver', state: 'CO', country: 'USA', zip: '80202' };
    const text = await result(store, 'modify_user_address', { user_id: 'noah_brown_6181', ...address });
    expect(text).toBe(
      TAU2_RESULTS['get_user_details noah_brown_6181']?.replace(
        '"address": {"address1": "986 Sunset Drive", "address2": "Suite 259", "city": "Denver", "country": "USA", "state": "CO", "zip": "80279"}',
        '"address": {"address1": "9 Elm St", "address2": "Apt 2", "city": "Denver", "country": "USA", "state": "CO", "zip": "80202"}',
      ),
    );
    expect(await result(store, 'get_user_details', { user_id: 'noah_brown_6181' })).toBe(text);
    await expectError('modify_user_address', { user_id: 'nobody', ...address }, 'Error: User not found');
  });
});
