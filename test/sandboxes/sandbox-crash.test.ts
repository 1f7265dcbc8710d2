/**
 * The real hub (`tokenhub start`, a child process) SIGKILLed while a sandbox's Python code loops: the
 * sandbox's interpreter process does not outlive it, and a hub started again on the same data directory and
 * database serves the sandbox's files as they were, to the API and to the code. On PostgreSQL when the suite
 * has one, else on PGlite in the data directory.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CreatedKey, Tenant } from '../../src/admin/contract.js';
import { freePort, type HubProcess, startHubProcess } from '../support/hub-process.js';
import { TEST_DATABASE_URL } from '../support/test-db.js';

const ADMIN_KEY = 'thadm_sandbox_crash_test_admin_key';
/** The orphan watchdog in each sandbox process looks for its parent every 200 ms. */
const GONE_WITHIN_MS = 5_000;

interface CodeResult {
  result: unknown;
  error: { name: string; message: string } | null;
  state_reset: boolean;
  files: { changed: string[] };
}

let dataDir: string;
let schema: string | undefined;
let env: Record<string, string>;
let hub: HubProcess | undefined;
let key: string;
let sandboxId: string;
const BINARY = Buffer.from([0, 1, 2, 253, 254, 255, 10, 13]);

async function call<T>(method: string, path: string, body?: unknown, authorization = key): Promise<{ status: number; body: T }> {
  const response = await fetch(`${hub?.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${authorization}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : null) as T };
}

async function put(path: string, body: string | Buffer): Promise<number> {
  const response = await fetch(`${hub?.url}/v1/sandboxes/${sandboxId}/files/${path}`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/octet-stream' },
    body: new Uint8Array(body instanceof Buffer ? body : Buffer.from(body)),
  });
  return response.status;
}

async function read(path: string): Promise<Buffer> {
  const response = await fetch(`${hub?.url}/v1/sandboxes/${sandboxId}/files/${path}`, { headers: { authorization: `Bearer ${key}` } });
  expect(response.status).toBe(200);
  return Buffer.from(await response.arrayBuffer());
}

/** A process's state letter and parent, from /proc; undefined once it is gone. */
function processInfo(pid: number): { state: string; parent: number; cpuTicks: number; cmdline: string } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    return { state: fields[0] ?? '', parent: Number(fields[1]), cpuTicks: Number(fields[11]) + Number(fields[12]), cmdline };
  } catch {
    return undefined;
  }
}

/** The sandbox interpreter processes the hub started: children of it running the sandbox child (`--input-type=module -e`). */
function sandboxChildrenOf(parent: number): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .map(Number)
    .filter((pid) => {
      const info = processInfo(pid);
      return info?.parent === parent && info.cmdline.includes('--experimental-permission') && info.cmdline.includes('--input-type=module');
    });
}

/** Alive means running work: gone from /proc, or a zombie awaiting its reaper, is not. */
const alive = (pid: number): boolean => {
  const info = processInfo(pid);
  return info !== undefined && info.state !== 'Z' && info.state !== 'X';
};

async function until(what: string, check: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const start = async (): Promise<HubProcess> => startHubProcess({ dataDir, config: {}, port: await freePort(), env });

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'tokenhub-sandbox-crash-'));
  env = { TOKENHUB_ADMIN_KEY: ADMIN_KEY };
  if (TEST_DATABASE_URL) {
    schema = `sandbox_crash_${process.pid}_${Date.now().toString(36)}`;
    const { default: pg } = await import('pg');
    const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await client.connect();
    await client.query(`create schema "${schema}"`);
    await client.end();
    const url = new URL(TEST_DATABASE_URL);
    url.searchParams.set('options', `-c search_path=${schema}`);
    env.TOKENHUB_DATABASE_URL = url.toString();
  }
  hub = await start();
  const tenant = (await call<Tenant>('POST', '/admin/v1/tenants', { name: 'sandbox-crash' }, ADMIN_KEY)).body;
  key = (await call<CreatedKey>('POST', '/admin/v1/keys', { tenant_id: tenant.id, scopes: ['sandboxes'] }, ADMIN_KEY)).body.key;
  sandboxId = (await call<{ id: string }>('POST', '/v1/sandboxes', { limits: { cpu_ms: 60_000 } })).body.id;
}, 120_000);

afterAll(async () => {
  if (hub && hub.child.exitCode === null && hub.child.signalCode === null) {
    hub.child.kill('SIGTERM');
    const stopped = await Promise.race([hub.exited.then(() => true), new Promise((resolve) => setTimeout(() => resolve(false), 10_000))]);
    if (!stopped) hub.child.kill('SIGKILL');
  }
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
  if (schema && TEST_DATABASE_URL) {
    const { default: pg } = await import('pg');
    const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await client.connect();
    await client.query(`drop schema if exists "${schema}" cascade`).catch(() => {});
    await client.end();
  }
});

describe('a hub SIGKILLed while sandbox code loops', () => {
  it('leaves no sandbox process running, and a restarted hub serves the files as they were', async () => {
    expect(await put('notes/readme.txt', 'written over HTTP')).toBe(201);
    expect(await put('blob.bin', BINARY)).toBe(201);
    const wrote = await call<CodeResult>('POST', `/v1/sandboxes/${sandboxId}/code`, {
      language: 'python',
      code: `import os\nos.makedirs('out', exist_ok=True)\nopen('out/by-python.txt', 'w').write('written by code')\nstate = 'before the crash'`,
    });
    expect(wrote.body).toMatchObject({ error: null, files: { changed: ['out/by-python.txt'] } });
    const before = (await call<{ data: { path: string; size: number; version: string }[] }>('GET', `/v1/sandboxes/${sandboxId}/files`)).body
      .data;
    expect(before.map((file) => file.path)).toEqual(['blob.bin', 'notes/readme.txt', 'out/by-python.txt']);

    const first = hub as HubProcess;
    const children = sandboxChildrenOf(first.child.pid ?? -1);
    expect(children).toHaveLength(1);
    const [child] = children as [number];
    const ticksBefore = processInfo(child)?.cpuTicks ?? 0;
    const looping = call('POST', `/v1/sandboxes/${sandboxId}/code`, {
      language: 'python',
      code: `open('out/never-kept.txt', 'w').write('lost with the crash')\nwhile True:\n    pass`,
    }).catch((error: unknown) => error);
    // The loop is running: the sandbox process has used a further 0.3 s of CPU.
    await until('the loop burns CPU', () => (processInfo(child)?.cpuTicks ?? 0) - ticksBefore >= 30, 20_000);

    first.child.kill('SIGKILL');
    await first.exited;
    expect(await looping).toBeInstanceOf(Error);
    await until('the sandbox process ends after its hub', () => !alive(child), GONE_WITHIN_MS);

    hub = await start();
    const second = hub;
    expect(sandboxChildrenOf(second.child.pid ?? -1)).toEqual([]);
    const sandbox = await call<{ status: string; files: { count: number } }>('GET', `/v1/sandboxes/${sandboxId}`);
    expect(sandbox.body).toMatchObject({ status: 'live', files: { count: 3 } });
    const after = (await call<{ data: { path: string; size: number; version: string }[] }>('GET', `/v1/sandboxes/${sandboxId}/files`)).body
      .data;
    expect(after.map(({ path, size, version }) => ({ path, size, version }))).toEqual(
      before.map(({ path, size, version }) => ({ path, size, version })),
    );
    expect((await read('notes/readme.txt')).toString()).toBe('written over HTTP');
    expect((await read('out/by-python.txt')).toString()).toBe('written by code');
    expect((await read('blob.bin')).equals(BINARY)).toBe(true);

    const resumed = await call<CodeResult>('POST', `/v1/sandboxes/${sandboxId}/code`, {
      language: 'python',
      code: `import os\n[open('out/by-python.txt').read(), open('blob.bin', 'rb').read() == bytes([0, 1, 2, 253, 254, 255, 10, 13]), os.path.exists('out/never-kept.txt'), 'state' in globals()]`,
    });
    expect(resumed.body).toMatchObject({ error: null, state_reset: true, result: ['written by code', true, false, false] });
  }, 120_000);
});
