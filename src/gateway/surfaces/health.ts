import type { FastifyInstance } from 'fastify';

export interface Readiness {
  ok: boolean;
  /** Ready (200), but a check needs an operator: the body says `degraded`. */
  degraded?: boolean;
  checks: Record<string, string>;
}

/** `GET /healthz` (the process answers) and `GET /readyz` (store migrated, config loaded, dependencies up). */
export function registerHealth(app: FastifyInstance, readiness: () => Promise<Readiness>): void {
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_request, reply) => {
    const state = await readiness();
    const status = !state.ok ? 'not ready' : state.degraded ? 'degraded' : 'ready';
    return reply.code(state.ok ? 200 : 503).send({ status, checks: state.checks });
  });
}
