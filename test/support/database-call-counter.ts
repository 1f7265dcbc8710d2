import { AsyncLocalStorage } from 'node:async_hooks';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type { IncomingMessage } from 'node:http';
import type { Database, Queryable } from '../../src/storage/index.js';

/**
 * The HTTP request (of any server in this process) whose handling a piece of code runs for: Node
 * publishes `http.server.request.start` just before the server's 'request' listeners run, so entering
 * the store there makes every promise and timer the handler creates carry it. Work started by a timer
 * created at start-up (a flusher, a poller) carries none.
 */
const serverRequest = new AsyncLocalStorage<string>();
const REQUEST_START = 'http.server.request.start';
const enterRequest = (message: unknown): void => {
  const { request } = message as { request: IncomingMessage };
  serverRequest.enterWith(`${request.method} ${request.url} (port ${request.socket.localPort})`);
};

/** Starts telling which database calls run for an HTTP request; the returned function stops it. */
export function trackServerRequests(): () => void {
  subscribe(REQUEST_START, enterRequest);
  return () => {
    unsubscribe(REQUEST_START, enterRequest);
  };
}

/** One call of the hub into its database, with where it came from. */
export interface DatabaseCall {
  /** `query`, `exec`, `transaction`, `transaction.query` or `ping`. */
  via: string;
  sql: string;
  /** The HTTP request this call was made for (see `trackServerRequests`); undefined for background work. */
  request: string | undefined;
  /** The caller's frames under src/ (async frames included), innermost first. */
  stack: string[];
}

export interface CountedDatabase {
  /** Hand this to the hub (`startTestHub(…, { database })`). */
  database: Database;
  calls: DatabaseCall[];
}

function callerFrames(): string[] {
  const frames = (new Error().stack ?? '').split('\n').slice(1);
  return frames
    .map((frame) => frame.trim())
    .filter((frame) => frame.includes('/src/') && !frame.includes('/node_modules/'))
    .map((frame) => frame.replace(/^at /, '').replace(/(\(|^)(?:file:\/\/)?[^()\s]*?\/src\//, '$1src/'));
}

/**
 * Wraps a database so every statement the hub runs through it is recorded. On PGlite this is the
 * only place to see them (there is no wire); on PostgreSQL the wire counter is the truth and these
 * records add the stacks.
 */
export function countDatabaseCalls(inner: Database): CountedDatabase {
  const calls: DatabaseCall[] = [];
  const record = (via: string, sql: string) => calls.push({ via, sql, request: serverRequest.getStore(), stack: callerFrames() });
  const database: Database = {
    engine: inner.engine,
    onEventLoop: inner.onEventLoop,
    query: (sql, params, options) => {
      record('query', sql);
      return inner.query(sql, params, options);
    },
    exec: (sql) => {
      record('exec', sql);
      return inner.exec(sql);
    },
    transaction: (work) => {
      record('transaction', 'begin');
      return inner.transaction((tx) => {
        const counted: Queryable = {
          query: (sql, params) => {
            record('transaction.query', sql);
            return tx.query(sql, params);
          },
        };
        return work(counted);
      });
    },
    ping: () => {
      record('ping', 'select 1');
      return inner.ping();
    },
    close: () => inner.close(),
  };
  return { database, calls };
}

/** The first line of a statement, whitespace folded, for a readable failure message. */
export function sqlHead(sql: string, length = 100): string {
  const folded = sql.replace(/\s+/g, ' ').trim();
  return folded.length > length ? `${folded.slice(0, length)}…` : folded;
}
