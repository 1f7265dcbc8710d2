import type { CancelReason, OrderPayment, User, Variant } from '../model.js';
import { pyDumps } from '../python/json.js';
import { pyRound } from '../python/numbers.js';
import { orderDump } from '../render.js';
import { ADDRESS_PARAMETERS, addressFrom, ORDER_ID, PAYMENT_METHOD_ID } from './params.js';
import { countOf, orderOrFail, paymentMethodOrFail, userOrFail, variantOf } from './store-rules.js';
import { defineTool, ToolError } from './tool.js';

/** τ²'s writes on pending orders: cancel, and modify address, items or payment. Each is one transaction. */

const CANCEL_REASONS: ReadonlySet<string> = new Set<CancelReason>(['no longer needed', 'ordered by mistake']);

/** τ²'s `_is_pending_order`: any status containing "pending", so also "pending (item modified)". */
const isPendingLike = (status: string): boolean => status.includes('pending');

export const cancelPendingOrder = defineTool({
  name: 'cancel_pending_order',
  kind: 'write',
  description:
    "Cancel a pending order. If the order is already processed or delivered, it cannot be cancelled. The agent needs to explain the cancellation detail and ask for explicit user confirmation (yes/no) to proceed. If the user confirms, the order status will be changed to 'cancelled' and the payment will be refunded. The refund will be added to the user's gift card balance immediately if the payment was made using a gift card, otherwise the refund would take 5-7 business days to process. The function returns the order details after the cancellation.",
  parameters: [
    ORDER_ID,
    {
      name: 'reason',
      type: 'string',
      description: "The reason for cancellation, which should be either 'no longer needed' or 'ordered by mistake'.",
    },
  ],
  run: (store, { order_id, reason }) =>
    store.write(async (tx) => {
      const order = orderOrFail(await tx.lockOrder(order_id));
      if (order.status !== 'pending') throw new ToolError('Non-pending order cannot be cancelled');
      if (!CANCEL_REASONS.has(reason)) throw new ToolError('Invalid reason');
      // One refund row per row of the history, whatever its type (τ² does not look at transaction_type).
      const refunds: OrderPayment[] = [];
      let user: User | undefined;
      let userChanged = false;
      for (const payment of order.payment_history) {
        refunds.push({ transaction_type: 'refund', amount: payment.amount, payment_method_id: payment.payment_method_id });
        user ??= userOrFail(await tx.lockUser(order.user_id));
        const method = paymentMethodOrFail(user, payment.payment_method_id);
        if (method.source === 'gift_card') {
          method.balance = pyRound(method.balance + payment.amount, 2);
          userChanged = true;
        }
      }
      order.status = 'cancelled';
      order.cancel_reason = reason as CancelReason;
      order.payment_history.push(...refunds);
      await tx.saveOrder(order);
      if (user && userChanged) await tx.saveUser(user);
      return pyDumps(orderDump(order));
    }),
});

export const modifyPendingOrderAddress = defineTool({
  name: 'modify_pending_order_address',
  kind: 'write',
  description:
    'Modify the shipping address of a pending order. The agent needs to explain the modification detail and ask for explicit user confirmation (yes/no) to proceed.',
  parameters: [ORDER_ID, ...ADDRESS_PARAMETERS],
  run: (store, args) =>
    store.write(async (tx) => {
      const order = orderOrFail(await tx.lockOrder(args.order_id));
      if (!isPendingLike(order.status)) throw new ToolError('Non-pending order cannot be modified');
      order.address = addressFrom(args);
      await tx.saveOrder(order);
      return pyDumps(orderDump(order));
    }),
});

