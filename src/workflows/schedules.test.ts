/**
 * The workflow scheduler: it fires each slot a schedule names, at the instant of its time zone (across DST
 * changes too), once however the ticks fall, never a backlog when it starts, and two replicas firing the
 * same slots derive the same run ids, so the runs table holds one run per slot. Bad patterns and zones
 * are refused when the document is loaded.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { getTestDb, type TestDb } from '../../test/support/test-db.js';
import type { HubError } from '../core/index.js';
import { insertRun } from '../storage/index.js';
import type { ScheduleTrigger } from './document.js';
import { loadWorkflowDocument } from './load.js';
import {
  type ScheduledFiring,
  type ScheduledWorkflow,
  scheduledRunId,
  WorkflowScheduler,
  type WorkflowSchedulerOptions,
} from './schedules.js';

const MINUTE = 60_000;
const at = (iso: string) => Date.parse(iso);
const schedule = (cron: string, timezone = 'UTC', input: Record<string, unknown> = {}): ScheduleTrigger => ({ cron, timezone, input });
const workflowOf = (schedules: ScheduleTrigger[], extra: Partial<ScheduledWorkflow> = {}): ScheduledWorkflow => ({
  tenantId: 'ten_a',
  workflow: 'report',
  version: 3,
  keyId: 'key_a',
  schedules,
  ...extra,
});

interface Harness {
  scheduler: WorkflowScheduler;
  fired: ScheduledFiring[];
  warnings: string[];
  lists: () => number;
}

function harness(workflows: ScheduledWorkflow[] | (() => ScheduledWorkflow[]), options: WorkflowSchedulerOptions = {}): Harness {
  const fired: ScheduledFiring[] = [];
  const warnings: string[] = [];
  let lists = 0;
  const scheduler = new WorkflowScheduler(
    {
      listScheduled: async () => {
        lists++;
        return typeof workflows === 'function' ? workflows() : workflows;
      },
      fire: async (firing) => {
        fired.push(firing);
      },
      clock: { now: () => 0 },
      logger: { warn: (_fields, message) => warnings.push(message), error: (_fields, message) => warnings.push(message) },
    },
    options,
  );
  return { scheduler, fired, warnings, lists: () => lists };
}

/** Ticks from `from` with the given steps, cycling through them, and last at `to`. */
async function tickThrough(scheduler: WorkflowScheduler, from: number, to: number, steps: number[]): Promise<void> {
  for (let now = from, turn = 0; now < to; now += steps[turn++ % steps.length] as number) await scheduler.tick(now);
  await scheduler.tick(to);
}

const instants = (fired: ScheduledFiring[]) => fired.map((firing) => firing.fireAt.toISOString());

