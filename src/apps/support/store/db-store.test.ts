import { isDeepStrictEqual } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SupportStoreData, SupportStoreRepository, splitJsonObject } from '../../../storage/index.js';
import { openStores, SOURCE, SOURCE_TEXT, type Stores } from '../__fixtures__/harness.js';
import type { Order, User } from '../model.js';
import { storeHash } from '../reward.js';
import { supportStore } from './db-store.js';
import { MemoryStore } from './memory-store.js';

let stores: Stores;
beforeAll(async () => {
  stores = await openStores();
});
afterAll(async () => {
  await stores.testDb.close();
});

/** Every map's keys in text order, at every depth, for comparing key order between two JSON texts. */
function keyOrders(text: string, path = '$', out: string[] = []): string[] {
  const members = splitJsonObject(text);
  out.push(`${path}: ${members.map(([key]) => key).join(',')}`);
  for (const [key, value] of members) if (value.startsWith('{')) keyOrders(value, `${path}.${key}`, out);
  return out;
}

describe('support store (database)', () => {
  it('seeds from db.json text and exports it back: same documents, every map in the same key order', async () => {
    const store = await stores.fresh();
    expect(await store.repository.counts()).toEqual({ products: 50, users: 500, orders: 1000 });
    const text = await store.repository.exportText();
    expect(JSON.parse(text)).toEqual(SOURCE);
    expect(keyOrders(text)).toEqual(keyOrders(SOURCE_TEXT));
    const exported = await store.repository.export();
    expect(isDeepStrictEqual(exported, SOURCE)).toBe(true);
    expect(Object.keys(exported.users)).toEqual(Object.keys(SOURCE.users));
    expect(Object.keys(exported.orders)).toEqual(Object.keys(SOURCE.orders));
  });

  it('seeds from the db.json object too, and seeding takes well under a few seconds', async () => {
    const repository = new SupportStoreRepository(stores.testDb.db, 'tenant-support', 'from-object');
    const started = performance.now();
    await repository.seed(SOURCE as unknown as SupportStoreData);
    const seconds = (performance.now() - started) / 1000;
    console.info(`support store: seeded 1,550 documents on ${stores.testDb.db.engine} in ${seconds.toFixed(2)} s`);
    expect(await repository.export()).toEqual(SOURCE);
  });

  it('hashes like the in-memory store of the same data, and like τ² (its hex digest of the shipped db)', async () => {
    const store = await stores.fresh();
    const hash = await storeHash(store);
    expect(hash).toBe(await storeHash(MemoryStore.fromText(SOURCE_TEXT)));
    expect(hash).toBe('b25c9cb211f5efcaee5dd646054a73c4a9f43f4f5acc32c10713cd9f9ac20e9c');
  });

  it('reset deletes the changes and seeds again', async () => {
    const store = await stores.fresh();
    await store.repository.update('orders', '#W2611340', (doc) => ({ ...doc, status: 'cancelled' }));
    expect((await store.getOrder('#W2611340'))?.status).toBe('cancelled');
    await store.repository.reset(SOURCE_TEXT);
    expect((await store.getOrder('#W2611340'))?.status).toBe('processed');
    expect(await store.repository.counts()).toEqual({ products: 50, users: 500, orders: 1000 });
  });

  it('keeps installations and tenants apart', async () => {
    const a = await stores.fresh();
    const b = await stores.fresh();
    const otherTenant = supportStore(stores.testDb.db, 'another-tenant', a.repository.installationId);
    await otherTenant.repository.seed(SOURCE_TEXT);
    await a.repository.update('users', 'noah_brown_6181', (doc) => ({ ...doc, email: 'changed@example.com' }));
    expect((await a.getUser('noah_brown_6181'))?.email).toBe('changed@example.com');
    expect((await b.getUser('noah_brown_6181'))?.email).toBe('noah.brown7922@example.com');
    expect((await otherTenant.getUser('noah_brown_6181'))?.email).toBe('noah.brown7922@example.com');
    await b.repository.clear();
    expect(await b.repository.counts()).toEqual({ products: 0, users: 0, orders: 0 });
    expect(await a.repository.counts()).toEqual({ products: 50, users: 500, orders: 1000 });
  });

  it('a write that throws changes nothing, even what it saved before throwing', async () => {
    const store = await stores.fresh();
    const before = await storeHash(store);
    await expect(
      store.write(async (tx) => {
        const order = (await tx.lockOrder('#W2611340')) as Order;
        const user = (await tx.lockUser(order.user_id)) as User;
        await tx.saveOrder({ ...order, status: 'cancelled' });
        await tx.saveUser({ ...user, email: 'x@example.com' });
        throw new Error('check failed');
      }),
    ).rejects.toThrow('check failed');
    expect(await storeHash(store)).toBe(before);
  });

  it('serialises concurrent read-modify-writes of one row (select … for update)', async () => {
    const store = await stores.fresh();
    const bump = () =>
      store.repository.update('users', 'noah_brown_6181', async (doc) => {
        await new Promise((resolve) => setTimeout(resolve, 5));
        return { ...doc, orders: [...(doc.orders as string[]), 'x'] };
      });
    await Promise.all([bump(), bump(), bump()]);
    expect((await store.getUser('noah_brown_6181'))?.orders.filter((id) => id === 'x')).toHaveLength(3);
  });
});
