import type { Order, PaymentMethod, Product, User, Variant } from '../model.js';
import type { StoreWrite } from '../store/store-access.js';
import { ToolError } from './tool.js';

/** τ²'s private lookups (`_get_order`, `_get_user`, `_get_payment_method`, `_get_variant`) and their errors. */

export function orderOrFail(order: Order | undefined): Order {
  if (!order) throw new ToolError('Order not found');
  return order;
}

export function userOrFail(user: User | undefined): User {
  if (!user) throw new ToolError('User not found');
  return user;
}

export function paymentMethodOrFail(user: User | undefined, paymentMethodId: string): PaymentMethod {
  const owner = userOrFail(user);
  if (!Object.hasOwn(owner.payment_methods, paymentMethodId)) throw new ToolError('Payment method not found');
  return owner.payment_methods[paymentMethodId] as PaymentMethod;
}

export function variantOrFail(product: Product | undefined, variantId: string): Variant {
  if (!product) throw new ToolError('Product not found');
  if (!Object.hasOwn(product.variants, variantId)) throw new ToolError('Variant not found');
  return product.variants[variantId] as Variant;
}

export async function variantOf(tx: StoreWrite, productId: string, variantId: string): Promise<Variant> {
  return variantOrFail(await tx.getProduct(productId), variantId);
}

/** Python's `list.count`. */
export const countOf = (list: readonly string[], value: string): number => list.filter((item) => item === value).length;

/** Python's `sorted` of strings (code point order; the ids are ASCII). */
export const sortedStrings = (list: readonly string[]): string[] => [...list].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));

/** τ²'s `fold_for_match`: trimmed, diacritics dropped (after NFD), case-folded. */
export function foldForMatch(text: string): string {
  return text
    .trim()
    .normalize('NFD')
    .replace(/\p{Mn}/gu, '')
    .toUpperCase()
    .toLowerCase();
}
