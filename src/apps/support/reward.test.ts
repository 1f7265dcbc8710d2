import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStores, SOURCE_TEXT, type Stores } from './__fixtures__/harness.js';
import { checkOutputs, dbCheck, replayExpectedActions, storeHash, type TauTask } from './reward.js';
import type { DatabaseStore } from './store/db-store.js';
import { MemoryStore } from './store/memory-store.js';

// τ²'s training tasks live in the shared benchmark folder next to the repository, not in the package.
const TASKS_PATH = fileURLToPath(new URL('../../../../shared/benchmarks/tau-retail/tasks-train.json', import.meta.url));
const HAVE_TASKS = existsSync(TASKS_PATH);
if (!HAVE_TASKS) console.warn(`support replay tests skipped: ${TASKS_PATH} is absent (the shared τ² benchmark folder)`);
const TASKS: TauTask[] = HAVE_TASKS ? (JSON.parse(readFileSync(TASKS_PATH, 'utf8')) as TauTask[]) : [];

// τ²'s task 105 asks for an exchange paid by a gift card holding 17.0 for a 21.1 difference: τ²'s own
// tool raises on it, so its gold replay is incomplete there too (τ² reports db_check=None for it).
const KNOWN_FAILING_WRITES: Record<string, string> = { '105': 'Error: Insufficient gift card balance to pay for the price difference' };

let stores: Stores;
let store: DatabaseStore;
beforeAll(async () => {
  stores = await openStores();
  store = await stores.fresh();
});
afterAll(async () => {
  await stores.testDb.close();
});

describe('support rewards', () => {
  it('checkOutputs: τ²’s communicate_info check (agent messages, lower case, commas dropped)', () => {
    const task: TauTask = { id: 't', evaluation_criteria: { communicate_info: ['1131.00', 'Polyester'] } };
    expect(
      checkOutputs(task, [
        { role: 'user', content: 'is it polyester?' },
        { role: 'assistant', content: 'Your refund is $1,131.00.' },
      ]),
    ).toEqual([
      { info: '1131.00', met: true },
      { info: 'Polyester', met: false },
    ]);
  });

  it('dbCheck: an agent that did what the task expects matches; one that did something else does not', async () => {
    const task: TauTask = {
      id: 'demo',
      evaluation_criteria: {
        actions: [{ name: 'cancel_pending_order', arguments: { order_id: '#W8367380', reason: 'no longer needed' } }],
      },
    };
    const agent = MemoryStore.fromText(SOURCE_TEXT);
    await replayExpectedActions(task, agent);
    expect(await dbCheck(task, agent, MemoryStore.fromText(SOURCE_TEXT))).toMatchObject({ match: true, reward: 1, failedWrites: [] });
    const wrong = MemoryStore.fromText(SOURCE_TEXT);
    await replayExpectedActions(
      {
        id: 'x',
        evaluation_criteria: {
          actions: [{ name: 'cancel_pending_order', arguments: { order_id: '#W8367380', reason: 'ordered by mistake' } }],
        },
      },
      wrong,
    );
    expect(await dbCheck(task, wrong, MemoryStore.fromText(SOURCE_TEXT))).toMatchObject({ match: false, reward: 0 });
  });

  describe.skipIf(!HAVE_TASKS)('replay of τ²’s 74 training tasks', () => {
    const results = new Map<string, boolean>();
    afterAll(() => {
      const clean = [...results.values()].filter(Boolean).length;
      console.info(`support replay: ${clean} of ${results.size} training tasks replay with every expected write succeeding`);
    });

    it('has the 74 tasks', () => {
      expect(TASKS).toHaveLength(74);
    });

    it.each(TASKS.map((task) => [task.id, task] as const))(
      'task %s: the database store ends where the in-memory replay does',
      async (id, task) => {
        await store.repository.reset(SOURCE_TEXT);
        const report = await replayExpectedActions(task, store);
        const memory = MemoryStore.fromText(SOURCE_TEXT);
        const memoryReport = await replayExpectedActions(task, memory);
        expect(await storeHash(store)).toBe(await storeHash(memory));
        expect(report.actions.map((action) => action.text)).toEqual(memoryReport.actions.map((action) => action.text));
        results.set(id, report.failedWrites.length === 0);
        expect(report.failedWrites.map((action) => action.text)).toEqual(KNOWN_FAILING_WRITES[id] ? [KNOWN_FAILING_WRITES[id]] : []);
      },
      120_000,
    );
  });
});
