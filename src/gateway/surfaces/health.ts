import type { FastifyInstance } from 'fastify';

export interface Readiness {
  ok: boolean;
  checks: Record<string, string>;
}

/** `GET /healthz` (the process answers) and `GET /readyz` (store migrated, config loaded, dependencies up). */
export function registerHealth(app: FastifyInstance, readiness: () => Promise<Readiness>): void {
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_request, reply) => {
    const state = await readiness();
    return reply.code(state.ok ? 200 : 503).send({ status: state.ok ? 'ready' : 'not ready', checks: state.checks });
  });
}
