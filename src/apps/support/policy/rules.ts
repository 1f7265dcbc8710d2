import type { Order, PaymentMethod, User } from '../model.js';
import { pyRound } from '../python/numbers.js';
import type { StoreAccess } from '../store/store-access.js';
import { type ConfirmationNeed, isConfirmed } from './confirmation.js';
import type { Conversation } from './conversation.js';

/**
 * The retail policy as deterministic checks, run before a write reaches τ²'s tool. Each refusal names
 * its rule; a call the policy lets through may still fail in the tool (an unknown order, say), with
 * τ²'s error and no change.
 */
export const POLICY_RULES = {
  authenticated: 'the customer must have been identified (find_user_id_by_email or find_user_id_by_name_zip) in this conversation',
  'own-records': "a write may only touch the identified customer's own profile, orders and payment methods",
  'order-pending': "only a 'pending' order can be cancelled or modified",
  'order-delivered': "only a 'delivered' order can be returned or exchanged",
  'once-per-order': 'items of an order can be modified, or a delivered order returned or exchanged, only once',
  'gift-card-balance': 'a gift card must cover what it pays',
  confirmed: "the agent's last message stated the action and its details, and the customer's reply is an explicit yes",
} as const;

export type PolicyRuleName = keyof typeof POLICY_RULES;

export interface PolicyRefusal {
  rule: PolicyRuleName;
  /** `Refused by policy rule "<rule>": <why>`, what the model reads as the tool's error. */
  message: string;
}

export const WRITE_TOOLS = [
  'cancel_pending_order',
  'modify_pending_order_address',
  'modify_pending_order_items',
  'modify_pending_order_payment',
  'modify_user_address',
  'return_delivered_order_items',
  'exchange_delivered_order_items',
] as const;

export type WriteToolName = (typeof WRITE_TOOLS)[number];

export const isWriteTool = (name: string): name is WriteToolName => (WRITE_TOOLS as readonly string[]).includes(name);

const refuse = (rule: PolicyRuleName, why: string): PolicyRefusal => ({ rule, message: `Refused by policy rule "${rule}": ${why}` });

const ACTION_WORDS: Record<WriteToolName, RegExp> = {
  cancel_pending_order: /cancel/,
  modify_pending_order_address: /address|ship/,
  modify_pending_order_items: /modif|change|exchang|swap|replac|switch|updat/,
  modify_pending_order_payment: /pay|card|paypal/,
  modify_user_address: /address/,
  return_delivered_order_items: /return|refund/,
  exchange_delivered_order_items: /exchang|swap|replac|switch/,
};

const text = (value: unknown): string => (typeof value === 'string' ? value : '');
const strings = (value: unknown): string[] =>
  Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];

const methodOf = (user: User | undefined, id: string): PaymentMethod | undefined =>
  user && Object.hasOwn(user.payment_methods, id) ? user.payment_methods[id] : undefined;

/**
 * The price difference τ² would charge for changing `itemIds` into `newItemIds`, or undefined when the
 * tool will fail on its own (unknown item or variant, mismatched lists).
 */
async function priceDifference(store: StoreAccess, order: Order, itemIds: string[], newItemIds: string[]): Promise<number | undefined> {
  if (itemIds.length !== newItemIds.length) return undefined;
  let difference = 0;
  for (const [index, itemId] of itemIds.entries()) {
    const item = order.items.find((candidate) => candidate.item_id === itemId);
    if (!item) return undefined;
    const record = await store.getProduct(item.product_id);
    const newItemId = newItemIds[index] as string;
    if (!record || !Object.hasOwn(record.product.variants, newItemId)) return undefined;
    difference += (record.product.variants[newItemId]?.price ?? 0) - item.price;
  }
  return difference;
}

