import type { Clock } from '../core/index.js';
import { type Database, InboxSweeps } from '../storage/index.js';
import type { InboxNotifier } from './inbox-notifier.js';
import type { InboxService } from './inbox-service.js';

/**
 * Runs on every replica, every few seconds: claims whose lease ran out go back to their queue, tasks past
 * their due time are marked breached (once, with a `task.sla_breached` event), and runs that paused for a
 * person without their task (their replica died in between) get it. Each sweep is one statement that skips
 * rows another replica is sweeping.
 */
export class InboxSweeper {
  private readonly sweeps: InboxSweeps;
  private readonly inbox: InboxService;
  private readonly notifier: InboxNotifier;
  private readonly clock: Clock;
  private readonly intervalMs: number;
  private readonly onError: (error: unknown) => void;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(options: {
    db: Database;
    inbox: InboxService;
    notifier: InboxNotifier;
    clock: Clock;
    intervalMs?: number;
    onError?: (error: unknown) => void;
  }) {
    this.sweeps = new InboxSweeps(options.db);
    this.inbox = options.inbox;
    this.notifier = options.notifier;
    this.clock = options.clock;
    this.intervalMs = options.intervalMs ?? 5_000;
    this.onError = options.onError ?? (() => {});
  }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.sweep(), this.intervalMs);
    this.timer.unref();
    void this.sweep();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }

  /** One sweep (tests call it directly); concurrent calls share the one in progress. */
  sweep(): Promise<void> {
    this.running ??= this.sweepOnce()
      .catch(this.onError)
      .finally(() => {
        this.running = undefined;
      });
    return this.running;
  }

  private async sweepOnce(): Promise<void> {
    const now = new Date(this.clock.now());
    for (const { task, assignee } of await this.sweeps.expireClaims(now)) {
      const event = await this.sweeps.appendEvent(task, 'task.lease_expired', 'system', { previous_assignee: assignee }, now);
      await this.notifier.changed(task, event);
    }
    for (const task of await this.sweeps.breachSla(now)) {
      const event = await this.sweeps.appendEvent(task, 'task.sla_breached', 'system', { due_at: task.dueAt?.toISOString() ?? null }, now);
      await this.notifier.changed(task, event);
    }
    for (const run of await this.sweeps.runsLackingTasks(now, 24 * 3_600_000)) {
      await this.inbox.openTasksFor(run.tenantId, run.id);
    }
  }
}
