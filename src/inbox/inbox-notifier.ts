import type { JsonObject } from '../core/index.js';
import type { RunBroadcast } from '../runs/index.js';
import type { InboxEventRecord, InboxTaskRecord } from '../storage/index.js';
import { taskDto } from './task-dto.js';
import type { InboxWebhooks, WebhookEventType } from './webhooks/index.js';

export const inboxChannel = (tenantId: string): string => `inbox-events:${tenantId}`;

/** Task events that tenants' webhooks are sent. */
const WEBHOOK_OF: Record<string, WebhookEventType> = {
  'task.created': 'task.created',
  'task.claimed': 'task.claimed',
  'task.resolved': 'task.resolved',
  'task.returned': 'task.returned',
  'task.sla_breached': 'task.sla_breached',
};

export interface InboxObserver {
  taskChanged(task: InboxTaskRecord, event: InboxEventRecord): void;
}

/**
 * Tells the world a task changed: live screens on every replica (a published sequence number makes their
 * streams read again), the tenant's webhooks (durable deliveries), and the metrics.
 */
export class InboxNotifier {
  private readonly broadcast: RunBroadcast;
  private readonly webhooks: InboxWebhooks | undefined;
  private readonly observer: InboxObserver | undefined;
  private readonly onError: (error: unknown) => void;

  constructor(options: {
    broadcast: RunBroadcast;
    webhooks?: InboxWebhooks;
    observer?: InboxObserver;
    onError?: (error: unknown) => void;
  }) {
    this.broadcast = options.broadcast;
    this.webhooks = options.webhooks;
    this.observer = options.observer;
    this.onError = options.onError ?? (() => {});
  }

  async changed(task: InboxTaskRecord, event: InboxEventRecord): Promise<void> {
    this.observer?.taskChanged(task, event);
    const webhook = WEBHOOK_OF[event.type];
    if (webhook && this.webhooks) {
      // The delivery row is the durable part; a failure to write it is logged, never thrown at the person acting.
      await this.webhooks
        .emit(task.tenantId, webhook, { task: taskDto(task), actor: event.actor, event_seq: event.seq.toString() } as unknown as JsonObject)
        .catch(this.onError);
    }
    await this.broadcast.publish(inboxChannel(task.tenantId), event.seq.toString()).catch(this.onError);
  }
}
