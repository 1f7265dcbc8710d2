import { Worker } from 'node:worker_threads';
import type { Database, Queryable, QueryOptions } from './database.js';

/**
 * PGlite on a thread of its own (pglite-thread-worker.mjs). PGlite is PostgreSQL compiled to WASM: every
 * statement runs synchronously on the thread that calls it, so in the hub's process a ledger flush of a
 * few hundred rows held every request behind it for milliseconds (the p99 at 1,000 RPS was 12 ms added).
 * Here statements cross a MessagePort instead (structured clone: bigint, Date and Uint8Array arrive as
 * they left) and the event loop only waits for answers.
 *
 * Requests: `query` / `exec` (optionally inside a transaction; a `background` query runs at the thread's
 * lowest priority), `begin` (answers a transaction id once PGlite has entered it), `commit` / `rollback`
 * (answer once it has ended), `close`.
 */
interface Reply {
  id: number;
  ok: boolean;
  value?: unknown;
  error?: Record<string, unknown>;
}

interface Pending {
  resolve(value: unknown): void;
  reject(error: Error): void;
}

type Request =
  | { kind: 'query'; sql: string; params: unknown[] | undefined; tx?: number; background?: boolean }
  | { kind: 'exec'; sql: string }
  | { kind: 'begin' }
  | { kind: 'commit' | 'rollback'; tx: number }
  | { kind: 'close' };

const WORKER_URL = new URL('./pglite-thread-worker.mjs', import.meta.url);

/** The worker's error fields back on an Error (code, detail, constraint… as PGlite's own error has them). */
function reviveError(fields: Record<string, unknown> | undefined): Error {
  const { message, name, ...rest } = fields ?? {};
  const error = new Error(typeof message === 'string' ? message : 'database error');
  if (typeof name === 'string') error.name = name;
  return Object.assign(error, rest);
}

export async function openPgliteThread(options: { dataDir?: string; loadDataDir?: Blob }): Promise<Database> {
  const loadDataDir = options.loadDataDir ? await options.loadDataDir.arrayBuffer() : undefined;
  const worker = new Worker(WORKER_URL, {
    workerData: { dataDir: options.dataDir, loadDataDir },
    ...(loadDataDir ? { transferList: [loadDataDir] } : {}),
  });
  const pending = new Map<number, Pending>();
  let nextId = 1;
  let exited: Error | null = null;
  // Once closing, the thread stays referenced until it has exited (an awaited exit must keep the process up).
  let closing = false;

  // The thread keeps the process alive only while an answer is awaited, like a socket with a request on it.
  const settle = (id: number, action: (entry: Pending) => void): void => {
    const entry = pending.get(id);
    if (!entry) return;
    pending.delete(id);
    if (pending.size === 0 && !closing) worker.unref();
    action(entry);
  };
  const failAll = (error: Error): void => {
    for (const id of [...pending.keys()]) settle(id, (entry) => entry.reject(error));
  };
  worker.on('message', (reply: Reply) => {
    settle(reply.id, (entry) => (reply.ok ? entry.resolve(reply.value) : entry.reject(reviveError(reply.error))));
  });
  worker.on('error', (error) => {
    exited = new Error(`the PGlite thread failed: ${error.message}`);
    failAll(exited);
  });
  worker.on('exit', (code) => {
    exited ??= new Error(`the PGlite thread exited (code ${code})`);
    failAll(exited);
  });

  const call = <T>(id: number, request: Request | null): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      if (exited) {
        reject(exited);
        return;
      }
      if (pending.size === 0) worker.ref();
      pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      if (request) worker.postMessage({ id, ...request });
    });
  const send = <T>(request: Request): Promise<T> => call<T>(nextId++, request);

  // The worker answers id 0 once PGlite has opened (or failed to).
  await call<void>(0, null);

  const query = <Row>(sql: string, params?: unknown[], options?: QueryOptions): Promise<Row[]> =>
    send<Row[]>({ kind: 'query', sql, params, ...(options?.background ? { background: true } : {}) });
  return {
    engine: 'pglite',
    onEventLoop: false,
    query,
    exec: async (sql) => {
      await send({ kind: 'exec', sql });
    },
    transaction: async (work) => {
      const tx = await send<number>({ kind: 'begin' });
      const handle: Queryable = { query: <Row>(sql: string, params?: unknown[]) => send<Row[]>({ kind: 'query', sql, params, tx }) };
      try {
        const result = await work(handle);
        await send({ kind: 'commit', tx });
        return result;
      } catch (error) {
        await send({ kind: 'rollback', tx }).catch(() => {});
        throw error;
      }
    },
    ping: async () => {
      try {
        await query('select 1');
        return true;
      } catch {
        return false;
      }
    },
    close: async () => {
      if (exited) return;
      closing = true;
      worker.ref();
      await send({ kind: 'close' });
      await new Promise<void>((resolve) => {
        if (exited) resolve();
        else worker.once('exit', () => resolve());
      });
    },
  };
}
