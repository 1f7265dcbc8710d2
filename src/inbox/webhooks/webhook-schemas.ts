import { z } from 'zod';
import { HubError } from '../../core/index.js';
import { WEBHOOK_EVENT_TYPES } from './event-types.js';

export const MAX_WEBHOOK_URL_LENGTH = 2_048;
export const MAX_WEBHOOK_DESCRIPTION_LENGTH = 500;

const webhookUrl = z.string().min(1).max(MAX_WEBHOOK_URL_LENGTH).describe('Where events are POSTed: an absolute http(s) URL.');
const webhookEvents = z.array(z.enum(WEBHOOK_EVENT_TYPES)).min(1).max(64).describe('The event types to send; at least one.');
const webhookDescription = z.string().max(MAX_WEBHOOK_DESCRIPTION_LENGTH);

export const createWebhookBody = z.strictObject({
  url: webhookUrl,
  events: webhookEvents,
  description: webhookDescription.optional(),
});

export const updateWebhookBody = z.strictObject({
  url: webhookUrl.optional(),
  events: webhookEvents.optional(),
  description: webhookDescription.nullable().optional().describe('`null` clears it.'),
  disabled: z.boolean().optional().describe('A disabled webhook is sent nothing; its pending deliveries wait until it is enabled.'),
});

export type CreateWebhookInput = z.input<typeof createWebhookBody>;
export type UpdateWebhookInput = z.input<typeof updateWebhookBody>;

const webhookId = z.string().regex(/^whk_[A-Za-z0-9]{1,64}$/, 'is not a webhook id');
const deliveryId = z.string().regex(/^whd_[A-Za-z0-9]{1,64}$/, 'is not a delivery id');

export const webhookParams = z.object({ id: webhookId });
export const webhookDeliveryParams = z.object({ id: webhookId, delivery_id: deliveryId });
export const webhookDeliveriesQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  after: deliveryId.optional().describe('A delivery id: the page continues with the deliveries older than it.'),
});

const timestamp = z.string().describe('ISO 8601');

/** What the API shows of a webhook: never its secret, which only the creating response carries. */
export const inboxWebhookSchema = z.object({
  object: z.literal('inbox_webhook'),
  id: z.string(),
  url: z.string(),
  events: z.array(z.string()),
  description: z.string().nullable(),
  disabled: z.boolean(),
  created_at: timestamp,
  updated_at: timestamp,
});

export const createdInboxWebhookSchema = inboxWebhookSchema.extend({
  secret: z.string().describe('The signing secret (`whsec_…`), shown this once: store it now.'),
});

export const webhookDeliverySchema = z.object({
  object: z.literal('inbox_webhook_delivery'),
  id: z.string(),
  webhook_id: z.string(),
  event_id: z.string(),
  type: z.string(),
  status: z.enum(['pending', 'delivered', 'failed']),
  attempts: z.number().int(),
  next_attempt_at: timestamp.nullable(),
  last_attempt_at: timestamp.nullable(),
  last_status_code: z.number().int().nullable(),
  last_error: z.string().nullable().describe("The last failed attempt's reason or the start of the receiver's answer."),
  created_at: timestamp,
  delivered_at: timestamp.nullable(),
  event: z.record(z.string(), z.unknown()).describe('The body sent: `{id, type, created_at, tenant_id, data}`.'),
});

/** Parses a request part; the first problem is a 400 naming its field. */
export function parseInput<T>(schema: z.ZodType<T>, value: unknown): T {
  const result = schema.safeParse(value ?? {});
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const param = issue?.path.map(String).join('.') || undefined;
  throw new HubError('INVALID_REQUEST', param ? `Invalid ${param}: ${issue?.message}` : `Invalid request: ${issue?.message}`, {
    ...(param ? { param } : {}),
  });
}
