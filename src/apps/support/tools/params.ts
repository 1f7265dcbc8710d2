import type { ParameterSpec } from './tool.js';

/** Parameter descriptions shared by several tools, worded after τ²'s docstrings. */

export const ORDER_ID = {
  name: 'order_id',
  type: 'string',
  description: "The order id, such as '#W0000000'. Be careful there is a '#' symbol at the beginning of the order id.",
} as const satisfies ParameterSpec;

export const USER_ID = {
  name: 'user_id',
  type: 'string',
  description: "The user id, such as 'sara_doe_496'.",
} as const satisfies ParameterSpec;

export const PAYMENT_METHOD_ID = {
  name: 'payment_method_id',
  type: 'string',
  description:
    "The payment method id to pay or receive refund for the item price difference, such as 'gift_card_0000000' or 'credit_card_0000000'. These can be looked up from the user or order details.",
} as const satisfies ParameterSpec;

export const ADDRESS_PARAMETERS = [
  { name: 'address1', type: 'string', description: "The first line of the address, such as '123 Main St'." },
  { name: 'address2', type: 'string', description: "The second line of the address, such as 'Apt 1' or ''." },
  { name: 'city', type: 'string', description: "The city, such as 'San Francisco'." },
  { name: 'state', type: 'string', description: "The state, such as 'CA'." },
  { name: 'country', type: 'string', description: "The country, such as 'USA'." },
  { name: 'zip', type: 'string', description: "The zip code, such as '12345'." },
] as const satisfies readonly ParameterSpec[];

/** An address in the order of τ²'s `UserAddress` fields. */
export function addressFrom(args: { address1: string; address2: string; city: string; state: string; country: string; zip: string }) {
  return { address1: args.address1, address2: args.address2, city: args.city, country: args.country, state: args.state, zip: args.zip };
}