/** The first rule `name(args)` breaks in this conversation, or null when the policy allows the call. */
export async function checkWritePolicy(
  name: WriteToolName,
  args: Record<string, unknown>,
  context: { store: StoreAccess; conversation: Conversation },
): Promise<PolicyRefusal | null> {
  const { store, conversation } = context;
  const customer = conversation.identifiedUserId;
  if (!customer) return refuse('authenticated', `identify the customer by email, or by name and zip code, before ${name}.`);
  const user = await store.getUser(customer);

  if (name === 'modify_user_address') {
    if (text(args.user_id) !== customer)
      return refuse('own-records', `user ${text(args.user_id)} is not the customer identified in this conversation.`);
    return confirmation(name, conversation, { actionWords: ACTION_WORDS[name], identifiers: [text(args.zip)].filter(Boolean) });
  }

  const orderId = text(args.order_id);
  const order = await store.getOrder(orderId);
  // An unknown order is the tool's to report ("Order not found"); nothing can change.
  if (!order) return null;
  if (order.user_id !== customer)
    return refuse('own-records', `order ${orderId} does not belong to the customer identified in this conversation.`);
  const paymentMethodId = text(args.payment_method_id);
  if ('payment_method_id' in args && !methodOf(user, paymentMethodId)) {
    return refuse('own-records', `payment method ${paymentMethodId} is not one of the identified customer's payment methods.`);
  }

  const status = order.status;
  switch (name) {
    case 'cancel_pending_order':
    case 'modify_pending_order_address':
    case 'modify_pending_order_payment':
    case 'modify_pending_order_items': {
      const tauError = name === 'cancel_pending_order' ? 'Non-pending order cannot be cancelled' : 'Non-pending order cannot be modified';
      if (status === 'pending (item modified)') {
        return refuse(
          'once-per-order',
          `${tauError}: the items of order ${orderId} were already modified, after which it can no longer be modified or cancelled.`,
        );
      }
      if (status !== 'pending') return refuse('order-pending', `${tauError} (order ${orderId} is '${status}').`);
      break;
    }
    case 'return_delivered_order_items':
    case 'exchange_delivered_order_items': {
      const tauError =
        name === 'return_delivered_order_items' ? 'Non-delivered order cannot be returned' : 'Non-delivered order cannot be exchanged';
      if (status === 'return requested' || status === 'exchange requested') {
        return refuse(
          'once-per-order',
          `${tauError}: a ${status.split(' ')[0]} was already requested for order ${orderId}; a delivered order is returned or exchanged once.`,
        );
      }
      if (status !== 'delivered') return refuse('order-delivered', `${tauError} (order ${orderId} is '${status}').`);
      break;
    }
  }

  const method = methodOf(user, paymentMethodId);
  if (method?.source === 'gift_card') {
    let cost: number | undefined;
    let tauError = '';
    if (name === 'modify_pending_order_payment') {
      cost = order.payment_history.length === 1 ? order.payment_history[0]?.amount : undefined;
      tauError = 'Insufficient gift card balance to pay for the order';
    } else if (name === 'modify_pending_order_items') {
      cost = await priceDifference(store, order, strings(args.item_ids), strings(args.new_item_ids));
      tauError = 'Insufficient gift card balance to pay for the new item';
    } else if (name === 'exchange_delivered_order_items') {
      const difference = await priceDifference(store, order, strings(args.item_ids), strings(args.new_item_ids));
      cost = difference === undefined ? undefined : pyRound(difference, 2);
      tauError = 'Insufficient gift card balance to pay for the price difference';
    }
    if (cost !== undefined && method.balance < cost) {
      return refuse('gift-card-balance', `${tauError}: gift card ${paymentMethodId} holds ${method.balance}, ${cost} is needed.`);
    }
  }

  return confirmation(name, conversation, { actionWords: ACTION_WORDS[name], identifiers: [orderId] });
}

function confirmation(name: WriteToolName, conversation: Conversation, need: ConfirmationNeed): PolicyRefusal | null {
  if (isConfirmed(conversation, need)) return null;
  const details = need.identifiers.length > 0 ? ` (${need.identifiers.join(', ')})` : '';
  return refuse(
    'confirmed',
    `before ${name}, tell the customer exactly what will be done${details} and ask them to confirm; their reply must be an explicit yes.`,
  );
}
