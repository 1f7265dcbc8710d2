import { existsSync, readdirSync } from 'node:fs';
import { chown, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  ADMIN_KEY,
  chat,
  createTenantKey,
  fleetConfig,
  ledgerRows,
  readyz,
  runCommand,
  stopChild,
  waitUntil,
} from '../cluster/fleet-support.js';
import { type FakeOpenAI, startFakeOpenAI } from '../fake-upstreams/openai.js';
import { freePort, type HubProcess, startHubProcess } from '../support/hub-process.js';

const OUTAGE_MS = 3_000;
const WORKERS = 8;

/** Where a private PostgreSQL can come from, or why it cannot. */
async function privatePostgres(): Promise<{ bin: string; asUser: { uid: number; gid: number } | null } | { reason: string }> {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).filter((version) => existsSync(join(root, version, 'bin', 'initdb'))) : [];
  const version = versions.sort((a, b) => Number(b) - Number(a))[0];
  if (!version) return { reason: `no PostgreSQL server binaries under ${root}/*/bin/initdb` };
  const bin = join(root, version, 'bin');
  if (process.getuid?.() !== 0) return { bin, asUser: null };
  // postgres refuses to run as root: run it as the postgres user, in a directory that user owns.
  const uid = await runCommand('id', ['-u', 'postgres'], 5_000);
  const gid = await runCommand('id', ['-g', 'postgres'], 5_000);
  if (uid.code !== 0 || gid.code !== 0) return { reason: 'running as root and there is no postgres user to run a private server as' };
  if ((await runCommand('runuser', ['-u', 'postgres', '--', 'true'], 5_000)).code !== 0)
    return { reason: 'running as root and runuser -u postgres fails' };
  return { bin, asUser: { uid: Number(uid.output.trim()), gid: Number(gid.output.trim()) } };
}

const server = await privatePostgres();
if ('reason' in server) console.warn(`[postgres-restart] skipped: ${server.reason}`);

let upstream: FakeOpenAI | undefined;
let hub: HubProcess | undefined;
let pgDir: string | undefined;
let hubDir: string | undefined;
let pgCtl: ((...args: string[]) => ReturnType<typeof runCommand>) | undefined;

afterAll(async () => {
  if (hub) await stopChild(hub.child);
  if (pgCtl && pgDir) await pgCtl('-D', join(pgDir, 'data'), '-m', 'immediate', '-w', 'stop');
  await upstream?.close();
  for (const dir of [pgDir, hubDir]) if (dir) await rm(dir, { recursive: true, force: true });
});

