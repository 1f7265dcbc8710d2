// The PGlite thread: the embedded database runs here, off the hub's event loop, so a ledger flush or a
// slow query never stalls the requests being served. Plain JavaScript (like the sandbox child) so the
// same file runs from src/ under the tests and from dist/ once built. Protocol: see pglite-thread.ts.
import { readlinkSync } from 'node:fs';
import { getPriority, setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import { PGlite } from '@electric-sql/pglite';

/** @type {import('node:worker_threads').MessagePort} */
const port = /** @type {never} */ (parentPort);

/** A database error as plain fields (an Error's own fields do not survive postMessage). */
function describe(error) {
  if (!(error instanceof Error)) return { message: String(error) };
  const fields = { name: error.name, message: error.message };
  for (const [key, value] of Object.entries(error)) {
    // `params` can be large (a whole ledger slice) and says nothing the caller does not have.
    if (key === 'params' || typeof value === 'function') continue;
    fields[key] = value;
  }
  return fields;
}

/** This thread's id on Linux (a nice value belongs to a thread there), or null where there is none. */
function threadId() {
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    return Number.isInteger(tid) && tid > 0 ? tid : null;
  } catch {
    return null;
  }
}
const tid = threadId();

const BACKGROUND_NICE = 19;

/** This thread's nice value now, or null where it cannot be read. */
function currentNice() {
  try {
    return tid === null ? null : getPriority(tid);
  } catch {
    return null;
  }
}
const ownNice = currentNice();

/**
 * Whether this thread may lower its priority for a statement and raise it back after. Raising it back needs
 * root or CAP_SYS_NICE: an unprivileged Linux user may only lower a nice value, so there a thread once lowered
 * would stay at the bottom for every later query. Probed with one step down and back; where the step back is
 * refused the thread stays one step down (a 20 % smaller share of a contended core) and background statements
 * run like any other.
 */
function canReprioritise() {
  if (tid === null || ownNice === null || ownNice >= BACKGROUND_NICE) return false;
  return trySetNice(ownNice + 1) && trySetNice(ownNice);
}
const reprioritise = canReprioritise();

/**
 * Background statements (the ledger flush) run at the lowest priority: on a busy core the hub's requests
 * preempt them instead of taking turns with them.
 */
async function inBackground(run) {
  if (!reprioritise) return run();
  const lowered = trySetNice(BACKGROUND_NICE);
  try {
    return await run();
  } finally {
    if (lowered) trySetNice(ownNice);
  }
}

function trySetNice(nice) {
  try {
    setPriority(tid, nice);
    return true;
  } catch {
    return false;
  }
}

let client;
try {
  client = await PGlite.create({
    ...(workerData.dataDir ? { dataDir: workerData.dataDir } : {}),
    ...(workerData.loadDataDir ? { loadDataDir: new Blob([workerData.loadDataDir]) } : {}),
  });
  port.postMessage({ id: 0, ok: true });
} catch (error) {
  port.postMessage({ id: 0, ok: false, error: describe(error) });
  port.close();
}

/** Open transactions by id: the handle queries run on, and how to end it. */
const transactions = new Map();
let nextTransaction = 1;

/** Opens a transaction and holds it open until `commit` or `rollback` names it. */
function begin() {
  return new Promise((entered, failed) => {
    const id = nextTransaction++;
    const open = { tx: null, finish: () => {}, done: null };
    const decided = new Promise((resolve) => {
      open.finish = resolve;
    });
    open.done = client.transaction(async (tx) => {
      open.tx = tx;
      transactions.set(id, open);
      entered(id);
      if (!(await decided)) await tx.rollback();
    });
    // Before the transaction is entered this rejects `begin`; after, the caller's commit sees it.
    open.done.catch(failed);
  });
}

async function handle(message) {
  switch (message.kind) {
    case 'query': {
      const target = message.tx ? transactions.get(message.tx)?.tx : client;
      if (!target) throw new Error(`transaction ${message.tx} is not open`);
      const run = async () => (await target.query(message.sql, message.params)).rows;
      return message.background ? inBackground(run) : run();
    }
    case 'exec': {
      await client.exec(message.sql);
      return null;
    }
    case 'begin':
      return begin();
    case 'commit':
    case 'rollback': {
      const open = transactions.get(message.tx);
      if (!open) throw new Error(`transaction ${message.tx} is not open`);
      transactions.delete(message.tx);
      open.finish(message.kind === 'commit');
      await open.done;
      return null;
    }
    case 'close': {
      await client.close();
      return null;
    }
    default:
      throw new Error(`unknown request ${message.kind}`);
  }
}

port.on('message', (message) => {
  handle(message).then(
    (value) => {
      port.postMessage({ id: message.id, ok: true, value });
      if (message.kind === 'close') port.close();
    },
    (error) => port.postMessage({ id: message.id, ok: false, error: describe(error) }),
  );
});
