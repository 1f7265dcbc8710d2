import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ledgerEntry } from '../../test/support/ledger-entry.js';
import { picos } from '../core/index.js';
import { LedgerWriter, migrate, openDatabase, type QueryOptions } from '../storage/index.js';
import { Journal } from './journal.js';
import { LedgerFlusher } from './ledger-flusher.js';
import { LedgerQuarantine } from './ledger-quarantine.js';
import { silentLogger } from './logger.js';

const entry = (requestId: string) =>
  ledgerEntry(requestId, { costPicos: picos(10n), stream: false, createdAt: new Date('2026-12-04T10:00:00Z') });

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

/** A real journal and ledger, with every ledger write's options recorded. */
async function flusherWith(urgentBacklog: number) {
  const dir = await mkdtemp(join(tmpdir(), 'th-flusher-'));
  dirs.push(dir);
  const db = await openDatabase({});
  await migrate(db);
  const writes: { rows: number; options: QueryOptions | undefined }[] = [];
  const writer = new LedgerWriter(db);
  const append = writer.append.bind(writer);
  writer.append = (entries, options) => {
    writes.push({ rows: entries.length, options });
    return append(entries, options);
  };
  const { journal } = await Journal.open(join(dir, 'journal'), {});
  const quarantine = await LedgerQuarantine.open(join(dir, 'quarantine'));
  const flusher = new LedgerFlusher({ journal, writer, logger: silentLogger, quarantine, urgentBacklog });
  const ledgerRows = async () => (await db.query<{ n: number }>('select count(*)::int as n from ledger'))[0]?.n;
  return { db, journal, flusher, writes, ledgerRows };
}

describe('ledger flusher priority', () => {
  it('writes a small backlog as background work and a large one at full priority; everything reaches the ledger', async () => {
    const { db, journal, flusher, writes, ledgerRows } = await flusherWith(50);
    try {
      await Promise.all(Array.from({ length: 10 }, (_, index) => journal.append(entry(`small-${index}`))));
      await flusher.flush();
      expect(writes).toEqual([{ rows: 10, options: { background: true } }]);

      await Promise.all(Array.from({ length: 60 }, (_, index) => journal.append(entry(`large-${index}`))));
      await flusher.flush();
      expect(writes[1]).toEqual({ rows: 60, options: { background: false } });
      expect(await ledgerRows()).toBe(70);
    } finally {
      await db.close();
    }
  });

  it('writes what is left at shutdown at full priority', async () => {
    const { db, journal, flusher, writes, ledgerRows } = await flusherWith(50);
    try {
      await Promise.all(Array.from({ length: 5 }, (_, index) => journal.append(entry(`last-${index}`))));
      await flusher.stop();
      expect(writes).toEqual([{ rows: 5, options: { background: false } }]);
      expect(await ledgerRows()).toBe(5);
    } finally {
      await db.close();
    }
  });
});
