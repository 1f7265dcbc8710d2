/**
 * The inbox events a webhook can subscribe to. Add a type here and it is accepted in `events`, documented in the
 * API reference and can be emitted; receivers must ignore types they do not know.
 */
export const WEBHOOK_EVENT_TYPES = ['task.created', 'task.claimed', 'task.resolved', 'task.returned', 'task.sla_breached'] as const;

export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

/** Sent only by `POST /v1/inbox/webhooks/{id}/test`, to that webhook, whatever it subscribes to. */
export const WEBHOOK_TEST_EVENT = 'webhook.test';

export function isWebhookEventType(value: string): value is WebhookEventType {
  return (WEBHOOK_EVENT_TYPES as readonly string[]).includes(value);
}
