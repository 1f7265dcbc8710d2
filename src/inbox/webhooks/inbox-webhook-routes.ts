import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { InboxWebhooks } from './inbox-webhooks.js';
import { webhookDeliveryDto, webhookDto } from './webhook-dto.js';
import {
  createWebhookBody,
  parseInput,
  updateWebhookBody,
  webhookDeliveriesQuery,
  webhookDeliveryParams,
  webhookParams,
} from './webhook-schemas.js';

export type WebhookPermission = 'webhooks:read' | 'webhooks:write';

/** Who is calling, for which tenant; throws a HubError (401, 403) when the request may not do `permission`. */
export type AuthorizeWebhooks = (
  request: FastifyRequest,
  permission: WebhookPermission,
) => Promise<{ tenantId: string; userId: string | null }>;

/**
 * `/v1/inbox/webhooks`: a tenant's webhooks for inbox events, their delivery log, redelivery and a test event.
 * Reading needs `webhooks:read`, every change `webhooks:write`; another tenant's webhook is a 404.
 */
export function inboxWebhookRoutes(deps: { webhooks: InboxWebhooks; authorize: AuthorizeWebhooks }): FastifyPluginAsync {
  const { webhooks, authorize } = deps;
  return async (app) => {
    app.post('/v1/inbox/webhooks', async (request, reply) => {
      const caller = await authorize(request, 'webhooks:write');
      const { webhook, secret } = await webhooks.create(caller.tenantId, parseInput(createWebhookBody, request.body));
      return reply.code(201).send({ ...webhookDto(webhook), secret });
    });

    app.get('/v1/inbox/webhooks', async (request) => {
      const caller = await authorize(request, 'webhooks:read');
      return { object: 'list', data: (await webhooks.list(caller.tenantId)).map(webhookDto) };
    });

    app.get('/v1/inbox/webhooks/:id', async (request) => {
      const caller = await authorize(request, 'webhooks:read');
      const { id } = parseInput(webhookParams, request.params);
      return webhookDto(await webhooks.get(caller.tenantId, id));
    });

    app.patch('/v1/inbox/webhooks/:id', async (request) => {
      const caller = await authorize(request, 'webhooks:write');
      const { id } = parseInput(webhookParams, request.params);
      return webhookDto(await webhooks.update(caller.tenantId, id, parseInput(updateWebhookBody, request.body)));
    });

    app.delete('/v1/inbox/webhooks/:id', async (request, reply) => {
      const caller = await authorize(request, 'webhooks:write');
      const { id } = parseInput(webhookParams, request.params);
      await webhooks.delete(caller.tenantId, id);
      return reply.code(204).send();
    });

    app.get('/v1/inbox/webhooks/:id/deliveries', async (request) => {
      const caller = await authorize(request, 'webhooks:read');
      const { id } = parseInput(webhookParams, request.params);
      const query = parseInput(webhookDeliveriesQuery, request.query);
      const page = await webhooks.deliveries(caller.tenantId, id, { limit: query.limit, ...(query.after ? { after: query.after } : {}) });
      return { object: 'list', data: page.data.map(webhookDeliveryDto), has_more: page.hasMore };
    });

    app.post('/v1/inbox/webhooks/:id/deliveries/:delivery_id/redeliver', async (request, reply) => {
      const caller = await authorize(request, 'webhooks:write');
      const params = parseInput(webhookDeliveryParams, request.params);
      const delivery = await webhooks.redeliver(caller.tenantId, params.id, params.delivery_id);
      return reply.code(202).send(webhookDeliveryDto(delivery));
    });

    app.post('/v1/inbox/webhooks/:id/test', async (request, reply) => {
      const caller = await authorize(request, 'webhooks:write');
      const { id } = parseInput(webhookParams, request.params);
      return reply.code(202).send(webhookDeliveryDto(await webhooks.sendTest(caller.tenantId, id)));
    });
  };
}
