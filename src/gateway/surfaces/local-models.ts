import type { FastifyInstance } from 'fastify';
import { HubError } from '../../core/index.js';
import type { LocalModelStatus } from '../../providers/index.js';
import type { SurfaceContext } from './surface-context.js';

/**
 * `GET /admin/v1/local-models`: every configured local GGUF model with its state (unloaded, loading,
 * ready, failed), slots in use, queue and memory. Admin key only.
 */
export function registerLocalModels(app: FastifyInstance, surface: SurfaceContext, list: () => LocalModelStatus[]): void {
  app.get('/admin/v1/local-models', { config: { protocol: 'openai' } }, async (request, reply) => {
    const call = await surface.begin(request, reply, 'openai');
    if (call.principal.kind !== 'admin') throw new HubError('FORBIDDEN', 'Listing local models needs the admin key.');
    return { object: 'list', data: list() };
  });
}
