import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_DATABASE_URL } from '../../test/support/test-db.js';
import { MemoryClusterState } from '../cluster/index.js';
import { type Database, migrate, openDatabase, RunStepsRepository, RunsRepository } from '../storage/index.js';
import { RunEngine } from './run-engine.js';

// Two processes must share the database, which PGlite (one process per data directory) cannot do.
const skipReason = TEST_DATABASE_URL ? null : 'needs PostgreSQL: set TOKENHUB_TEST_DATABASE_URL';
if (skipReason) console.warn(`[runs/kill9] skipped: ${skipReason}`);

const WORKER = fileURLToPath(new URL('./__fixtures__/run-worker.ts', import.meta.url));
const TENANT = 'ten_kill9';

function startWorker(url: string, schema: string): { child: ChildProcess; lines: string[]; waitFor(prefix: string): Promise<string> } {
  const child = spawn(process.execPath, ['--import', 'tsx', WORKER, url, schema], { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines: string[] = [];
  const waiters: { prefix: string; resolve: (line: string) => void }[] = [];
  let buffered = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    buffered += chunk.toString('utf8');
    let newline = buffered.indexOf('\n');
    while (newline !== -1) {
      const line = buffered.slice(0, newline);
      buffered = buffered.slice(newline + 1);
      lines.push(line);
      for (const waiter of waiters.filter((candidate) => line.startsWith(candidate.prefix))) waiter.resolve(line);
      newline = buffered.indexOf('\n');
    }
  });
  return {
    child,
    lines,
    waitFor: (prefix) =>
      new Promise((resolve, reject) => {
        const seen = lines.find((line) => line.startsWith(prefix));
        if (seen) return resolve(seen);
        const timer = setTimeout(() => reject(new Error(`worker never printed ${prefix}: ${lines.join(' | ')}`)), 20_000);
        waiters.push({
          prefix,
          resolve: (line) => {
            clearTimeout(timer);
            resolve(line);
          },
        });
      }),
  };
}

describe.skipIf(skipReason !== null)('a replica SIGKILLed mid-run', () => {
  const schema = `runs_kill9_${process.pid}_${Date.now().toString(36)}`;
  let db: Database;

  beforeAll(async () => {
    db = await openDatabase({ url: TEST_DATABASE_URL as string, schema });
    await migrate(db);
  });
  afterAll(async () => {
    await db?.query(`drop schema if exists "${schema}" cascade`).catch(() => {});
    await db?.close();
  });

  it('is resumed by another replica, which repeats no finished effect and retries the interrupted idempotent one with its key', async () => {
    const url = TEST_DATABASE_URL as string;
    const queueing = new RunEngine({ db, cluster: new MemoryClusterState(), handlers: [] });
    const idempotentRun = await queueing.enqueue({
      tenantId: TENANT,
      kind: 'test',
      subject: 'kill9',
      version: 1,
      input: {
        hang_in: 'charge',
        steps: [
          { name: 'lookup', idempotent: false },
          { name: 'charge', idempotent: true },
          { name: 'notify', idempotent: false },
        ],
      },
      state: {},
      metadata: {},
    });
    const worker = startWorker(url, schema);
    const interrupted = await worker.waitFor('performed charge');
    worker.child.kill('SIGKILL');
    await new Promise((resolve) => worker.child.once('exit', resolve));
    expect(worker.lines.filter((line) => line.startsWith('performed'))).toHaveLength(2);

    const performed: string[] = [];
    const survivor = new RunEngine({
      db,
      cluster: new MemoryClusterState(),
      pollMs: 50,
      leaseMs: 1_000,
      handlers: [
        {
          kind: 'test',
          async execute(run, context) {
            for (const step of run.input.steps as { name: string; idempotent: boolean }[]) {
              await context.effect({ kind: 'tool', name: step.name, idempotent: step.idempotent }, async (call) => {
                performed.push(`performed ${step.name} ${call.idempotencyKey}`);
                return { done: step.name };
              });
            }
            return { status: 'completed' };
          },
        },
      ],
    });
    const killedAt = Date.now();
    await survivor.start();
    const runs = new RunsRepository(db, TENANT);
    while ((await runs.get(idempotentRun.id))?.status !== 'completed') {
      if (Date.now() - killedAt > 10_000) throw new Error('not resumed within 10 s');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await survivor.stop();
    expect(performed).toEqual([interrupted, `performed notify ${idempotentRun.id}:3`]);
    const steps = await new RunStepsRepository(db).forRun(idempotentRun.id);
    expect(steps.map((step) => [step.name, step.status, step.attempts])).toEqual([
      ['lookup', 'finished', 1],
      ['charge', 'finished', 2],
      ['notify', 'finished', 1],
    ]);
  });
});
