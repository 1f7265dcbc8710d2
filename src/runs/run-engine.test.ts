import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { getTestDb, TEST_ENGINES, TEST_REDIS_URL, type TestDb, uniqueRedisPrefix } from '../../test/support/test-db.js';
import { type ClusterState, createRedisClusterState, MemoryClusterState } from '../cluster/index.js';
import { newId } from '../core/index.js';
import { type JsonRecord, type RunRecord, RunStepsRepository, RunsRepository } from '../storage/index.js';
import type { RunHandler } from './contract.js';
import { RecordedEffectError, type RunContext } from './run-context.js';
import { RunEngine } from './run-engine.js';

const TENANT = 'ten_runs';

/** Waits until `check` holds, polling; fails after `timeoutMs`. */
async function until(check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** A handler whose effects count how often they really ran, and that can be told to hang in one. */
class ScriptedHandler implements RunHandler {
  readonly kind = 'test';
  readonly performed = new Map<string, number>();
  readonly keys: string[] = [];
  hangIn: string | null = null;
  pauseAfter: string | null = null;

  private count(name: string): void {
    this.performed.set(name, (this.performed.get(name) ?? 0) + 1);
  }

  async execute(run: RunRecord, context: RunContext) {
    const steps = (run.input.steps as { name: string; idempotent?: boolean; fail?: boolean }[]) ?? [];
    const outputs: JsonRecord[] = [];
    for (const step of steps) {
      if (run.state.approved !== true && this.pauseAfter && outputs.length > 0 && steps[outputs.length - 1]?.name === this.pauseAfter) {
        return { status: 'waiting_approval' as const, state: { ...run.state, waiting: true } };
      }
      try {
        outputs.push(
          await context.effect(
            { kind: 'tool', name: step.name, idempotent: step.idempotent ?? false, input: { step: step.name } },
            async (call) => {
              this.count(step.name);
              this.keys.push(call.idempotencyKey);
              if (this.hangIn === step.name)
                await new Promise((_, reject) => call.signal.addEventListener('abort', () => reject(call.signal.reason)));
              if (step.fail) throw new Error(`${step.name} broke`);
              return { done: step.name };
            },
          ),
        );
      } catch (error) {
        if (!(error instanceof RecordedEffectError) && !(error as Error).message.endsWith('broke')) throw error;
        outputs.push({ failed: step.name, message: (error as Error).message });
      }
      await context.emit('step.done', { name: step.name });
    }
    return { status: 'completed' as const, output: { outputs } };
  }
}

// Wake-ups and event fan-out go through the cluster: Redis pub/sub when the environment names one.
describe.each(TEST_ENGINES)('run engine (%s)', (engineName) => {
  let test: TestDb;
  let cluster: ClusterState;
  const engines: RunEngine[] = [];

  const engine = (handler: RunHandler, options: { leaseMs?: number; concurrency?: number } = {}): RunEngine => {
    const created = new RunEngine({ db: test.db, cluster, handlers: [handler], pollMs: 50, leaseMs: options.leaseMs ?? 600, ...options });
    engines.push(created);
    return created;
  };
  const runs = () => new RunsRepository(test.db, TENANT);
  const enqueue = (target: RunEngine, steps: { name: string; idempotent?: boolean; fail?: boolean }[]) =>
    target.enqueue({ tenantId: TENANT, kind: 'test', subject: 'scripted', version: 1, input: { steps }, state: {}, metadata: {} });
  const statusOf = async (id: string) => (await runs().get(id))?.status;

  beforeAll(async () => {
    test = await getTestDb({ engine: engineName });
    cluster = TEST_REDIS_URL
      ? await createRedisClusterState({ url: TEST_REDIS_URL, keyPrefix: uniqueRedisPrefix('runs') })
      : new MemoryClusterState();
  });
  afterEach(async () => {
    await Promise.all(engines.splice(0).map((running) => running.stop()));
  });
  afterAll(async () => {
    await cluster?.close();
    await test?.close();
  });

  it('runs a queued run to completion, recording each step and event in order', async () => {
    const handler = new ScriptedHandler();
    const worker = engine(handler);
    await worker.start();
    const run = await enqueue(worker, [{ name: 'a' }, { name: 'b', fail: true }, { name: 'c' }]);
    await until(async () => (await statusOf(run.id)) === 'completed');

    const finished = await runs().get(run.id);
    expect(finished).toMatchObject({ status: 'completed', leaseOwner: null, leaseExpiresAt: null, attempts: 1 });
    expect(finished?.output).toEqual({ outputs: [{ done: 'a' }, { failed: 'b', message: 'b broke' }, { done: 'c' }] });
    expect(finished?.finishedAt).toBeInstanceOf(Date);
    const steps = await new RunStepsRepository(test.db).forRun(run.id);
    expect(steps.map((step) => [step.seq, step.name, step.status])).toEqual([
      [1, 'a', 'finished'],
      [2, 'b', 'failed'],
      [3, 'c', 'finished'],
    ]);
    const events = await worker.events.since(run.id, 0);
    expect(events.map((event) => event.type)).toEqual([
      'run.queued',
      'run.started',
      'step.done',
      'step.done',
      'step.done',
      'run.completed',
    ]);
    expect(events.map((event) => event.seq)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('gives each of 20 runs to exactly one of two replicas racing for them', async () => {
    const first = new ScriptedHandler();
    const second = new ScriptedHandler();
    const replicaA = engine(first, { concurrency: 4 });
    const replicaB = engine(second, { concurrency: 4 });
    const queued: RunRecord[] = [];
    for (let index = 0; index < 20; index++) queued.push(await enqueue(replicaA, [{ name: `race-${index}` }]));
    await Promise.all([replicaA.start(), replicaB.start()]);
    await until(async () => (await Promise.all(queued.map((run) => statusOf(run.id)))).every((status) => status === 'completed'));

    for (let index = 0; index < 20; index++) {
      const name = `race-${index}`;
      expect((first.performed.get(name) ?? 0) + (second.performed.get(name) ?? 0)).toBe(1);
    }
    expect(first.performed.size).toBeGreaterThan(0);
    expect(second.performed.size).toBeGreaterThan(0);
  });

  it('resumes a run whose replica died: finished effects are not repeated, an interrupted idempotent one is retried with its key', async () => {
    const dying = new ScriptedHandler();
    dying.hangIn = 'charge';
    const replicaA = engine(dying);
    await replicaA.start();
    const run = await enqueue(replicaA, [{ name: 'lookup' }, { name: 'charge', idempotent: true }, { name: 'notify' }]);
    await until(async () => dying.performed.get('charge') === 1);
    await replicaA.abandon();
    expect(await statusOf(run.id)).toBe('running');

    const survivor = new ScriptedHandler();
    const replicaB = engine(survivor);
    await replicaB.start();
    await until(async () => (await statusOf(run.id)) === 'completed');
    expect(survivor.performed.get('lookup')).toBeUndefined();
    expect(survivor.performed.get('charge')).toBe(1);
    expect(survivor.performed.get('notify')).toBe(1);
    // The retry carried the interrupted attempt's idempotency key.
    expect(survivor.keys[0]).toBe(dying.keys[1]);
    const resumed = await runs().get(run.id);
    expect(resumed?.attempts).toBe(2);
    expect(resumed?.output).toEqual({ outputs: [{ done: 'lookup' }, { done: 'charge' }, { done: 'notify' }] });
    const steps = await new RunStepsRepository(test.db).forRun(run.id);
    expect(steps.find((step) => step.name === 'charge')?.attempts).toBe(2);
    expect((await replicaB.events.since(run.id, 0)).map((event) => event.type)).toContain('run.resumed');
  });

  it('stops a resumed run for a person when an interrupted effect is not idempotent', async () => {
    const dying = new ScriptedHandler();
    dying.hangIn = 'refund';
    const replicaA = engine(dying);
    await replicaA.start();
    const run = await enqueue(replicaA, [{ name: 'lookup' }, { name: 'refund' }, { name: 'notify' }]);
    await until(async () => dying.performed.get('refund') === 1);
    await replicaA.abandon();

    const survivor = new ScriptedHandler();
    const replicaB = engine(survivor);
    await replicaB.start();
    await until(async () => (await statusOf(run.id)) === 'needs_attention');
    expect(survivor.performed.size).toBe(0);
    const stopped = await runs().get(run.id);
    expect(stopped).toMatchObject({ leaseOwner: null, finishedAt: null });
    expect(stopped?.error).toMatchObject({ code: 'interrupted_effect', step: { seq: 2, kind: 'tool', name: 'refund' } });
  });

  it('a paused run holds no lease, and resumes on any replica with its new state', async () => {
    const pausing = new ScriptedHandler();
    pausing.pauseAfter = 'draft';
    const replicaA = engine(pausing);
    await replicaA.start();
    const run = await enqueue(replicaA, [{ name: 'draft' }, { name: 'send' }]);
    await until(async () => (await statusOf(run.id)) === 'waiting_approval');
    const paused = await runs().get(run.id);
    expect(paused).toMatchObject({ leaseOwner: null, leaseExpiresAt: null, state: { waiting: true } });
    await until(async () => replicaA.running === 0);
    await replicaA.stop();

    const replicaB = engine(new ScriptedHandler());
    await replicaB.start();
    expect(await runs().resume(run.id, ['waiting_approval'], { approved: true }, new Date())).toBeDefined();
    expect(await runs().resume(run.id, ['waiting_approval'], { approved: true }, new Date())).toBeUndefined();
    await replicaB.notify();
    await until(async () => (await statusOf(run.id)) === 'completed');
    expect((await runs().get(run.id))?.output).toEqual({ outputs: [{ done: 'draft' }, { done: 'send' }] });
    expect(pausing.performed.get('draft')).toBe(1);
  });

  it('cancels a queued run at once and a running one at its next heartbeat', async () => {
    const hanging = new ScriptedHandler();
    hanging.hangIn = 'slow';
    const worker = engine(hanging, { leaseMs: 300 });
    const queued = await enqueue(worker, [{ name: 'never' }]);
    expect((await runs().cancel(queued.id, new Date()))?.status).toBe('cancelled');
    await worker.start();
    const running = await enqueue(worker, [{ name: 'slow' }]);
    await until(async () => hanging.performed.get('slow') === 1);
    expect((await runs().cancel(running.id, new Date()))?.status).toBe('running');
    await until(async () => (await statusOf(running.id)) === 'cancelled');
    expect(hanging.performed.get('never')).toBeUndefined();
    expect(await new RunsRepository(test.db, 'ten_other').cancel(running.id, new Date())).toBeUndefined();
  });

  it('replays a run’s events from any point, then follows new ones live', async () => {
    const worker = engine(new ScriptedHandler());
    const run = await enqueue(worker, [{ name: 'one' }, { name: 'two' }]);
    const seen: number[] = [];
    const stop = await worker.events.follow(run.id, 0, (event) => seen.push(event.seq));
    await worker.start();
    await until(async () => (await statusOf(run.id)) === 'completed');
    await until(async () => seen.length === 5);
    await stop();
    expect(seen).toEqual([1, 2, 3, 4, 5]);
    const fromThree = await worker.events.since(run.id, 3);
    expect(fromThree.map((event) => event.seq)).toEqual([4, 5]);
    expect(newId('run')).toMatch(/^run_/);
  });
});
