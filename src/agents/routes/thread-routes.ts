import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import { isStorableText, UNSTORABLE_TEXT_MESSAGE } from '../../core/index.js';
import { parseDefinition } from '../agent-service.js';
import { type ThreadService, threadDto, threadMessageDto } from '../thread-service.js';
import { abortedBy } from './run-routes.js';
import type { AuthenticateTenant } from './tenant-auth.js';

export const threadParams = z.object({ id: z.string().regex(/^thr_[A-Za-z0-9]{1,64}$/, 'is not a thread id') });
export const createThreadBody = z.strictObject({ metadata: z.record(z.string(), z.unknown()).optional() });
export const postThreadMessageBody = z.strictObject({
  agent: z.string().min(1).max(200),
  content: z.string().min(1).max(1_000_000).refine(isStorableText, UNSTORABLE_TEXT_MESSAGE),
});
export const threadMessagesQuery = z.object({
  after: z
    .string()
    .regex(/^msg_[A-Za-z0-9]{1,64}$/, 'is not a message id')
    .optional(),
  limit: z.coerce.number().int().min(1).max(1_000).default(100),
});

const RUN = ['agents:run'] as const;

/**
 * Threads of a tenant: create one, read it, post a message (the agent named runs on the thread and its
 * reply is answered), and list its messages oldest first. Every route needs `agents:run`.
 */
export function threadRoutes(deps: { threads: ThreadService; authenticate: AuthenticateTenant }): FastifyPluginAsync {
  const { threads, authenticate } = deps;
  return async (app) => {
    app.post('/v1/threads', async (request, reply) => {
      const caller = await authenticate(request, RUN);
      const body = parseDefinition(createThreadBody, request.body);
      reply.code(201);
      return threadDto(await threads.create(caller.tenantId, body.metadata));
    });

    app.get('/v1/threads/:id', async (request) => {
      const caller = await authenticate(request, RUN);
      const { id } = parseDefinition(threadParams, request.params);
      return threadDto(await threads.get(caller.tenantId, id));
    });

    app.post('/v1/threads/:id/messages', async (request) => {
      const caller = await authenticate(request, RUN);
      const { id } = parseDefinition(threadParams, request.params);
      const body = parseDefinition(postThreadMessageBody, request.body);
      return threads.post(caller, id, body, abortedBy(request));
    });

    app.get('/v1/threads/:id/messages', async (request) => {
      const caller = await authenticate(request, RUN);
      const { id } = parseDefinition(threadParams, request.params);
      const query = parseDefinition(threadMessagesQuery, request.query);
      const page = await threads.messages(caller.tenantId, id, { limit: query.limit, ...(query.after ? { after: query.after } : {}) });
      const data = page.messages.map(threadMessageDto);
      return { object: 'list', data, first_id: data[0]?.id ?? null, last_id: data.at(-1)?.id ?? null, has_more: page.hasMore };
    });
  };
}
