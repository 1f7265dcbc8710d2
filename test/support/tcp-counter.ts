/**
 * A TCP proxy on 127.0.0.1 that forwards to a real Redis or PostgreSQL server and reads what the
 * client sends, message by message, so a test can count the round trips a hub makes on the wire
 * (the level where a cache or a pipelined script either saves a trip or does not).
 */
import { createServer, type Server, type Socket, connect as tcpConnect } from 'node:net';

/** One command (Redis) or one executed statement (PostgreSQL) the client sent. */
export interface WireCall {
  /** Which client connection, in the order they were opened. */
  connection: number;
  /** Redis: the command name, upper case (EVALSHA, PUBLISH…). PostgreSQL: `query` (simple) or `execute` (extended). */
  name: string;
  /** Redis: the arguments (at most the first 3). PostgreSQL: the statement's SQL text. */
  args: string[];
}

export interface TcpCounter {
  /** The proxy's port on 127.0.0.1. */
  port: number;
  /** Every call read so far, in arrival order per connection. */
  calls: WireCall[];
  close(): Promise<void>;
}

type MessageReader = (chunk: Buffer) => Omit<WireCall, 'connection'>[];

async function startTcpCounter(target: { host: string; port: number }, newReader: () => MessageReader): Promise<TcpCounter> {
  const calls: WireCall[] = [];
  const sockets = new Set<Socket>();
  let connections = 0;
  const server: Server = createServer((client) => {
    const connection = connections++;
    let read = newReader();
    const upstream = tcpConnect(target.port, target.host);
    sockets.add(client);
    sockets.add(upstream);
    const closeBoth = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('data', (chunk: Buffer) => {
      try {
        for (const call of read(chunk)) calls.push({ connection, ...call });
      } catch (error) {
        // Recorded as a call so the test fails on it with the reason; the bytes are still forwarded.
        calls.push({ connection, name: 'UNREADABLE', args: [(error as Error).message] });
        read = () => [];
      }
      upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => client.write(chunk));
    client.on('close', closeBoth);
    upstream.on('close', closeBoth);
    client.on('error', closeBoth);
    upstream.on('error', closeBoth);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('the counting proxy has no port');
  return {
    port: address.port,
    calls,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The same URL with its host and port replaced by the proxy's. */
function throughProxy(url: string, port: number): string {
  const proxied = new URL(url);
  proxied.hostname = '127.0.0.1';
  proxied.port = String(port);
  return proxied.toString();
}

function targetOf(url: string, defaultPort: number): { host: string; port: number } {
  const parsed = new URL(url);
  return { host: parsed.hostname || '127.0.0.1', port: parsed.port ? Number(parsed.port) : defaultPort };
}

/**
 * Reads RESP requests: each command is a top-level array of bulk strings (`*N\r\n$len\r\narg\r\n…`),
 * which is all ioredis sends. A chunk may end mid-command: the rest waits for the next chunk.
 */
export function respCommandReader(): MessageReader {
  let pending: Buffer = Buffer.alloc(0);
  const line = (from: number): { text: string; next: number } | null => {
    const end = pending.indexOf('\r\n', from);
    return end < 0 ? null : { text: pending.toString('latin1', from, end), next: end + 2 };
  };
  return (chunk) => {
    pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
    const commands: Omit<WireCall, 'connection'>[] = [];
    let offset = 0;
    for (;;) {
      if (offset >= pending.length) break;
      if (pending[offset] !== 0x2a /* '*' */)
        throw new Error(`not a RESP array at byte ${offset}: ${pending.toString('latin1', offset, offset + 20)}`);
      const header = line(offset + 1);
      if (!header) break;
      const count = Number(header.text);
      let cursor = header.next;
      const args: string[] = [];
      let complete = true;
      for (let index = 0; index < count; index++) {
        if (cursor >= pending.length) {
          complete = false;
          break;
        }
        if (pending[cursor] !== 0x24 /* '$' */) throw new Error(`not a RESP bulk string at byte ${cursor}`);
        const length = line(cursor + 1);
        if (!length) {
          complete = false;
          break;
        }
        const end = length.next + Number(length.text);
        if (end + 2 > pending.length) {
          complete = false;
          break;
        }
        if (index < 4) args.push(pending.toString('utf8', length.next, end));
        cursor = end + 2;
      }
      if (!complete) break;
      commands.push({ name: (args[0] ?? '').toUpperCase(), args: args.slice(1) });
      offset = cursor;
    }
    pending = pending.subarray(offset);
    return commands;
  };
}

const SSL_REQUEST = 80_877_103;
const GSSENC_REQUEST = 80_877_104;

const cString = (body: Buffer, from: number): { text: string; next: number } => {
  const end = body.indexOf(0, from);
  return { text: body.toString('utf8', from, end), next: end + 1 };
};

/**
 * Reads PostgreSQL frontend messages. A statement is one round trip when it runs: a simple `Query`,
 * or an extended-protocol `Execute` (its SQL is the one its portal was bound from, by `Parse` and `Bind`).
 * The untyped start-up messages (SSL/GSS requests, then StartupMessage) come first.
 */
export function postgresStatementReader(): MessageReader {
  let pending: Buffer = Buffer.alloc(0);
  let startingUp = true;
  const statements = new Map<string, string>();
  const portals = new Map<string, string>();
  return (chunk) => {
    pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
    const executed: Omit<WireCall, 'connection'>[] = [];
    let offset = 0;
    for (;;) {
      if (startingUp) {
        if (pending.length - offset < 8) break;
        const length = pending.readInt32BE(offset);
        if (pending.length - offset < length) break;
        const code = pending.readInt32BE(offset + 4);
        if (code !== SSL_REQUEST && code !== GSSENC_REQUEST) startingUp = false;
        offset += length;
        continue;
      }
      if (pending.length - offset < 5) break;
      const type = String.fromCharCode(pending[offset] as number);
      const length = pending.readInt32BE(offset + 1);
      if (pending.length - offset < 1 + length) break;
      const body = pending.subarray(offset + 5, offset + 1 + length);
      offset += 1 + length;
      if (type === 'Q') executed.push({ name: 'query', args: [cString(body, 0).text] });
      else if (type === 'P') {
        const name = cString(body, 0);
        statements.set(name.text, cString(body, name.next).text);
      } else if (type === 'B') {
        const portal = cString(body, 0);
        const statement = cString(body, portal.next);
        portals.set(portal.text, statements.get(statement.text) ?? `(unknown statement "${statement.text}")`);
      } else if (type === 'E') {
        const portal = cString(body, 0).text;
        executed.push({ name: 'execute', args: [portals.get(portal) ?? `(unknown portal "${portal}")`] });
      }
    }
    pending = pending.subarray(offset);
    return executed;
  };
}

/** A counting proxy in front of the Redis at `url`; `url` is the one to hand the hub. */
export async function startRedisCounter(redisUrl: string): Promise<TcpCounter & { url: string }> {
  const counter = await startTcpCounter(targetOf(redisUrl, 6379), respCommandReader);
  return { ...counter, url: throughProxy(redisUrl, counter.port) };
}

/** A counting proxy in front of the PostgreSQL server at `url`; `url` is the one to open the hub's database on. */
export async function startPostgresCounter(databaseUrl: string): Promise<TcpCounter & { url: string }> {
  const counter = await startTcpCounter(targetOf(databaseUrl, 5432), postgresStatementReader);
  return { ...counter, url: throughProxy(databaseUrl, counter.port) };
}
