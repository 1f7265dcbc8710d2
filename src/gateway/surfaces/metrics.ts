import type { FastifyInstance } from 'fastify';
import type { HubMetrics } from '../../observability/index.js';

/** `GET /metrics` in the Prometheus text format. Meant for an internal scrape; carries no secrets. */
export function registerMetrics(app: FastifyInstance, metrics: HubMetrics): void {
  app.get('/metrics', async (_request, reply) => {
    const { contentType, body } = await metrics.render();
    return reply.type(contentType).send(body);
  });
}
