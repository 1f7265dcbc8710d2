import { type Clock, HubError, newId, systemClock } from '../core/index.js';
import {
  type Database,
  FINAL_RUN_STATUSES,
  insertRun,
  type JsonRecord,
  type NewRun,
  RunLeases,
  type RunRecord,
  RunStepsRepository,
} from '../storage/index.js';
import type { RunHandler, RunOutcome } from './contract.js';
import { RecordedEffectError, RunContext } from './run-context.js';
import { type RunBroadcast, RunEvents } from './run-events.js';
import { LeaseLostError, NeedsAttentionError, RunCancelledError } from './run-signals.js';

const WAKE_CHANNEL = 'runs:wake';

export interface RunEngineLogger {
  warn(fields: Record<string, unknown>, message: string): void;
  error(fields: Record<string, unknown>, message: string): void;
}

export interface RunEngineOptions {
  db: Database;
  cluster: RunBroadcast;
  handlers: readonly RunHandler[];
  /** This replica's name on the leases it holds (default: a fresh id). */
  owner?: string;
  /** How long a lease lasts without a heartbeat: a dead replica's runs are taken over after this (default 6 s). */
  leaseMs?: number;
  /** Default: a third of the lease. */
  heartbeatMs?: number;
  /** How often the queue is polled besides wake-ups (default 1 s). */
  pollMs?: number;
  /** Runs this replica works on at once (default 8). */
  concurrency?: number;
  clock?: Clock;
  logger?: RunEngineLogger;
  /** Told each time an attempt leaves a run in a status (final or paused) it recorded, e.g. for metrics. Must not throw. */
  onRunLeft?: (run: RunRecord, status: RunOutcome['status']) => void;
}

const quiet: RunEngineLogger = { warn: () => {}, error: () => {} };

/**
 * The durable execution engine: runs are rows; a replica works on one only under a lease it claimed
 * (`FOR UPDATE SKIP LOCKED`) and keeps alive with heartbeats. A replica that dies stops heartbeating, so
 * its lease expires and another replica (or itself, restarted) takes the run up and resumes it from its
 * recorded steps. A run that pauses for a person leaves the engine entirely: no lease, no memory.
 */
export class RunEngine {
  readonly owner: string;
  readonly events: RunEvents;
  private readonly options: Required<Omit<RunEngineOptions, 'owner' | 'handlers' | 'onRunLeft'>>;
  private readonly onRunLeft: NonNullable<RunEngineOptions['onRunLeft']> | undefined;
  private readonly handlers: Map<string, RunHandler>;
  private readonly leases: RunLeases;
  private readonly steps: RunStepsRepository;
  private readonly active = new Map<string, { controller: AbortController; done: Promise<void> }>();
  private timer: NodeJS.Timeout | null = null;
  private unsubscribe: (() => Promise<void>) | null = null;
  private ticking: Promise<void> | null = null;
  private tickAgain = false;
  private stopped = true;

  constructor(options: RunEngineOptions) {
    this.owner = options.owner ?? newId('wrk', 16);
    const leaseMs = options.leaseMs ?? 6_000;
    this.options = {
      db: options.db,
      cluster: options.cluster,
      leaseMs,
      heartbeatMs: options.heartbeatMs ?? Math.max(50, Math.floor(leaseMs / 3)),
      pollMs: options.pollMs ?? 1_000,
      concurrency: options.concurrency ?? 8,
      clock: options.clock ?? systemClock,
      logger: options.logger ?? quiet,
    };
    this.onRunLeft = options.onRunLeft;
    this.handlers = new Map(options.handlers.map((handler) => [handler.kind, handler]));
    this.leases = new RunLeases(options.db);
    this.steps = new RunStepsRepository(options.db);
    this.events = new RunEvents(options.db, options.cluster);
  }

  /** Adds the handler of another run kind (composition adds workflow runs to the agents' engine). */
  addHandler(handler: RunHandler): void {
    this.handlers.set(handler.kind, handler);
  }

  /** Starts taking runs up: polls the queue and wakes at once when any replica enqueues. */
  async start(): Promise<void> {
    if (!this.stopped) return;
    this.stopped = false;
    this.unsubscribe = await this.options.cluster.subscribe(WAKE_CHANNEL, () => this.wake());
    this.timer = setInterval(() => this.wake(), this.options.pollMs);
    this.timer.unref();
    this.wake();
  }

  /**
   * Queues a run; any replica's engine takes it up. A run whose id exists already is returned as it stands
   * and not queued again, so starting a run under a deterministic id (a child run) is safe to repeat.
   */
  async enqueue(run: Omit<NewRun, 'id'> & { id?: string }): Promise<RunRecord> {
    const { run: record, created } = await insertRun(this.options.db, { ...run, id: run.id ?? newId('run') }, this.now());
    if (!created) return record;
    await this.events.append(record.id, 'run.queued', { run_id: record.id, subject: record.subject, version: record.version }, this.now());
    await this.notify();
    return record;
  }

  /** Tells every replica's engine that there is work (after a run was queued or resumed elsewhere). */
  async notify(): Promise<void> {
    await this.options.cluster.publish(WAKE_CHANNEL, '1').catch(() => {});
  }

  /** Runs this replica holds a lease on right now. */
  get running(): number {
    return this.active.size;
  }

