import type { Order, Product, ProductRecord, RetailDb, User } from '../model.js';

/** Name, email and zip of one user: what the identification lookups compare. */
export interface UserIdentity {
  id: string;
  email: string;
  firstName: string;
  lastName: string;
  zip: string;
}

/**
 * What the τ² tools need of a store. Two implementations run the same tool code: the database one
 * (per tenant and installation) and an in-memory one (fast expected-store computation in rewards).
 * Reads return copies: a caller may change them freely.
 */
export interface StoreAccess {
  getUser(userId: string): Promise<User | undefined>;
  getOrder(orderId: string): Promise<Order | undefined>;
  getProduct(productId: string): Promise<ProductRecord | undefined>;
  /** The first product, in store order, with a variant `itemId`. */
  findProductWithItem(itemId: string): Promise<ProductRecord | undefined>;
  /** All products, in store order. */
  listProducts(): Promise<Product[]>;
  /** All users' identifying fields, in store order. */
  userIdentities(): Promise<UserIdentity[]>;
  /**
   * Runs `work` atomically: the orders and users it saves take effect together when it returns, and
   * none does when it throws. Rows it reads with `lock*` stay locked against other writers meanwhile.
   */
  write<T>(work: (tx: StoreWrite) => Promise<T>): Promise<T>;
  /** The whole store, for hashing and comparison. */
  snapshot(): Promise<RetailDb>;
}

export interface StoreWrite {
  lockOrder(orderId: string): Promise<Order | undefined>;
  lockUser(userId: string): Promise<User | undefined>;
  getProduct(productId: string): Promise<Product | undefined>;
  saveOrder(order: Order): Promise<void>;
  saveUser(user: User): Promise<void>;
}
