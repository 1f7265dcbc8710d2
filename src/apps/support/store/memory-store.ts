import { splitJsonObject } from '../../../storage/index.js';
import type { Order, Product, ProductRecord, RetailDb, User } from '../model.js';
import type { StoreAccess, StoreWrite, UserIdentity } from './store-access.js';
import { productRecordFromText } from './variant-order.js';

const copy = <T>(value: T): T => structuredClone(value);

/**
 * The store in plain objects, running the same tool code as the database store: for computing the
 * store a task's expected actions leave, without a database. Writes are staged and applied when the
 * work returns, one write at a time, like the database's transactions.
 */
export class MemoryStore implements StoreAccess {
  private readonly products: Map<string, ProductRecord>;
  private readonly users: Map<string, User>;
  private readonly orders: Map<string, Order>;
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(products: Map<string, ProductRecord>, users: Map<string, User>, orders: Map<string, Order>) {
    this.products = products;
    this.users = users;
    this.orders = orders;
  }

  /** From `db.json` text: keeps the order of products and variants exactly. */
  static fromText(text: string): MemoryStore {
    const top = new Map(splitJsonObject(text));
    const products = new Map<string, ProductRecord>();
    for (const [id, productText] of splitJsonObject(top.get('products') ?? '{}')) products.set(id, productRecordFromText(productText));
    const users = new Map(Object.entries(JSON.parse(top.get('users') ?? '{}') as Record<string, User>));
    const orders = new Map(Object.entries(JSON.parse(top.get('orders') ?? '{}') as Record<string, Order>));
    return new MemoryStore(products, users, orders);
  }

  /** From a `db.json`-shaped object (copied); integer-like keys come in JS order. */
  static fromData(data: RetailDb): MemoryStore {
    const products = new Map<string, ProductRecord>();
    for (const [id, product] of Object.entries(data.products))
      products.set(id, { product: copy(product), variantOrder: Object.keys(product.variants) });
    return new MemoryStore(products, new Map(Object.entries(copy(data.users))), new Map(Object.entries(copy(data.orders))));
  }

  async getUser(userId: string): Promise<User | undefined> {
    const user = this.users.get(userId);
    return user && copy(user);
  }

  async getOrder(orderId: string): Promise<Order | undefined> {
    const order = this.orders.get(orderId);
    return order && copy(order);
  }

  async getProduct(productId: string): Promise<ProductRecord | undefined> {
    const record = this.products.get(productId);
    return record && copy(record);
  }

  async findProductWithItem(itemId: string): Promise<ProductRecord | undefined> {
    for (const record of this.products.values()) if (Object.hasOwn(record.product.variants, itemId)) return copy(record);
    return undefined;
  }

  async listProducts(): Promise<Product[]> {
    return [...this.products.values()].map((record) => copy(record.product));
  }

  async userIdentities(): Promise<UserIdentity[]> {
    return [...this.users.entries()].map(([id, user]) => ({
      id,
      email: user.email,
      firstName: user.name.first_name,
      lastName: user.name.last_name,
      zip: user.address.zip,
    }));
  }

  write<T>(work: (tx: StoreWrite) => Promise<T>): Promise<T> {
    const run = async (): Promise<T> => {
      const orders = new Map<string, Order>();
      const users = new Map<string, User>();
      const tx: StoreWrite = {
        lockOrder: async (orderId) => copy(orders.get(orderId) ?? this.orders.get(orderId)),
        lockUser: async (userId) => copy(users.get(userId) ?? this.users.get(userId)),
        getProduct: async (productId) => {
          const record = this.products.get(productId);
          return record && copy(record.product);
        },
        saveOrder: async (order) => {
          if (!this.orders.has(order.order_id)) throw new Error(`support store: no order ${order.order_id} to replace`);
          orders.set(order.order_id, copy(order));
        },
        saveUser: async (user) => {
          if (!this.users.has(user.user_id)) throw new Error(`support store: no user ${user.user_id} to replace`);
          users.set(user.user_id, copy(user));
        },
      };
      const result = await work(tx);
      for (const [id, order] of orders) this.orders.set(id, order);
      for (const [id, user] of users) this.users.set(id, user);
      return result;
    };
    const result = this.queue.then(run, run);
    this.queue = result.catch(() => undefined);
    return result;
  }

  async snapshot(): Promise<RetailDb> {
    const products: Record<string, Product> = {};
    for (const [id, record] of this.products) products[id] = copy(record.product);
    return { products, users: copy(Object.fromEntries(this.users)), orders: copy(Object.fromEntries(this.orders)) };
  }
}
