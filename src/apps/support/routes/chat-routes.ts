import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import type { ThreadService } from '../../../agents/index.js';
import { HubError, isStorableText, parseInput, UNSTORABLE_TEXT_MESSAGE } from '../../../core/index.js';
import type { SupportApp } from '../support-app.js';
import { chatPage } from './chat-page.js';

const id = z.string().regex(/^[A-Za-z0-9_-]{1,200}$/, 'is not a TokenHub id');
const installationParams = z.object({ installation: id });
const threadParams = z.object({ installation: id, thread: id });
const pageQuery = z.object({ installation: id });
const messageBody = z.strictObject({ content: z.string().min(1).max(4_000).refine(isStorableText, UNSTORABLE_TEXT_MESSAGE) });

/**
 * The customer-facing chat of a support installation (`/apps/support/chat?installation=…` and its JSON
 * routes). No key is needed: a thread's id is its customer's handle, and every message is run, rate-limited
 * and billed with the installation's own service key, so its limits and budget bound what anonymous
 * visitors can spend.
 */
export function supportChatRoutes(deps: { support: SupportApp; threads: ThreadService }): FastifyPluginAsync {
  const chatOf = async (installationId: string) => {
    const installation = await deps.support.installation(installationId);
    if (!installation.keyId) throw new HubError('NOT_FOUND', 'This installation has no public chat.', { code: 'installation_not_found' });
    return { installation, keyId: installation.keyId };
  };
  const threadOf = async (installationId: string, threadId: string) => {
    const chat = await chatOf(installationId);
    const thread = await deps.threads.get(chat.installation.tenantId, threadId);
    if (thread.metadata.installation !== installationId)
      throw new HubError('NOT_FOUND', `No thread \`${threadId}\`.`, { code: 'thread_not_found' });
    return { ...chat, thread };
  };

  return async (app) => {
    app.get('/apps/support/chat', async (request, reply) => {
      const query = parseInput(pageQuery, request.query);
      await chatOf(query.installation);
      return reply
        .type('text/html; charset=utf-8')
        .header('content-security-policy', "default-src 'self'; script-src 'unsafe-inline'; style-src 'unsafe-inline'")
        .send(chatPage(query.installation));
    });

    app.post('/apps/support/:installation/threads', async (request, reply) => {
      const { installation } = parseInput(installationParams, request.params);
      const chat = await chatOf(installation);
      const thread = await deps.threads.create(chat.installation.tenantId, { installation, channel: 'chat' });
      return reply.code(201).send({ id: thread.id, object: 'thread' });
    });

    app.get('/apps/support/:installation/threads/:thread/messages', async (request) => {
      const params = parseInput(threadParams, request.params);
      const { installation } = await threadOf(params.installation, params.thread);
      const page = await deps.threads.messages(installation.tenantId, params.thread, { limit: 500 });
      return {
        object: 'list',
        data: page.messages
          .filter((message) => message.role !== 'note')
          .map((message) => ({
            id: message.id,
            role: message.role,
            ...(message.role === 'human' && message.author ? { author: message.author } : {}),
            content: message.content,
            created_at: message.createdAt.toISOString(),
          })),
      };
    });

    app.post('/apps/support/:installation/threads/:thread/messages', async (request) => {
      const params = parseInput(threadParams, request.params);
      const body = parseInput(messageBody, request.body);
      const { installation, keyId } = await threadOf(params.installation, params.thread);
      const answer = await deps.threads.post({ tenantId: installation.tenantId, keyId }, params.thread, {
        agent: installation.agent,
        content: body.content,
      });
      return {
        object: 'chat.reply',
        message: answer.message ? { id: answer.message.id, role: answer.message.role, content: answer.message.content } : null,
        ...(answer.handoff ? { handoff: true } : {}),
      };
    });
  };
}