describe('firing times', () => {
  it('fires a Berlin 09:00 schedule at 08:00 UTC before the spring change and 07:00 UTC after it', async () => {
    const { scheduler, fired } = harness([workflowOf([schedule('0 9 * * *', 'Europe/Berlin', { report: 'daily' })])], {
      tickMs: 5 * MINUTE,
    });
    await tickThrough(scheduler, at('2025-03-29T00:00:00Z'), at('2025-03-31T12:00:00Z'), [5 * MINUTE]);
    expect(instants(fired)).toEqual(['2025-03-29T08:00:00.000Z', '2025-03-30T07:00:00.000Z', '2025-03-31T07:00:00.000Z']);
    expect(fired[0]).toEqual({
      tenantId: 'ten_a',
      workflow: 'report',
      version: 3,
      keyId: 'key_a',
      scheduleIndex: 0,
      fireAt: new Date('2025-03-29T08:00:00.000Z'),
      input: { report: 'daily' },
    });
  });

  it('fires a 02:30 schedule once on the night of the autumn change, when 02:30 happens twice', async () => {
    const { scheduler, fired } = harness([workflowOf([schedule('30 2 * * *', 'Europe/Berlin')])], { tickMs: 5 * MINUTE });
    await tickThrough(scheduler, at('2025-10-25T00:00:00Z'), at('2025-10-27T06:00:00Z'), [5 * MINUTE]);
    expect(instants(fired)).toEqual(['2025-10-25T00:30:00.000Z', '2025-10-26T00:30:00.000Z', '2025-10-27T01:30:00.000Z']);
  });

  it('fires the same slots, each once, however unevenly the ticks fall', async () => {
    const schedules = [schedule('*/7 * * * *', 'America/New_York'), schedule('15 */2 * * * *')];
    const even = harness([workflowOf(schedules)], { tickMs: 5_000 });
    const uneven = harness([workflowOf(schedules)], { tickMs: 5_000 });
    const from = at('2025-03-09T06:00:00Z');
    const to = at('2025-03-09T08:00:00Z');
    await tickThrough(even.scheduler, from, to, [5_000]);
    await tickThrough(uneven.scheduler, from, to, [1_000, 7_000, 59_999, 1, 13_000, 120_000]);
    const slots = (fired: ScheduledFiring[]) => fired.map((firing) => `${firing.scheduleIndex}@${firing.fireAt.toISOString()}`).sort();
    expect(slots(uneven.fired)).toEqual(slots(even.fired));
    expect(new Set(slots(even.fired)).size).toBe(even.fired.length);
    // Minutes 0, 7 … 56 of each hour (9 an hour, and 08:00 at the end), and second 15 of every second minute.
    expect(even.fired.filter((firing) => firing.scheduleIndex === 0)).toHaveLength(19);
    expect(even.fired.filter((firing) => firing.scheduleIndex === 1)).toHaveLength(60);
  });
});

describe('starting and falling behind', () => {
  it('fires, on its first tick, only a slot of the last tick, never the ones before it started', async () => {
    const { scheduler, fired } = harness([workflowOf([schedule('0 9 * * *'), schedule('* * * * *')])]);
    expect(await scheduler.tick(at('2025-06-02T09:00:03Z'))).toHaveLength(2);
    expect(instants(fired)).toEqual(['2025-06-02T09:00:00.000Z', '2025-06-02T09:00:00.000Z']);

    const late = harness([workflowOf([schedule('0 9 * * *'), schedule('* * * * *')])]);
    expect(await late.scheduler.tick(at('2025-06-02T09:00:10Z'))).toEqual([]);
    await late.scheduler.tick(at('2025-06-02T09:01:00Z'));
    expect(instants(late.fired)).toEqual(['2025-06-02T09:01:00.000Z']);
  });

  it('fires only the last maxCatchUpMs of a long stall, and says so', async () => {
    const { scheduler, fired, warnings } = harness([workflowOf([schedule('* * * * *')])], { maxCatchUpMs: 5 * MINUTE });
    await scheduler.tick(at('2025-06-02T09:00:30Z'));
    await scheduler.tick(at('2025-06-02T10:00:30Z'));
    expect(instants(fired)).toEqual(['09:56', '09:57', '09:58', '09:59', '10:00'].map((time) => `2025-06-02T${time}:00.000Z`));
    expect(warnings).toEqual([expect.stringMatching(/fell behind/)]);
  });

  it('does nothing when the clock goes back, and fires nothing twice after it', async () => {
    const { scheduler, fired } = harness([workflowOf([schedule('* * * * *')])]);
    await scheduler.tick(at('2025-06-02T09:00:02Z'));
    expect(await scheduler.tick(at('2025-06-02T08:59:00Z'))).toEqual([]);
    await scheduler.tick(at('2025-06-02T09:01:00Z'));
    expect(instants(fired)).toEqual(['2025-06-02T09:00:00.000Z', '2025-06-02T09:01:00.000Z']);
  });
});

