import { Cron } from 'croner';
import { type Clock, derivedId, systemClock } from '../core/index.js';
import type { ScheduleTrigger } from './document.js';

/** How croner reads a schedule's pattern: 5 fields, or 6 with seconds first; never a year field. */
const CRON_OPTIONS = { mode: '5-or-6-parts' } as const;
const TIME_ZONE_NAME = /^[A-Za-z][A-Za-z0-9_+\-/]{0,99}$/;

/** Why croner does not take a pattern, or undefined when it does. */
export function cronProblem(pattern: string): string | undefined {
  let cron: Cron;
  try {
    cron = new Cron(pattern, { ...CRON_OPTIONS, timezone: 'UTC' });
  } catch (error) {
    return `is not a cron pattern of 5 or 6 fields: ${(error as Error).message.replace(/^CronPattern:\s*/, '')}`;
  }
  // A pattern without a year that names no real day (`0 0 30 2 *`) has no next time at all.
  if (cron.nextRun() === null) return 'never fires (it names no day that exists)';
  return undefined;
}

/** Why a name is not an IANA time zone this runtime knows, or undefined when it is. */
export function timeZoneProblem(zone: string): string | undefined {
  if (TIME_ZONE_NAME.test(zone)) {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: zone });
      return undefined;
    } catch {
      // Falls through to the message below.
    }
  }
  return `is not an IANA time zone (e.g. "UTC", "Europe/Berlin", "America/New_York")`;
}

/**
 * The id of the run a schedule starts at one time: every replica that fires the same slot derives the same
 * id, and the run is inserted under it once (`on conflict do nothing`), so a slot starts one run however
 * many replicas see it.
 */
export function scheduledRunId(tenantId: string, workflow: string, scheduleIndex: number, fireAt: Date | number): string {
  const instant = new Date(fireAt).toISOString();
  return derivedId('run', `scheduled-run:${JSON.stringify([tenantId, workflow, scheduleIndex, instant])}`);
}

/** A workflow's active version with schedules, and the key its runs are billed to (null: none, it is skipped). */
export interface ScheduledWorkflow {
  tenantId: string;
  workflow: string;
  version: number;
  keyId: string | null;
  schedules: ScheduleTrigger[];
}

/** One slot of one schedule, for the caller to enqueue under `scheduledRunId(…)`. */
export interface ScheduledFiring {
  tenantId: string;
  workflow: string;
  version: number;
  keyId: string;
  scheduleIndex: number;
  fireAt: Date;
  input: Record<string, unknown>;
}

export interface WorkflowSchedulerLogger {
  warn(fields: Record<string, unknown>, message: string): void;
  error(fields: Record<string, unknown>, message: string): void;
}

export interface WorkflowSchedulerDeps {
  listScheduled(): Promise<ScheduledWorkflow[]>;
  /** Enqueues the slot's run; must be idempotent (the same firing may come from several replicas, or again after a failure). */
  fire(firing: ScheduledFiring): Promise<void>;
  clock?: Clock;
  logger?: WorkflowSchedulerLogger;
}

export interface WorkflowSchedulerOptions {
  /** How often the scheduler looks for due slots (default 5 s). */
  tickMs?: number;
  /** How long the list of scheduled workflows is reused before it is asked for again (default 30 s). */
  refreshMs?: number;
  /** A tick that comes later than this after the one before (a stalled process) fires only this much of the gap (default 5 min). */
  maxCatchUpMs?: number;
  /** A firing that failed is tried again on the next ticks for this long (default 10 min). */
  retryForMs?: number;
}

interface Entry {
  workflow: ScheduledWorkflow & { keyId: string };
  index: number;
  cron: Cron;
}

const quiet: WorkflowSchedulerLogger = { warn: () => {}, error: () => {} };

/**
 * Starts the runs of workflow schedules. Every replica runs one: each tick fires the slots that fell due
 * since the tick before, in each schedule's time zone (croner), and the deterministic run id of a slot
 * makes the replicas' firings one run. A scheduler that starts fires only a slot of the last tick, never
 * the slots it missed while no replica ran.
 */
export class WorkflowScheduler {
  private readonly deps: WorkflowSchedulerDeps;
  private readonly clock: Clock;
  private readonly logger: WorkflowSchedulerLogger;
  private readonly tickMs: number;
  private readonly refreshMs: number;
  private readonly maxCatchUpMs: number;
  private readonly retryForMs: number;
  private lastTick: number | undefined;
  private entries: Entry[] = [];
  private listedAt: number | undefined;
  private failed: ScheduledFiring[] = [];
  private timer: NodeJS.Timeout | undefined;
  private ticking: Promise<unknown> | undefined;

