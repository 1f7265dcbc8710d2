import { Counter, Histogram, type Registry } from 'prom-client';

/** A task of the human inbox as the metrics see it (an inbox task record fits it as is). */
export interface InboxTaskObservation {
  kind: string;
  status: string;
  /** Free text when an agent gave its own reason: only the reasons the hub names become label values. */
  reason: string;
  /** Operator-configured (an agent's `escalation.queue`), so bounded. */
  queue: string;
  createdAt: Date;
  firstResponseAt: Date | null;
  claimedAt: Date | null;
  closedAt: Date | null;
}

/** An event of that task: its type (`task.created`, `task.message`…), who acted, and when. */
export interface InboxEventObservation {
  type: string;
  actor: string | null;
  at: Date;
}

/** The reasons the hub itself writes; an agent's own words (`transfer_to_human`'s `reason`) count as `other`. */
const KNOWN_REASONS = new Set([
  'transfer_to_human',
  'approval',
  'needs_attention',
  'customer_request',
  'negative_sentiment',
  'tool_errors',
  'budget_exhausted',
]);

const CLOSING_EVENTS = new Set(['task.resolved', 'task.returned', 'task.cancelled']);

/** Seconds, from ten seconds to a day: people answer in minutes to hours. */
const HUMAN_BUCKETS = [10, 30, 60, 120, 300, 600, 900, 1_800, 3_600, 7_200, 14_400, 28_800, 86_400];

const seconds = (from: Date, to: Date): number => Math.max(0, (to.getTime() - from.getTime()) / 1000);

/**
 * Prometheus metrics of the human inbox, registered on the hub's registry. Counted by the replica where
 * each change happened (Prometheus sums the replicas); no tenant, user or agent label, whose values are
 * unbounded — the stats API (`GET /v1/inbox/stats`) has those splits.
 */
export class InboxMetrics {
  private readonly created: Counter<'kind' | 'reason'>;
  private readonly closed: Counter<'kind' | 'status'>;
  private readonly breaches: Counter<'queue'>;
  private readonly firstResponse: Histogram;
  private readonly handling: Histogram;

  constructor(registry: Registry) {
    const registers = [registry];
    this.created = new Counter({
      name: 'tokenhub_inbox_tasks_created_total',
      help: "Inbox tasks opened, by kind (handoff, approval) and reason (the hub's reasons; an agent's own words count as other).",
      labelNames: ['kind', 'reason'],
      registers,
    });
    this.closed = new Counter({
      name: 'tokenhub_inbox_tasks_closed_total',
      help: 'Inbox tasks closed, by kind and the status they closed in (resolved, returned to the agent, cancelled).',
      labelNames: ['kind', 'status'],
      registers,
    });
    this.breaches = new Counter({
      name: 'tokenhub_inbox_sla_breaches_total',
      help: 'Inbox tasks still open or claimed at their due time (each counted once), by queue.',
      labelNames: ['queue'],
      registers,
    });
    this.firstResponse = new Histogram({
      name: 'tokenhub_inbox_first_response_seconds',
      help: "Seconds from a hand-off task's creation to the first reply a person wrote in its conversation.",
      buckets: HUMAN_BUCKETS,
      registers,
    });
    this.handling = new Histogram({
      name: 'tokenhub_inbox_handling_seconds',
      help: 'Seconds from the last claim of a hand-off task to its closing, for tasks resolved or handed back to the agent.',
      buckets: HUMAN_BUCKETS,
      registers,
    });
  }

  /** One change of a task, as the inbox reports it after writing it. */
  observe(task: InboxTaskObservation, event: InboxEventObservation): void {
    if (event.type === 'task.created') {
      this.created.inc({ kind: task.kind, reason: KNOWN_REASONS.has(task.reason) ? task.reason : 'other' });
    } else if (CLOSING_EVENTS.has(event.type)) {
      this.closed.inc({ kind: task.kind, status: task.status });
      if (task.kind === 'handoff' && task.status !== 'cancelled' && task.claimedAt && task.closedAt) {
        this.handling.observe(seconds(task.claimedAt, task.closedAt));
      }
    } else if (event.type === 'task.sla_breached') {
      this.breaches.inc({ queue: task.queue });
    } else if (
      event.type === 'task.message' &&
      task.kind === 'handoff' &&
      event.actor?.startsWith('user:') &&
      // The reply that set `first_response_at` carries the same instant; later replies leave it as it was.
      task.firstResponseAt?.getTime() === event.at.getTime()
    ) {
      this.firstResponse.observe(seconds(task.createdAt, task.firstResponseAt));
    }
  }
}
