/**
 * The τ²-bench retail data model (users, orders, products), as its `db.json` and its tools shape them.
 * Every number is a Python float there (prices, balances, amounts).
 */

export interface UserName {
  first_name: string;
  last_name: string;
}

export interface Address {
  address1: string;
  address2: string;
  city: string;
  country: string;
  state: string;
  zip: string;
}

export interface CreditCard {
  source: 'credit_card';
  id: string;
  brand: string;
  last_four: string;
}

export interface Paypal {
  source: 'paypal';
  id: string;
}

export interface GiftCard {
  source: 'gift_card';
  id: string;
  balance: number;
}

export type PaymentMethod = CreditCard | Paypal | GiftCard;

export interface User {
  user_id: string;
  name: UserName;
  address: Address;
  email: string;
  payment_methods: Record<string, PaymentMethod>;
  orders: string[];
}

export interface Variant {
  item_id: string;
  options: Record<string, string>;
  available: boolean;
  price: number;
}

export interface Product {
  name: string;
  product_id: string;
  variants: Record<string, Variant>;
}

export interface OrderItem {
  name: string;
  product_id: string;
  item_id: string;
  price: number;
  options: Record<string, string>;
}

export interface Fulfillment {
  tracking_id: string[];
  item_ids: string[];
}

export interface OrderPayment {
  transaction_type: 'payment' | 'refund';
  amount: number;
  payment_method_id: string;
}

export type OrderStatus =
  | 'processed'
  | 'pending'
  | 'pending (item modified)'
  | 'delivered'
  | 'cancelled'
  | 'exchange requested'
  | 'return requested';

export type CancelReason = 'no longer needed' | 'ordered by mistake';

export interface Order {
  order_id: string;
  user_id: string;
  address: Address;
  items: OrderItem[];
  status: OrderStatus;
  fulfillments: Fulfillment[];
  payment_history: OrderPayment[];
  cancel_reason?: CancelReason | null;
  exchange_items?: string[] | null;
  exchange_new_items?: string[] | null;
  exchange_payment_method_id?: string | null;
  exchange_price_difference?: number | null;
  return_items?: string[] | null;
  return_payment_method_id?: string | null;
}

/** The whole store: τ²'s `RetailDB`. */
export interface RetailDb {
  products: Record<string, Product>;
  users: Record<string, User>;
  orders: Record<string, Order>;
}

/** A product and the order its variants are listed in (a JS object sorts integer-like keys first). */
export interface ProductRecord {
  product: Product;
  variantOrder: readonly string[];
}