export const modifyPendingOrderItems = defineTool({
  name: 'modify_pending_order_items',
  kind: 'write',
  description:
    'Modify items in a pending order to new items of the same product type. For a pending order, this function can only be called once. The agent needs to explain the exchange detail and ask for explicit user confirmation (yes/no) to proceed.',
  parameters: [
    ORDER_ID,
    {
      name: 'item_ids',
      type: 'string[]',
      description: "The item ids to be modified, each such as '1008292230'. There could be duplicate items in the list.",
    },
    {
      name: 'new_item_ids',
      type: 'string[]',
      description:
        "The item ids to be modified for, each such as '1008292230'. There could be duplicate items in the list. Each new item id should match the item id in the same position and be of the same product.",
    },
    PAYMENT_METHOD_ID,
  ],
  run: (store, { order_id, item_ids, new_item_ids, payment_method_id }) =>
    store.write(async (tx) => {
      const order = orderOrFail(await tx.lockOrder(order_id));
      if (order.status !== 'pending') throw new ToolError('Non-pending order cannot be modified');
      const orderItemIds = order.items.map((item) => item.item_id);
      for (const itemId of item_ids) {
        if (countOf(item_ids, itemId) > countOf(orderItemIds, itemId)) throw new ToolError(`${itemId} not found`);
      }
      if (item_ids.length !== new_item_ids.length) throw new ToolError('The number of items to be exchanged should match');

      let priceDifference = 0;
      let variant: Variant | undefined;
      for (const [index, itemId] of item_ids.entries()) {
        const newItemId = new_item_ids[index] as string;
        if (itemId === newItemId) throw new ToolError('The new item id should be different from the old item id');
        const item = order.items.find((candidate) => candidate.item_id === itemId);
        if (!item) throw new ToolError(`Item ${itemId} not found`);
        variant = await variantOf(tx, item.product_id, newItemId);
        if (!variant.available) throw new ToolError(`New item ${newItemId} not found or available`);
        priceDifference += variant.price - item.price;
      }

      const user = userOrFail(await tx.lockUser(order.user_id));
      const method = paymentMethodOrFail(user, payment_method_id);
      if (method.source === 'gift_card' && method.balance < priceDifference) {
        throw new ToolError('Insufficient gift card balance to pay for the new item');
      }
      // Unrounded, and a zero difference is recorded as a refund: both as τ² does.
      order.payment_history.push({
        transaction_type: priceDifference > 0 ? 'payment' : 'refund',
        amount: Math.abs(priceDifference),
        payment_method_id,
      });
      if (method.source === 'gift_card') {
        method.balance = pyRound(method.balance - priceDifference, 2);
        await tx.saveUser(user);
      }
      // τ²'s quirk: every changed item takes the price and options of the LAST new variant checked above.
      for (const [index, itemId] of item_ids.entries()) {
        const item = order.items.find((candidate) => candidate.item_id === itemId);
        if (!item || !variant) throw new ToolError(`Item ${itemId} not found`);
        item.item_id = new_item_ids[index] as string;
        item.price = variant.price;
        item.options = structuredClone(variant.options);
      }
      order.status = 'pending (item modified)';
      await tx.saveOrder(order);
      return pyDumps(orderDump(order));
    }),
});

export const modifyPendingOrderPayment = defineTool({
  name: 'modify_pending_order_payment',
  kind: 'write',
  description:
    'Modify the payment method of a pending order. The agent needs to explain the modification detail and ask for explicit user confirmation (yes/no) to proceed.',
  parameters: [ORDER_ID, PAYMENT_METHOD_ID],
  run: (store, { order_id, payment_method_id }) =>
    store.write(async (tx) => {
      const order = orderOrFail(await tx.lockOrder(order_id));
      if (!isPendingLike(order.status)) throw new ToolError('Non-pending order cannot be modified');
      const user = userOrFail(await tx.lockUser(order.user_id));
      const method = paymentMethodOrFail(user, payment_method_id);
      const original = order.payment_history[0];
      if (order.payment_history.length !== 1 || !original || original.transaction_type !== 'payment') {
        throw new ToolError('There should be exactly one payment for a pending order');
      }
      if (original.payment_method_id === payment_method_id) {
        throw new ToolError('The new payment method should be different from the current one');
      }
      const amount = original.amount;
      if (method.source === 'gift_card' && method.balance < amount)
        throw new ToolError('Insufficient gift card balance to pay for the order');
      order.payment_history.push(
        { transaction_type: 'payment', amount, payment_method_id },
        { transaction_type: 'refund', amount, payment_method_id: original.payment_method_id },
      );
      let userChanged = false;
      if (method.source === 'gift_card') {
        method.balance = pyRound(method.balance - amount, 2);
        userChanged = true;
      }
      const originalMethod = paymentMethodOrFail(user, original.payment_method_id);
      if (originalMethod.source === 'gift_card') {
        originalMethod.balance = pyRound(originalMethod.balance + amount, 2);
        userChanged = true;
      }
      await tx.saveOrder(order);
      if (userChanged) await tx.saveUser(user);
      return pyDumps(orderDump(order));
    }),
});
