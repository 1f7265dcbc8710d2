import { describe, expect, it } from 'vitest';
import { createDocument } from 'zod-openapi';
import { inboxWebhookApiPaths } from './openapi-paths.js';

describe('inbox webhook API reference', () => {
  it('documents every route, with the request schemas and the event types', () => {
    const document = createDocument({ openapi: '3.1.0', info: { title: 'TokenHub', version: '1' }, paths: inboxWebhookApiPaths() });
    expect(Object.keys(document.paths ?? {})).toEqual([
      '/v1/inbox/webhooks',
      '/v1/inbox/webhooks/{id}',
      '/v1/inbox/webhooks/{id}/deliveries',
      '/v1/inbox/webhooks/{id}/deliveries/{delivery_id}/redeliver',
      '/v1/inbox/webhooks/{id}/test',
    ]);
    const schemas = document.components?.schemas ?? {};
    expect(Object.keys(schemas)).toEqual(
      expect.arrayContaining([
        'CreateInboxWebhookRequest',
        'UpdateInboxWebhookRequest',
        'InboxWebhook',
        'CreatedInboxWebhook',
        'InboxWebhookDelivery',
      ]),
    );
    const text = JSON.stringify(schemas.CreateInboxWebhookRequest);
    for (const type of ['task.created', 'task.claimed', 'task.resolved', 'task.returned', 'task.sla_breached'])
      expect(text).toContain(type);
    expect(JSON.stringify(schemas.InboxWebhook)).not.toContain('secret');
  });
});
