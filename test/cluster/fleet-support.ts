import { type ChildProcess, spawn } from 'node:child_process';
import { connect } from 'node:net';
import type { CreatedKey, LedgerPage, LedgerRow, Tenant } from '../../src/admin/contract.js';

export const ADMIN_KEY = 'thadm_fleet_test_admin_key';

/** A hub config with one OpenAI-compatible upstream and one priced model. */
export function fleetConfig(upstreamUrl: string): Record<string, unknown> {
  return {
    providers: [{ id: 'up', type: 'openai', base_url: upstreamUrl }],
    models: [
      { name: 'gpt-4o-mini', targets: [{ provider: 'up', model: 'gpt-4o-mini' }], pricing: { input_per_mtok: 1, output_per_mtok: 2 } },
    ],
  };
}

/** Resolves true when something accepts TCP connections on host:port within `timeoutMs`. */
export function tcpReachable(host: string, port: number, timeoutMs = 1_000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** The PostgreSQL URL to test against, or null (with the reason) when none answers. */
export async function findPostgres(): Promise<{ url: string } | { reason: string }> {
  const url = process.env.TOKENHUB_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2_000 });
  try {
    await client.connect();
    await client.query('select 1');
    return { url };
  } catch (error) {
    return { reason: `PostgreSQL not reachable at ${url}: ${(error as Error).message}` };
  } finally {
    await client.end().catch(() => {});
  }
}

/** Runs statements on a short-lived connection. */
export async function pgExec(url: string, ...statements: string[]): Promise<void> {
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  await client.connect();
  try {
    for (const statement of statements) await client.query(statement);
  } finally {
    await client.end();
  }
}

/** `url` with every connection's search_path set to `schema`. */
export function withSchema(url: string, schema: string): string {
  const parsed = new URL(url);
  parsed.searchParams.set('options', `-c search_path=${schema}`);
  return parsed.toString();
}

/** Sends one Redis command over RESP and returns the raw reply (enough for PING / SELECT / FLUSHDB). */
export async function redisCommand(port: number, args: string[], timeoutMs = 2_000): Promise<string> {
  const [reply] = await redisPipeline(port, [args], timeoutMs);
  return reply ?? '';
}

/** Sends commands on one connection (so SELECT applies to the next ones); resolves with one reply line each. */
export function redisPipeline(port: number, commands: string[][], timeoutMs = 2_000): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    let reply = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error('redis command timed out'));
    }, timeoutMs);
    socket.once('connect', () => {
      for (const args of commands)
        socket.write(`*${args.length}\r\n${args.map((arg) => `$${Buffer.byteLength(arg)}\r\n${arg}\r\n`).join('')}`);
    });
    socket.on('data', (chunk: Buffer) => {
      reply += chunk.toString();
      const lines = reply.split('\r\n');
      if (lines.length > commands.length) {
        clearTimeout(timer);
        socket.destroy();
        resolve(lines.slice(0, commands.length));
      }
    });
    socket.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}

export async function adminCall<T>(url: string, method: string, path: string, body?: unknown): Promise<T> {
  const response = await fetch(`${url}${path}`, {
    method,
    headers: { authorization: `Bearer ${ADMIN_KEY}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    signal: AbortSignal.timeout(10_000),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path} → ${response.status}: ${text}`);
  return JSON.parse(text) as T;
}

export async function createTenantKey(
  url: string,
  name: string,
  key: Record<string, unknown> = {},
): Promise<{ tenant: Tenant; key: CreatedKey }> {
  const tenant = await adminCall<Tenant>(url, 'POST', '/admin/v1/tenants', { name });
  const created = await adminCall<CreatedKey>(url, 'POST', '/admin/v1/keys', { tenant_id: tenant.id, ...key });
  return { tenant, key: created };
}

/** Every ledger row, read through the admin API. */
export async function ledgerRows(url: string): Promise<LedgerRow[]> {
  const rows: LedgerRow[] = [];
  let cursor: string | null = null;
  for (let page = 0; page < 1_000; page++) {
    const path = `/admin/v1/ledger?limit=500${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
    const result: LedgerPage = await adminCall<LedgerPage>(url, 'GET', path);
    rows.push(...result.data);
    cursor = result.next_cursor;
    if (!cursor) break;
  }
  return rows;
}

export interface ChatOutcome {
  status: number;
  requestId: string | null;
  /** A 200 whose body ended the way the protocol ends a whole answer. */
  complete: boolean;
  body: string;
}

export async function chat(url: string, key: string, stream: boolean, timeoutMs = 10_000): Promise<ChatOutcome> {
  const response = await fetch(`${url}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hello' }], stream, max_tokens: 16 }),
    signal: AbortSignal.timeout(timeoutMs),
  });
  const body = await response.text();
  const whole = stream ? body.includes('data: [DONE]') : body.includes('"finish_reason"');
  return { status: response.status, requestId: response.headers.get('x-request-id'), complete: response.status === 200 && whole, body };
}

/** Polls `probe` every 200 ms until it returns true or `timeoutMs` passes. */
export async function waitUntil(probe: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await probe().catch(() => false)) return true;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return false;
}

export async function readyz(url: string): Promise<{ status: number; body: string }> {
  const response = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(5_000) });
  return { status: response.status, body: await response.text() };
}

/** Kills a child and waits for it, bounded. */
export async function stopChild(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM', graceMs = 10_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill(signal);
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

/** Runs a command to completion, bounded; resolves with its exit code and output. */
export function runCommand(command: string, args: string[], timeoutMs = 30_000): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', (error) => {
      clearTimeout(timer);
      resolve({ code: -1, output: `${output}${error.message}` });
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}
