import { pyDumps } from '../python/json.js';
import { pyRound } from '../python/numbers.js';
import { orderDump } from '../render.js';
import { ORDER_ID, PAYMENT_METHOD_ID } from './params.js';
import { countOf, orderOrFail, paymentMethodOrFail, sortedStrings, userOrFail, variantOf } from './store-rules.js';
import { defineTool, ToolError } from './tool.js';

/** τ²'s writes on delivered orders: request a return or an exchange. Neither moves money yet. */

export const returnDeliveredOrderItems = defineTool({
  name: 'return_delivered_order_items',
  kind: 'write',
  description:
    "Return some items of a delivered order. The order status will be changed to 'return requested'. The agent needs to explain the return detail and ask for explicit user confirmation (yes/no) to proceed. The user will receive follow-up email for how and where to return the item.",
  parameters: [
    ORDER_ID,
    {
      name: 'item_ids',
      type: 'string[]',
      description: "The item ids to be returned, each such as '1008292230'. There could be duplicate items in the list.",
    },
    PAYMENT_METHOD_ID,
  ],
  run: (store, { order_id, item_ids, payment_method_id }) =>
    store.write(async (tx) => {
      const order = orderOrFail(await tx.lockOrder(order_id));
      if (order.status !== 'delivered') throw new ToolError('Non-delivered order cannot be returned');
      const user = userOrFail(await tx.lockUser(order.user_id));
      const method = paymentMethodOrFail(user, payment_method_id);
      const original = order.payment_history[0];
      if (!original) throw new ToolError('list index out of range');
      if (method.source !== 'gift_card' && payment_method_id !== original.payment_method_id) {
        throw new ToolError('Payment method should be the original payment method');
      }
      const orderItemIds = order.items.map((item) => item.item_id);
      for (const itemId of item_ids) {
        if (countOf(item_ids, itemId) > countOf(orderItemIds, itemId)) throw new ToolError('Some item not found');
      }
      order.status = 'return requested';
      order.return_items = sortedStrings(item_ids);
      order.return_payment_method_id = payment_method_id;
      await tx.saveOrder(order);
      return pyDumps(orderDump(order));
    }),
});

export const exchangeDeliveredOrderItems = defineTool({
  name: 'exchange_delivered_order_items',
  kind: 'write',
  description:
    'Exchange items in a delivered order to new items of the same product type. For a delivered order, return or exchange can be only done once by the agent. The agent needs to explain the exchange detail and ask for explicit user confirmation (yes/no) to proceed.',
  parameters: [
    ORDER_ID,
    {
      name: 'item_ids',
      type: 'string[]',
      description: "The item ids to be exchanged, each such as '1008292230'. There could be duplicate items in the list.",
    },
    {
      name: 'new_item_ids',
      type: 'string[]',
      description:
        "The item ids to be exchanged for, each such as '1008292230'. There could be duplicate items in the list. Each new item id should match the item id in the same position and be of the same product.",
    },
    PAYMENT_METHOD_ID,
  ],
  run: (store, { order_id, item_ids, new_item_ids, payment_method_id }) =>
    store.write(async (tx) => {
      const order = orderOrFail(await tx.lockOrder(order_id));
      if (order.status !== 'delivered') throw new ToolError('Non-delivered order cannot be exchanged');
      const orderItemIds = order.items.map((item) => item.item_id);
      for (const itemId of item_ids) {
        if (countOf(item_ids, itemId) > countOf(orderItemIds, itemId)) throw new ToolError(`Number of ${itemId} not found.`);
      }
      if (item_ids.length !== new_item_ids.length) throw new ToolError('The number of items to be exchanged should match.');
      let priceDifference = 0;
      for (const [index, itemId] of item_ids.entries()) {
        const newItemId = new_item_ids[index] as string;
        const item = order.items.find((candidate) => candidate.item_id === itemId);
        if (!item) throw new ToolError(`Item ${itemId} not found`);
        const variant = await variantOf(tx, item.product_id, newItemId);
        if (!variant.available) throw new ToolError(`New item ${newItemId} not found or available`);
        priceDifference += variant.price - item.price;
      }
      priceDifference = pyRound(priceDifference, 2);
      const user = userOrFail(await tx.lockUser(order.user_id));
      const method = paymentMethodOrFail(user, payment_method_id);
      if (method.source === 'gift_card' && method.balance < priceDifference) {
        throw new ToolError('Insufficient gift card balance to pay for the price difference');
      }
      order.status = 'exchange requested';
      order.exchange_items = sortedStrings(item_ids);
      order.exchange_new_items = sortedStrings(new_item_ids);
      order.exchange_payment_method_id = payment_method_id;
      order.exchange_price_difference = priceDifference;
      await tx.saveOrder(order);
      return pyDumps(orderDump(order));
    }),
});
