import type { Database, SupportDocument, SupportStoreRepository } from '../../../storage/index.js';
import { SupportStoreRepository as Repository } from '../../../storage/index.js';
import { retailDbText } from '../data.js';
import type { Order, Product, RetailDb, User } from '../model.js';
import type { StoreAccess, StoreWrite } from './store-access.js';
import { productRecordFromText } from './variant-order.js';

/**
 * The support store of one installation in the hub database, as the tools see it. Each `write` is one
 * database transaction whose orders and users are read `for update` (always order before user, so two
 * writers cannot deadlock).
 */
export class DatabaseStore implements StoreAccess {
  readonly repository: SupportStoreRepository;

  constructor(repository: SupportStoreRepository) {
    this.repository = repository;
  }

  async getUser(userId: string): Promise<User | undefined> {
    return (await this.repository.get('users', userId)) as User | undefined;
  }

  async getOrder(orderId: string): Promise<Order | undefined> {
    return (await this.repository.get('orders', orderId)) as Order | undefined;
  }

  async getProduct(productId: string) {
    const text = await this.repository.getText('products', productId);
    return text === undefined ? undefined : productRecordFromText(text);
  }

  async findProductWithItem(itemId: string) {
    const found = await this.repository.findProductWithVariant(itemId);
    return found ? productRecordFromText(found.text) : undefined;
  }

  async listProducts(): Promise<Product[]> {
    return (await this.repository.listText('products')).map((row) => JSON.parse(row.text) as Product);
  }

  userIdentities() {
    return this.repository.userIdentities();
  }

  write<T>(work: (tx: StoreWrite) => Promise<T>): Promise<T> {
    return this.repository.transaction((tx) =>
      work({
        lockOrder: async (orderId) => (await tx.get('orders', orderId, { forUpdate: true })) as Order | undefined,
        lockUser: async (userId) => (await tx.get('users', userId, { forUpdate: true })) as User | undefined,
        getProduct: async (productId) => (await tx.get('products', productId)) as Product | undefined,
        saveOrder: (order) => tx.put('orders', order.order_id, order as unknown as SupportDocument),
        saveUser: (user) => tx.put('users', user.user_id, user as unknown as SupportDocument),
      }),
    );
  }

  async snapshot(): Promise<RetailDb> {
    return (await this.repository.export()) as unknown as RetailDb;
  }
}

/** The store of one installation of the support app: its repository, seen through the tools' interface. */
export function supportStore(db: Database, tenantId: string, installationId: string): DatabaseStore {
  return new DatabaseStore(new Repository(db, tenantId, installationId));
}

/**
 * Seeds an installation's store with the shipped τ² data when it is empty (a no-op otherwise), e.g.
 * when the app is installed; returns whether it seeded.
 */
export async function seedShippedStore(store: DatabaseStore): Promise<boolean> {
  const counts = await store.repository.counts();
  if (counts.products + counts.users + counts.orders > 0) return false;
  await store.repository.seed(retailDbText());
  return true;
}

/** Puts an installation's store back to the shipped τ² data (delete + seed, one transaction). */
export async function resetShippedStore(store: DatabaseStore): Promise<void> {
  await store.repository.reset(retailDbText());
}