describe('the list of scheduled workflows', () => {
  it('is asked for again only after refreshMs, and a new version is then fired', async () => {
    let version = 1;
    const { scheduler, fired, lists } = harness(() => [workflowOf([schedule('* * * * *')], { version })], { refreshMs: 30_000 });
    await scheduler.tick(at('2025-06-02T09:00:01Z'));
    version = 2;
    await scheduler.tick(at('2025-06-02T09:00:20Z'));
    expect(lists()).toBe(1);
    await scheduler.tick(at('2025-06-02T09:01:00Z'));
    expect(lists()).toBe(2);
    expect(fired.map((firing) => firing.version)).toEqual([1, 2]);
  });

  it('skips a workflow without a key, and says so', async () => {
    const { scheduler, fired, warnings } = harness([
      workflowOf([schedule('* * * * *')], { workflow: 'keyless', keyId: null }),
      workflowOf([schedule('* * * * *')]),
    ]);
    await scheduler.tick(at('2025-06-02T09:00:01Z'));
    expect(fired.map((firing) => firing.workflow)).toEqual(['report']);
    expect(warnings).toEqual([expect.stringMatching(/no key/)]);
  });
});

describe('a firing that fails', () => {
  it('is tried again on the next tick, and given up after retryForMs', async () => {
    const attempts: string[] = [];
    let failing = true;
    const errors: string[] = [];
    const scheduler = new WorkflowScheduler(
      {
        listScheduled: async () => [workflowOf([schedule('0 9 * * *')])],
        fire: async (firing) => {
          attempts.push(firing.fireAt.toISOString());
          if (failing) throw new Error('database down');
        },
        logger: { warn: () => {}, error: (_fields, message) => errors.push(message) },
      },
      { retryForMs: 2 * MINUTE },
    );
    expect(await scheduler.tick(at('2025-06-02T09:00:01Z'))).toEqual([]);
    expect(await scheduler.tick(at('2025-06-02T09:00:06Z'))).toEqual([]);
    failing = false;
    expect(instants(await scheduler.tick(at('2025-06-02T09:00:11Z')))).toEqual(['2025-06-02T09:00:00.000Z']);
    expect(attempts).toEqual(Array(3).fill('2025-06-02T09:00:00.000Z'));
    expect(await scheduler.tick(at('2025-06-02T09:00:16Z'))).toEqual([]);

    failing = true;
    await scheduler.tick(at('2025-06-03T09:00:01Z'));
    await scheduler.tick(at('2025-06-03T09:03:00Z'));
    expect(attempts.filter((instant) => instant.startsWith('2025-06-03'))).toHaveLength(1);
    expect(errors.at(-1)).toMatch(/could not be started in time/);
  });
});

describe('the timer', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('ticks every tickMs from start() until stop()', async () => {
    vi.useFakeTimers({ now: at('2025-06-02T08:59:58Z') });
    const fired: ScheduledFiring[] = [];
    const scheduler = new WorkflowScheduler(
      {
        listScheduled: async () => [workflowOf([schedule('* * * * *')])],
        fire: async (firing) => {
          fired.push(firing);
        },
        clock: { now: () => Date.now() },
      },
      { tickMs: 5_000 },
    );
    scheduler.start();
    // Ticks at 08:59:58 (start), then every 5 s: the one at 09:02:03 is the last before stop().
    await vi.advanceTimersByTimeAsync(2 * MINUTE + 6_000);
    await scheduler.stop();
    await vi.advanceTimersByTimeAsync(5 * MINUTE);
    expect(instants(fired)).toEqual(['2025-06-02T09:00:00.000Z', '2025-06-02T09:01:00.000Z', '2025-06-02T09:02:00.000Z']);
  });
});

describe('scheduledRunId', () => {
  it('names a slot: the same for the same tenant, workflow, schedule and instant, different otherwise', () => {
    const id = scheduledRunId('ten_a', 'report', 0, new Date('2025-06-02T09:00:00Z'));
    expect(id).toMatch(/^run_[0-9a-zA-Z]{24}$/);
    expect(scheduledRunId('ten_a', 'report', 0, at('2025-06-02T09:00:00Z'))).toBe(id);
    const others = [
      scheduledRunId('ten_b', 'report', 0, at('2025-06-02T09:00:00Z')),
      scheduledRunId('ten_a', 'reports', 0, at('2025-06-02T09:00:00Z')),
      scheduledRunId('ten_a', 'report', 1, at('2025-06-02T09:00:00Z')),
      scheduledRunId('ten_a', 'report', 0, at('2025-06-02T09:01:00Z')),
    ];
    expect(new Set([id, ...others]).size).toBe(5);
  });
});

