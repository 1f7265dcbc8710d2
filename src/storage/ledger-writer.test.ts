import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ledgerEntry } from '../../test/support/ledger-entry.js';
import { getTestDb, TEST_ENGINES, type TestDb } from '../../test/support/test-db.js';
import { picos } from '../core/index.js';
import type { Database } from './database.js';
import { migrate, openDatabase } from './index.js';
import { type LedgerEntry, LedgerRepository, LedgerWriter } from './ledger.repo.js';

const entry = (requestId: string, overrides: Partial<LedgerEntry> = {}): LedgerEntry =>
  ledgerEntry(requestId, {
    tenantId: 'tenant-a',
    keyId: 'key-a',
    inputTokens: 11,
    costPicos: picos(123_456_789_012_345_678_901n),
    ttfbMs: null,
    stream: false,
    createdAt: new Date('2026-12-04T10:15:00.250Z'),
    ...overrides,
  });

/** Text a client can put in a row (model names, client request ids): every character CSV or arrays treat specially. */
const AWKWARD = ['say "hi", then\nleave', 'back\\slash', '', '中文 ✓', 'comma,only', '"', 'NULL', '\\N'];

async function checkWriter(db: Database) {
  const writer = new LedgerWriter(db);
  const ledger = new LedgerRepository(db, 'tenant-a');
  const entries = AWKWARD.map((text, index) =>
    entry(`awkward-${index}`, {
      modelRequested: text,
      clientRequestId: text,
      errorCode: index % 2 ? text : null,
      agent: index % 3 ? null : text,
      ttfbMs: index % 2 ? 7 : null,
      stream: index % 2 === 0,
      status: index === 3 ? 502 : 200,
    }),
  );
  expect(await writer.append(entries)).toBe(entries.length);
  for (const written of entries) {
    const row = await ledger.get(written.requestId);
    expect(row, written.requestId).toMatchObject({
      requestId: written.requestId,
      modelRequested: written.modelRequested,
      clientRequestId: written.clientRequestId,
      errorCode: written.errorCode,
      agent: written.agent,
      ttfbMs: written.ttfbMs,
      stream: written.stream,
      status: written.status,
      costPicos: written.costPicos,
      createdAt: written.createdAt,
    });
  }
  // A replay inserts nothing and adds nothing to the rollups.
  expect(await writer.append(entries)).toBe(0);
  const [hourly] = await db.query<{ requests: unknown; errors: unknown; input: unknown }>(
    "select sum(requests)::int as requests, sum(errors)::int as errors, sum(input_tokens)::int as input from usage_hourly where tenant_id = 'tenant-a'",
  );
  expect(hourly).toEqual({ requests: entries.length, errors: 1, input: 11 * entries.length });
  // A slice with one row the database refuses fails whole (the flusher then writes its rows one by one).
  await expect(writer.append([entry('fine'), entry('bad', { modelRequested: 'nul\u0000byte' })])).rejects.toThrow();
  expect(await ledger.get('fine')).toBeUndefined();
}

describe.each(TEST_ENGINES)('ledger writer (%s)', (engine) => {
  let testDb: TestDb;
  beforeAll(async () => {
    testDb = await getTestDb({ engine });
  });
  afterAll(() => testDb.close());

  it('stores every character of client text exactly, counts a replay once, and fails a slice with a refused row whole', async () => {
    await checkWriter(testDb.db);
  });
});

describe('ledger writer (PGlite in process)', () => {
  it('writes exactly as on its own thread', async () => {
    const db = await openDatabase({ thread: false });
    try {
      await migrate(db);
      await checkWriter(db);
    } finally {
      await db.close();
    }
  });
});
