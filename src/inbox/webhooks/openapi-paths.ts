import { z } from 'zod';
import type { ZodOpenApiOperationObject, ZodOpenApiPathsObject } from 'zod-openapi';
import {
  createdInboxWebhookSchema,
  createWebhookBody,
  inboxWebhookSchema,
  updateWebhookBody,
  webhookDeliveriesQuery,
  webhookDeliveryParams,
  webhookDeliverySchema,
  webhookParams,
} from './webhook-schemas.js';

const TAG = 'Inbox';
const ERRORS = {
  default: {
    description:
      'An error, as `{ "error": { "message", "type", "param", "code" } }`: 400 naming the field (`url` for a refused address), 401, 403, 404 (also for another tenant\'s webhook), 409.',
    content: { 'application/json': {} },
  },
};

// Named once at load: zod's registry refuses a second schema under the same id.
const schemas = {
  create: createWebhookBody.meta({ id: 'CreateInboxWebhookRequest' }),
  update: updateWebhookBody.meta({ id: 'UpdateInboxWebhookRequest' }),
  webhook: inboxWebhookSchema.meta({ id: 'InboxWebhook' }),
  created: createdInboxWebhookSchema.meta({ id: 'CreatedInboxWebhook' }),
  delivery: webhookDeliverySchema.meta({ id: 'InboxWebhookDelivery' }),
};

const json = (description: string, schema?: z.ZodType) => ({
  description,
  content: { 'application/json': schema ? { schema } : {} },
});
const body = (schema: z.ZodType) => ({ content: { 'application/json': { schema } } });
const operation = (summary: string, rest: Omit<ZodOpenApiOperationObject, 'summary' | 'tags'>): ZodOpenApiOperationObject => ({
  summary,
  tags: [TAG],
  ...rest,
  responses: { ...rest.responses, ...ERRORS },
});

/** The routes of `inboxWebhookRoutes`, for the API reference. */
export function inboxWebhookApiPaths(): ZodOpenApiPathsObject {
  const path = { path: webhookParams };
  const list = (item: z.ZodType) => z.object({ object: z.literal('list'), data: z.array(item) });
  return {
    '/v1/inbox/webhooks': {
      get: operation('List webhooks (webhooks:read)', {
        responses: { '200': json("The tenant's webhooks, without secrets.", list(schemas.webhook)) },
      }),
      post: operation('Create a webhook (webhooks:write)', {
        description:
          'Events are POSTed as JSON signed with `TokenHub-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>`. The URL must pass the upstream address policy (no private or metadata addresses). Needs `TOKENHUB_SECRET_KEY` on the hub.',
        requestBody: body(schemas.create),
        responses: { '201': json('The webhook with its signing secret, shown this once.', schemas.created) },
      }),
    },
    '/v1/inbox/webhooks/{id}': {
      get: operation('Read a webhook (webhooks:read)', {
        requestParams: path,
        responses: { '200': json('The webhook.', schemas.webhook) },
      }),
      patch: operation('Change a webhook (webhooks:write)', {
        requestParams: path,
        requestBody: body(schemas.update),
        responses: { '200': json('The webhook as changed.', schemas.webhook) },
      }),
      delete: operation('Delete a webhook and its delivery log (webhooks:write)', {
        requestParams: path,
        responses: { '204': { description: 'Deleted.' } },
      }),
    },
    '/v1/inbox/webhooks/{id}/deliveries': {
      get: operation('List deliveries, newest first (webhooks:read)', {
        requestParams: { path: webhookParams, query: webhookDeliveriesQuery },
        responses: {
          '200': json(
            'A page of the delivery log; `has_more` says whether `after=<last id>` gives more.',
            list(schemas.delivery).extend({ has_more: z.boolean() }),
          ),
        },
      }),
    },
    '/v1/inbox/webhooks/{id}/deliveries/{delivery_id}/redeliver': {
      post: operation('Send a delivered or failed event again (webhooks:write)', {
        requestParams: { path: webhookDeliveryParams },
        responses: { '202': json('The new delivery, queued; the event keeps its id.', schemas.delivery) },
      }),
    },
    '/v1/inbox/webhooks/{id}/test': {
      post: operation('Send a `webhook.test` event to this webhook (webhooks:write)', {
        requestParams: path,
        responses: { '202': json('The delivery, queued.', schemas.delivery) },
      }),
    },
  };
}