describe('two replicas', () => {
  let testDb: TestDb;
  beforeAll(async () => {
    testDb = await getTestDb();
  }, 120_000);
  afterAll(async () => {
    await testDb?.close();
  });

  it('firing the same slots at different moments insert one run per slot', { timeout: 120_000 }, async () => {
    const workflows = [workflowOf([schedule('*/5 * * * *', 'Asia/Kolkata', { from: 'schedule' }), schedule('0 * * * *')])];
    const created: boolean[] = [];
    const replica = () =>
      new WorkflowScheduler(
        {
          listScheduled: async () => workflows,
          fire: async (firing) => {
            const run = {
              id: scheduledRunId(firing.tenantId, firing.workflow, firing.scheduleIndex, firing.fireAt),
              tenantId: firing.tenantId,
              kind: 'workflow',
              subject: firing.workflow,
              version: firing.version,
              input: { v: 1, key_id: firing.keyId, input: firing.input, ancestor_budgets: [] },
              state: {},
              metadata: { schedule: firing.scheduleIndex },
            };
            created.push((await insertRun(testDb.db, run, firing.fireAt)).created);
          },
        },
        { tickMs: 5_000 },
      );
    const first = replica();
    const second = replica();
    const from = at('2025-06-02T09:00:01Z');
    for (let now = from; now <= from + 60 * MINUTE; now += 5_000) {
      await first.tick(now);
      await second.tick(now + 2_000);
    }
    const rows = await testDb.db.query<{ id: string; input: unknown }>(
      "select id, input from runs where tenant_id = 'ten_a' and subject = 'report' order by created_at, id",
    );
    // From 09:00 (the first tick's slot) to 10:00: 13 slots every 5 minutes and 2 on the hour, each fired by both replicas.
    expect(rows).toHaveLength(15);
    expect(rows.map((row) => row.id)).toContain(scheduledRunId('ten_a', 'report', 1, at('2025-06-02T10:00:00Z')));
    expect(created.filter(Boolean)).toHaveLength(15);
    expect(created).toHaveLength(30);
  });
});

describe('schedules in the document', () => {
  const documentWith = (schedules: unknown[]) => ({
    apiVersion: 'tokenhub.dev/v1',
    kind: 'Workflow',
    metadata: { name: 'report' },
    spec: { triggers: { schedules }, steps: [{ id: 'w', kind: 'wait', seconds: 1 }] },
  });
  const refusal = (schedules: unknown[]): HubError => {
    try {
      loadWorkflowDocument(documentWith(schedules));
    } catch (error) {
      return error as HubError;
    }
    throw new Error('the document loaded');
  };

  it('refuses a pattern croner does not read, naming spec.triggers.schedules.N.cron', () => {
    for (const cron of ['every monday', '0 9 * *', '61 * * * *', '0 9 * * FUNDAY']) {
      const error = refusal([{ cron: '0 9 * * *' }, { cron }]);
      expect([error.status, error.details.code, error.details.param]).toEqual([400, 'invalid_workflow', 'spec.triggers.schedules.1.cron']);
      expect(error.message).toContain('spec.triggers.schedules.1.cron: is not a cron pattern of 5 or 6 fields');
    }
    expect(refusal([{ cron: '0 9 * * MON', timezone: 'Europe/Berlln' }]).details.param).toBe('spec.triggers.schedules.0.timezone');
    expect(refusal([{ cron: '0 9 * * MON', timezone: 'Europe/Berlln' }]).message).toContain('is not an IANA time zone');
  });

  it('takes 5 and 6 fields, nicknames, and the zones of the IANA database', () => {
    const document = loadWorkflowDocument(
      documentWith([
        { cron: '0 9 * * MON' },
        { cron: '*/10 * * * * *', timezone: 'Asia/Kathmandu' },
        { cron: '@daily', timezone: 'America/Argentina/Buenos_Aires' },
      ]),
    );
    expect(document.spec.triggers?.schedules?.map((entry) => entry.timezone)).toEqual([
      'UTC',
      'Asia/Kathmandu',
      'America/Argentina/Buenos_Aires',
    ]);
  });
});