  wake(): void {
    if (this.stopped) return;
    if (this.ticking) {
      this.tickAgain = true;
      return;
    }
    this.ticking = this.tick()
      .catch((error: unknown) => this.options.logger.warn({ err: error }, 'claiming runs failed; will retry'))
      .finally(() => {
        this.ticking = null;
        if (this.tickAgain) {
          this.tickAgain = false;
          this.wake();
        }
      });
  }

  /** Stops taking runs and gives back the ones in flight, so another replica resumes them at once. */
  async stop(): Promise<void> {
    this.halt();
    for (const [runId, entry] of this.active) entry.controller.abort(new LeaseLostError(runId));
    const entries = [...this.active.entries()];
    await Promise.allSettled(entries.map(([, entry]) => entry.done));
    await Promise.allSettled(entries.map(([runId]) => this.leases.giveBack(runId, this.owner, this.now())));
  }

  /**
   * Drops everything without a word to the database, as a process killed mid-run would (tests of
   * take-over): the leases are left to expire.
   */
  async abandon(): Promise<void> {
    this.halt();
    for (const [runId, entry] of this.active) entry.controller.abort(new LeaseLostError(runId));
    await Promise.allSettled([...this.active.values()].map((entry) => entry.done));
  }

  private halt(): void {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    void this.unsubscribe?.().catch(() => {});
    this.unsubscribe = null;
  }

  private async tick(): Promise<void> {
    const room = this.options.concurrency - this.active.size;
    if (room <= 0) return;
    const now = this.now();
    const claimed = await this.leases.claim(this.owner, room, now, new Date(now.getTime() + this.options.leaseMs), [
      ...this.handlers.keys(),
    ]);
    for (const run of claimed) {
      if (this.stopped) {
        await this.leases.giveBack(run.id, this.owner, this.now());
        continue;
      }
      const controller = new AbortController();
      const done = this.execute(run, controller)
        .catch((error: unknown) => this.options.logger.error({ err: error, runId: run.id }, 'run execution failed'))
        .finally(() => {
          this.active.delete(run.id);
          this.wake();
        });
      this.active.set(run.id, { controller, done });
    }
  }

  private async execute(run: RunRecord, controller: AbortController): Promise<void> {
    const handler = this.handlers.get(run.kind);
    if (!handler) return;
    const heartbeat = setInterval(() => {
      void this.leases
        .heartbeat(run.id, this.owner, new Date(this.now().getTime() + this.options.leaseMs))
        .then((beat) => {
          if (!beat) controller.abort(new LeaseLostError(run.id));
          else if (beat.cancelRequested) controller.abort(new RunCancelledError(run.id));
        })
        .catch((error: unknown) => this.options.logger.warn({ err: error, runId: run.id }, 'run heartbeat failed'));
    }, this.options.heartbeatMs);
    heartbeat.unref();
    let outcome: RunOutcome;
    try {
      if (run.cancelRequested) throw new RunCancelledError(run.id);
      const recorded = await this.steps.forRun(run.id);
      const context = new RunContext({
        run,
        owner: this.owner,
        recorded,
        steps: this.steps,
        leases: this.leases,
        events: this.events,
        clock: this.options.clock,
        signal: controller.signal,
      });
      await context.emit(context.resumed ? 'run.resumed' : 'run.started', { run_id: run.id, attempt: run.attempts });
      outcome = await handler.execute(run, context);
      // A cancel or a lost lease that arrived while the handler finished still wins.
      if (controller.signal.aborted) throw controller.signal.reason;
    } catch (error) {
      const reason = controller.signal.aborted ? controller.signal.reason : error;
      if (reason instanceof LeaseLostError) return;
      outcome = outcomeOfError(reason);
    } finally {
      clearInterval(heartbeat);
    }
    const now = this.now();
    const final = FINAL_RUN_STATUSES.includes(outcome.status);
    const left = await this.leases.transition(
      run.id,
      this.owner,
      {
        status: outcome.status,
        ...(outcome.state ? { state: outcome.state } : {}),
        ...(outcome.output ? { output: outcome.output } : {}),
        ...(outcome.error ? { error: outcome.error } : {}),
        finishedAt: final ? now : null,
      },
      now,
    );
    if (!left) return;
    this.onRunLeft?.(run, outcome.status);
    const detail: JsonRecord = { run_id: run.id, status: outcome.status };
    if (outcome.output) detail.output = outcome.output;
    if (outcome.error) detail.error = outcome.error;
    await this.events.append(run.id, `run.${outcome.status}`, detail, now);
  }

  private now(): Date {
    return new Date(this.options.clock.now());
  }
}

/**
 * A hub error that ended the run names it by its catalog code (`rate_limited`, `upstream_unavailable`), the same
 * when the run first failed and when a resumed run replays the recorded failure; anything else is `run_failed`.
 */
function failureCode(error: unknown): string {
  if (error instanceof HubError) return error.code.toLowerCase();
  if (error instanceof RecordedEffectError && error.code && /^[A-Z][A-Z_]*$/.test(error.code)) return error.code.toLowerCase();
  return 'run_failed';
}

function outcomeOfError(error: unknown): RunOutcome {
  if (error instanceof RunCancelledError) return { status: 'cancelled' };
  if (error instanceof NeedsAttentionError) return { status: 'needs_attention', error: error.detail() };
  return { status: 'failed', error: { code: failureCode(error), message: (error as Error)?.message ?? String(error) } };
}