describe.skipIf('reason' in server)('PostgreSQL restarting under load', () => {
  it('keeps serving a cached key from caches and the journal, and loses no usage', async () => {
    if ('reason' in server) return;
    const run = (tool: string, ...args: string[]): ReturnType<typeof runCommand> =>
      server.asUser
        ? runCommand('runuser', ['-u', 'postgres', '--', join(server.bin, tool), ...args], 60_000)
        : runCommand(join(server.bin, tool), args, 60_000);
    pgCtl = (...args: string[]) => run('pg_ctl', ...args);
    pgDir = await mkdtemp(join(tmpdir(), 'tokenhub-private-pg-'));
    if (server.asUser) await chown(pgDir, server.asUser.uid, server.asUser.gid);
    const dataDir = join(pgDir, 'data');
    const initdb = await run('initdb', '-D', dataDir, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--no-sync');
    expect(initdb.code, initdb.output).toBe(0);
    const port = await freePort();
    const options = `-p ${port} -c listen_addresses=127.0.0.1 -c unix_socket_directories=${pgDir} -c fsync=off`;
    const startPg = async (): Promise<void> => {
      const started = await pgCtl?.('-D', dataDir, '-o', options, '-l', join(pgDir ?? '', 'server.log'), '-w', '-t', '30', 'start');
      expect(started?.code, started?.output).toBe(0);
    };
    await startPg();

    upstream = await startFakeOpenAI({ chunks: 5, chunkDelayMs: 2 });
    hubDir = await mkdtemp(join(tmpdir(), 'tokenhub-pg-restart-'));
    hub = await startHubProcess({
      dataDir: hubDir,
      config: fleetConfig(upstream.url),
      port: await freePort(),
      env: { TOKENHUB_ADMIN_KEY: ADMIN_KEY, TOKENHUB_DATABASE_URL: `postgres://postgres@127.0.0.1:${port}/postgres` },
    });
    const hubUrl = hub.url;
    const { key } = await createTenantKey(hubUrl, 'pg-restart');
    expect((await chat(hubUrl, key.key, false)).complete).toBe(true);
    const budgeted = (
      await createTenantKey(hubUrl, 'pg-restart-budgeted', { budget: { limit_usd: 5, period: 'day' }, rate_limits: { rpm: 10_000 } })
    ).key;
    expect((await chat(hubUrl, budgeted.key, false)).complete).toBe(true);

    type Phase = 'before' | 'outage' | 'after';
    let phase: Phase = 'before';
    let stop = false;
    const outcomes: { phase: Phase; status: number | 'network-error'; requestId: string | null; complete: boolean }[] = [];
    const worker = async (index: number): Promise<void> => {
      for (let iteration = 0; iteration < 5_000 && !stop; iteration++) {
        const current = phase;
        try {
          const outcome = await chat(hubUrl, key.key, (index + iteration) % 2 === 0, 10_000);
          outcomes.push({ phase: current === phase ? current : 'after', ...outcome });
        } catch {
          outcomes.push({ phase: current, status: 'network-error', requestId: null, complete: false });
        }
      }
    };
    const workers = Array.from({ length: WORKERS }, (_, index) => worker(index));
    let readyDuringOutage: { status: number; body: string } | undefined;
    let budgetedDuringOutage: Awaited<ReturnType<typeof chat>> | undefined;
    try {
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      const stopped = await pgCtl('-D', dataDir, '-m', 'fast', '-w', '-t', '30', 'stop');
      expect(stopped.code, stopped.output).toBe(0);
      phase = 'outage';
      await new Promise((resolve) => setTimeout(resolve, OUTAGE_MS / 2));
      readyDuringOutage = await readyz(hubUrl);
      // Budget counters are seeded already, so a budgeted key is admitted without the database too.
      budgetedDuringOutage = await chat(hubUrl, budgeted.key, true);
      await new Promise((resolve) => setTimeout(resolve, OUTAGE_MS / 2));
      // Requests that straddle the restart are counted as 'after'.
      phase = 'after';
      await startPg();
      await new Promise((resolve) => setTimeout(resolve, 1_500));
    } finally {
      stop = true;
      await Promise.all(workers);
    }

    const during = outcomes.filter((outcome) => outcome.phase === 'outage');
    expect(during.length).toBeGreaterThan(10);
    expect(during.filter((outcome) => !outcome.complete)).toEqual([]);
    expect(budgetedDuringOutage?.complete).toBe(true);
    expect(outcomes.filter((outcome) => outcome.phase === 'after' && outcome.status !== 200)).toEqual([]);
    // The database is down: readiness says so (this replica still serves cached keys meanwhile).
    // Still ready (the replica serves from caches and the journal), and it says the database is degraded.
    expect(readyDuringOutage?.status).toBe(200);
    expect(readyDuringOutage?.body).toMatch(/database[^,]*unreachable \(degraded/);

    expect(await waitUntil(async () => (await readyz(hubUrl)).status === 200, 20_000)).toBe(true);
    const completed = outcomes.filter((outcome) => outcome.complete && outcome.requestId).map((outcome) => outcome.requestId ?? '');
    if (budgetedDuringOutage?.requestId) completed.push(budgetedDuringOutage.requestId);
    let missing: string[] = completed;
    await waitUntil(async () => {
      const ids = new Set((await ledgerRows(hubUrl)).map((row) => row.request_id));
      missing = completed.filter((id) => !ids.has(id));
      return missing.length === 0;
    }, 20_000);
    expect(missing).toEqual([]);
    const rows = await ledgerRows(hubUrl);
    expect(new Set(rows.map((row) => row.request_id)).size).toBe(rows.length);
  }, 150_000);
});
