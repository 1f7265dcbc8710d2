import type { Address, Order, PaymentMethod, ProductRecord, RetailDb, User, Variant } from './model.js';
import { PyDict, type PyValue } from './python/json.js';

/**
 * τ²'s pydantic `model_dump()` of the retail models: fields in declaration order, absent optional
 * order fields as null, extra fields dropped. Tool results are these, passed through `pyDumps`.
 */

const dict = (entries: [string, PyValue][]): PyDict => new PyDict(entries);

const stringMap = (map: Record<string, string>): PyDict => dict(Object.entries(map));

function address(value: Address): PyDict {
  return dict([
    ['address1', value.address1],
    ['address2', value.address2],
    ['city', value.city],
    ['country', value.country],
    ['state', value.state],
    ['zip', value.zip],
  ]);
}

function paymentMethod(method: PaymentMethod): PyDict {
  switch (method.source) {
    case 'credit_card':
      return dict([
        ['source', method.source],
        ['id', method.id],
        ['brand', method.brand],
        ['last_four', method.last_four],
      ]);
    case 'gift_card':
      return dict([
        ['source', method.source],
        ['id', method.id],
        ['balance', method.balance],
      ]);
    case 'paypal':
      return dict([
        ['source', method.source],
        ['id', method.id],
      ]);
  }
}

export function userDump(user: User): PyDict {
  return dict([
    ['user_id', user.user_id],
    [
      'name',
      dict([
        ['first_name', user.name.first_name],
        ['last_name', user.name.last_name],
      ]),
    ],
    ['address', address(user.address)],
    ['email', user.email],
    ['payment_methods', dict(Object.entries(user.payment_methods).map(([id, method]) => [id, paymentMethod(method)]))],
    ['orders', [...user.orders]],
  ]);
}

export function variantDump(variant: Variant): PyDict {
  return dict([
    ['item_id', variant.item_id],
    ['options', stringMap(variant.options)],
    ['available', variant.available],
    ['price', variant.price],
  ]);
}

export function productDump(record: ProductRecord): PyDict {
  const { product, variantOrder } = record;
  const ids = variantOrder.length === Object.keys(product.variants).length ? variantOrder : Object.keys(product.variants);
  return dict([
    ['name', product.name],
    ['product_id', product.product_id],
    ['variants', dict(ids.map((id) => [id, variantDump(product.variants[id] as Variant)]))],
  ]);
}

const optional = <T extends PyValue>(value: T | null | undefined): T | null => (value === undefined ? null : value);

export function orderDump(order: Order): PyDict {
  return dict([
    ['order_id', order.order_id],
    ['user_id', order.user_id],
    ['address', address(order.address)],
    [
      'items',
      order.items.map((item) =>
        dict([
          ['name', item.name],
          ['product_id', item.product_id],
          ['item_id', item.item_id],
          ['price', item.price],
          ['options', stringMap(item.options)],
        ]),
      ),
    ],
    ['status', order.status],
    [
      'fulfillments',
      order.fulfillments.map((fulfillment) =>
        dict([
          ['tracking_id', [...fulfillment.tracking_id]],
          ['item_ids', [...fulfillment.item_ids]],
        ]),
      ),
    ],
    [
      'payment_history',
      order.payment_history.map((payment) =>
        dict([
          ['transaction_type', payment.transaction_type],
          ['amount', payment.amount],
          ['payment_method_id', payment.payment_method_id],
        ]),
      ),
    ],
    ['cancel_reason', optional(order.cancel_reason)],
    ['exchange_items', optional(order.exchange_items)],
    ['exchange_new_items', optional(order.exchange_new_items)],
    ['exchange_payment_method_id', optional(order.exchange_payment_method_id)],
    ['exchange_price_difference', optional(order.exchange_price_difference)],
    ['return_items', optional(order.return_items)],
    ['return_payment_method_id', optional(order.return_payment_method_id)],
  ]);
}

/** `RetailDB.model_dump()`: what τ²'s DB hash is taken of. */
export function dbDump(db: RetailDb): PyDict {
  return dict([
    [
      'products',
      dict(Object.entries(db.products).map(([id, product]) => [id, productDump({ product, variantOrder: Object.keys(product.variants) })])),
    ],
    ['users', dict(Object.entries(db.users).map(([id, user]) => [id, userDump(user)]))],
    ['orders', dict(Object.entries(db.orders).map(([id, order]) => [id, orderDump(order)]))],
  ]);
}