  constructor(deps: WorkflowSchedulerDeps, options: WorkflowSchedulerOptions = {}) {
    this.deps = deps;
    this.clock = deps.clock ?? systemClock;
    this.logger = deps.logger ?? quiet;
    this.tickMs = options.tickMs ?? 5_000;
    this.refreshMs = options.refreshMs ?? 30_000;
    this.maxCatchUpMs = Math.max(options.maxCatchUpMs ?? 300_000, this.tickMs);
    this.retryForMs = options.retryForMs ?? 600_000;
  }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => this.tickInBackground(), this.tickMs);
    this.timer.unref();
    this.tickInBackground();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.ticking;
  }

  /** Fires the slots in (last tick, now]; returns the firings made. */
  async tick(now: number = this.clock.now()): Promise<ScheduledFiring[]> {
    const previous = this.lastTick ?? now - this.tickMs;
    if (now <= previous) return [];
    this.lastTick = now;
    let from = previous;
    if (now - from > this.maxCatchUpMs) {
      this.logger.warn(
        { from: new Date(from).toISOString(), now: new Date(now).toISOString() },
        'workflow scheduler fell behind; skipping the oldest slots',
      );
      from = now - this.maxCatchUpMs;
    }
    const retries = this.failed.filter((firing) => now - firing.fireAt.getTime() <= this.retryForMs);
    if (retries.length < this.failed.length)
      this.logger.error({ dropped: this.failed.length - retries.length }, 'scheduled workflow runs could not be started in time');
    this.failed = [];
    const due: ScheduledFiring[] = [...retries];
    for (const { workflow, index, cron } of await this.scheduled(now)) {
      const schedule = workflow.schedules[index] as ScheduleTrigger;
      for (const fireAt of firingTimes(cron, from, now)) {
        const { tenantId, version, keyId } = workflow;
        due.push({ tenantId, workflow: workflow.workflow, version, keyId, scheduleIndex: index, fireAt, input: schedule.input });
      }
    }
    const fired: ScheduledFiring[] = [];
    for (const firing of due) {
      try {
        await this.deps.fire(firing);
        fired.push(firing);
      } catch (error) {
        this.failed.push(firing);
        this.logger.error(
          { tenant_id: firing.tenantId, workflow: firing.workflow, fire_at: firing.fireAt.toISOString(), err: (error as Error).message },
          'a scheduled workflow run could not be started; it is tried again',
        );
      }
    }
    return fired;
  }

  private tickInBackground(): void {
    if (this.ticking) return;
    this.ticking = this.tick()
      .catch((error: unknown) => this.logger.error({ err: (error as Error).message }, 'workflow scheduler tick failed'))
      .finally(() => {
        this.ticking = undefined;
      });
  }

  private async scheduled(now: number): Promise<Entry[]> {
    if (this.listedAt !== undefined && now - this.listedAt < this.refreshMs) return this.entries;
    let workflows: ScheduledWorkflow[];
    try {
      workflows = await this.deps.listScheduled();
    } catch (error) {
      this.logger.error({ err: (error as Error).message }, 'could not list scheduled workflows; using the last list');
      return this.entries;
    }
    this.listedAt = now;
    this.entries = [];
    for (const workflow of workflows) {
      const { keyId } = workflow;
      if (keyId === null) {
        this.logger.warn(
          { tenant_id: workflow.tenantId, workflow: workflow.workflow },
          'scheduled workflow has no key to run under; skipped',
        );
        continue;
      }
      for (const [index, schedule] of workflow.schedules.entries()) {
        // croner checks the zone only when it computes a time: a bad one would fail every tick.
        const zoneProblem = timeZoneProblem(schedule.timezone);
        try {
          if (zoneProblem) throw new Error(`timezone ${zoneProblem}`);
          const cron = new Cron(schedule.cron, { ...CRON_OPTIONS, timezone: schedule.timezone });
          this.entries.push({ workflow: { ...workflow, keyId }, index, cron });
        } catch (error) {
          this.logger.error(
            { tenant_id: workflow.tenantId, workflow: workflow.workflow, schedule: index, err: (error as Error).message },
            'schedule skipped',
          );
        }
      }
    }
    return this.entries;
  }
}

/** The times a pattern names in (from, to], in order. */
function firingTimes(cron: Cron, from: number, to: number): Date[] {
  const times: Date[] = [];
  let next = cron.nextRun(new Date(from));
  while (next && next.getTime() <= to) {
    times.push(next);
    next = cron.nextRun(next);
  }
  return times;
}
