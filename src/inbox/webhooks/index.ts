/**
 * Webhooks for inbox task events: a tenant registers URLs and the event types each wants; `InboxWebhooks.emit`
 * records one delivery per subscribed webhook, and each replica's worker sends them, signed with the webhook's
 * secret (`TokenHub-Signature`), retrying with backoff, claimed with `FOR UPDATE SKIP LOCKED` so no two replicas
 * send one delivery at once. Receivers check signatures with `verifyWebhookSignature`.
 */
export {
  backoffDelay,
  DEFAULT_BACKOFF_MS,
  DEFAULT_DELIVERY_TIMEOUT_MS,
  DEFAULT_MAX_ATTEMPTS,
  type WebhookWorkerLogger,
} from './delivery-worker.js';
export { isWebhookEventType, WEBHOOK_EVENT_TYPES, WEBHOOK_TEST_EVENT, type WebhookEventType } from './event-types.js';
export { type AuthorizeWebhooks, inboxWebhookRoutes, type WebhookPermission } from './inbox-webhook-routes.js';
export {
  type InboxWebhook,
  InboxWebhooks,
  type InboxWebhooksOptions,
  MAX_WEBHOOKS_PER_TENANT,
  type WebhookDelivery,
  type WebhookEvent,
} from './inbox-webhooks.js';
export { inboxWebhookApiPaths } from './openapi-paths.js';
export {
  DEFAULT_SIGNATURE_TOLERANCE_SECONDS,
  DELIVERY_HEADER,
  EVENT_HEADER,
  SIGNATURE_HEADER,
  signWebhookPayload,
  type VerifyWebhookSignatureOptions,
  verifyWebhookSignature,
  WEBHOOK_SECRET_PREFIX,
} from './signature.js';
export { webhookDeliveryDto, webhookDto } from './webhook-dto.js';
export { createWebhookBody, updateWebhookBody, webhookDeliveriesQuery, webhookDeliveryParams, webhookParams } from './webhook-schemas.js';
export { resealWebhookSecrets } from './webhook-secret.js';
