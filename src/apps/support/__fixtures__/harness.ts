import { readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { getTestDb, type TestDb } from '../../../../test/support/test-db.js';
import { retailDbText } from '../data.js';
import type { RetailDb } from '../model.js';
import type { Conversation } from '../policy/conversation.js';
import { DatabaseStore, supportStore } from '../store/db-store.js';

/** The shipped τ² store, as text and parsed. */
export const SOURCE_TEXT = retailDbText();
export const SOURCE: RetailDb = JSON.parse(SOURCE_TEXT) as RetailDb;

/** τ²'s own result texts for a few reads (made with its pydantic models; see docs/support-agent.md). */
export const TAU2_RESULTS = JSON.parse(readFileSync(new URL('./tau2-results.json', import.meta.url), 'utf8')) as Record<string, string>;

export interface Stores {
  testDb: TestDb;
  /** A freshly seeded installation of the store (its own installation id). */
  fresh(): Promise<DatabaseStore>;
}

export async function openStores(tenantId = 'tenant-support'): Promise<Stores> {
  const testDb = await getTestDb();
  return {
    testDb,
    fresh: async () => {
      const store = supportStore(testDb.db, tenantId, `inst-${randomBytes(4).toString('hex')}`);
      await store.repository.seed(SOURCE_TEXT);
      return store;
    },
  };
}

/** A conversation in which `userId` was identified and the customer just said `reply` to `proposal`. */
export function conversation(userId: string | null, proposal = '', reply = ''): Conversation {
  return {
    identifiedUserId: userId,
    messages: [
      { role: 'user', content: 'Hi, I need help with an order.' },
      { role: 'assistant', content: proposal },
      { role: 'user', content: reply },
    ],
  };
}
