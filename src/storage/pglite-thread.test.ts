import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from './database.js';
import { openDatabase } from './database.js';

describe('PGlite on its own thread', () => {
  let db: Database;
  beforeAll(async () => {
    db = await openDatabase({});
    await db.exec('create table t (id int8 primary key, at timestamptz, data bytea, doc jsonb, note text not null)');
  });
  afterAll(() => db.close());

  it('is the default, and keeps the event loop free while a statement runs', async () => {
    expect(db.onEventLoop).toBe(false);
    // A statement that takes a while in the database: timers on this thread keep firing meanwhile.
    let ticks = 0;
    const timer = setInterval(() => ticks++, 5);
    const started = Date.now();
    await db.query('select count(*) from generate_series(1, 1000000)');
    const elapsed = Date.now() - started;
    clearInterval(timer);
    expect(elapsed).toBeGreaterThan(50);
    expect(ticks).toBeGreaterThan(elapsed / 5 / 4);
  });

  it.skipIf(process.platform !== 'linux')(
    'runs a background statement at the lowest priority, and the next one at normal priority',
    async () => {
      // A thread's nice value is field 19 of /proc/self/task/<tid>/stat (after the parenthesised name).
      const threadNices = (): number[] =>
        readdirSync('/proc/self/task').flatMap((tid) => {
          try {
            const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
            return [Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16])];
          } catch {
            return [];
          }
        });
      const seen = new Set<number>();
      const timer = setInterval(() => {
        for (const nice of threadNices()) seen.add(nice);
      }, 2);
      await db.query('select count(*) from generate_series(1, 1000000)', [], { background: true });
      clearInterval(timer);
      expect(seen.has(19)).toBe(true);
      await db.query('select 1');
      expect(threadNices()).not.toContain(19);
    },
  );

  it('carries bigint, Date, bytes and JSON across unchanged', async () => {
    const at = new Date('2026-12-04T10:00:00.123Z');
    await db.query('insert into t values ($1, $2, $3, $4, $5)', [
      9007199254740993n,
      at,
      new Uint8Array([0, 1, 255]),
      { a: [1, 'two'] },
      'x',
    ]);
    const [row] = await db.query<{ id: bigint; at: Date; data: Uint8Array; doc: unknown }>('select * from t where id = $1', [
      9007199254740993n,
    ]);
    expect(row?.id).toBe(9007199254740993n);
    expect(row?.at).toEqual(at);
    expect([...(row?.data ?? [])]).toEqual([0, 1, 255]);
    expect(row?.doc).toEqual({ a: [1, 'two'] });
  });

  it('keeps the database error fields callers branch on', async () => {
    const error = (await db.query('insert into t (id, note) values (9007199254740993, $1)', ['dup']).catch((e: unknown) => e)) as Record<
      string,
      unknown
    >;
    expect(error).toBeInstanceOf(Error);
    expect(error.code).toBe('23505');
    expect(error.constraint).toBe('t_pkey');
    expect(String(error.message)).toMatch(/duplicate key/);
    expect(error.params).toBeUndefined();
  });

  it('commits a transaction, and rolls one back when its work throws', async () => {
    const committed = await db.transaction(async (tx) => {
      await tx.query('insert into t (id, note) values (1, $1)', ['kept']);
      return (await tx.query<{ n: number }>('select count(*)::int as n from t where id = 1'))[0]?.n;
    });
    expect(committed).toBe(1);
    await expect(
      db.transaction(async (tx) => {
        await tx.query('insert into t (id, note) values (2, $1)', ['dropped']);
        throw new Error('changed my mind');
      }),
    ).rejects.toThrow('changed my mind');
    // A failing statement aborts its transaction: nothing of it stays.
    await expect(
      db.transaction(async (tx) => {
        await tx.query('insert into t (id, note) values (3, $1)', ['dropped']);
        await tx.query('insert into t (id) values (4)');
      }),
    ).rejects.toMatchObject({ code: '23502' });
    const ids = await db.query<{ id: bigint }>('select id from t where id < 100 order by id');
    expect(ids.map((row) => Number(row.id))).toEqual([1]);
  });

  it('runs concurrent transactions one after another, as PGlite does in process', async () => {
    await db.exec('create table counter (n int not null); insert into counter values (0)');
    await Promise.all(
      Array.from({ length: 20 }, () =>
        db.transaction(async (tx) => {
          const [row] = await tx.query<{ n: number }>('select n from counter');
          await tx.query('update counter set n = $1', [(row?.n ?? 0) + 1]);
        }),
      ),
    );
    expect((await db.query<{ n: number }>('select n from counter'))[0]?.n).toBe(20);
  });

  it('keeps its data in a directory across a close and a reopen', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pglite-thread-'));
    try {
      const first = await openDatabase({ dataDir: dir });
      await first.exec("create table kept (v text); insert into kept values ('still here')");
      await first.close();
      expect(await first.ping()).toBe(false);
      await expect(first.query('select 1')).rejects.toThrow(/PGlite thread exited/);
      const second = await openDatabase({ dataDir: dir });
      expect(await second.query('select v from kept')).toEqual([{ v: 'still here' }]);
      await second.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('can still run on the event loop when asked to', async () => {
    const inProcess = await openDatabase({ thread: false });
    try {
      expect(inProcess.onEventLoop).toBe(true);
      expect(await inProcess.query('select 1 as one')).toEqual([{ one: 1 }]);
    } finally {
      await inProcess.close();
    }
  });
});
