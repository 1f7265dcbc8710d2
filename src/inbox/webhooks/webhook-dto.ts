import type { InboxWebhook, WebhookDelivery } from './inbox-webhooks.js';

const iso = (date: Date | null): string | null => (date === null ? null : date.toISOString());

/** A webhook as the API answers it: never its secret. */
export function webhookDto(webhook: InboxWebhook) {
  return {
    object: 'inbox_webhook' as const,
    id: webhook.id,
    url: webhook.url,
    events: webhook.events,
    description: webhook.description,
    disabled: webhook.disabled,
    created_at: webhook.createdAt.toISOString(),
    updated_at: webhook.updatedAt.toISOString(),
  };
}

/** One row of a webhook's delivery log. */
export function webhookDeliveryDto(delivery: WebhookDelivery) {
  return {
    object: 'inbox_webhook_delivery' as const,
    id: delivery.id,
    webhook_id: delivery.webhookId,
    event_id: delivery.eventId,
    type: delivery.eventType,
    status: delivery.status,
    attempts: delivery.attempts,
    next_attempt_at: delivery.status === 'pending' ? iso(delivery.nextAttemptAt) : null,
    last_attempt_at: iso(delivery.lastAttemptAt),
    last_status_code: delivery.lastStatusCode,
    last_error: delivery.lastError,
    created_at: delivery.createdAt.toISOString(),
    delivered_at: iso(delivery.deliveredAt),
    event: delivery.payload as Record<string, unknown>,
  };
}
