import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import type { AuthenticateTenant } from '../../agents/index.js';
import { SIGNATURE_HEADER, TIMESTAMP_HEADER, type WorkflowTriggerService } from '../triggers.js';
import type { WorkflowRunService } from '../workflow-run-service.js';
import { parseRequest } from './parse-request.js';
import { workflowNameParams } from './workflow-routes.js';

const hookParams = z.object({ id: z.string().regex(/^whk_[A-Za-z0-9]{1,64}$/, 'is not a webhook id') });
const MAX_HOOK_BODY_BYTES = 1_000_000;

const header = (value: string | string[] | undefined): string | undefined => (typeof value === 'string' ? value : undefined);

/**
 * Signed webhooks of workflows: `POST /v1/workflows/{name}/webhook` makes one (a new id and secret each time; the
 * old one stops working), and `POST /v1/workflow-hooks/{id}` — called by other systems with no API key, only the
 * signature — starts a run with the body as its input and answers 202 with the run.
 */
export function workflowHookRoutes(deps: {
  triggers: WorkflowTriggerService;
  runs: WorkflowRunService;
  authenticate: AuthenticateTenant;
}): FastifyPluginAsync {
  return async (app) => {
    app.post('/v1/workflows/:name/webhook', async (request, reply) => {
      const caller = await deps.authenticate(request, ['agents:write']);
      const { name } = parseRequest(workflowNameParams, request.params);
      const hook = await deps.triggers.createHook(caller.tenantId, name, caller.keyId);
      reply.code(201);
      return {
        object: 'workflow.webhook',
        id: hook.id,
        workflow: name,
        url: `/v1/workflow-hooks/${hook.id}`,
        secret: hook.secret,
        signature: `${SIGNATURE_HEADER}: sha256=<hex HMAC-SHA256 of "<${TIMESTAMP_HEADER}>.<raw body>" with the secret>`,
      };
    });

    // The signature is over the bytes sent, so this route reads its body raw (its own parser, in its own scope).
    await app.register(async (scope) => {
      scope.removeAllContentTypeParsers();
      scope.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: MAX_HOOK_BODY_BYTES }, (_request, body, done) => done(null, body));
      scope.post('/v1/workflow-hooks/:id', async (request, reply) => {
        const { id } = parseRequest(hookParams, request.params);
        const run = await deps.triggers.fireHook(id, {
          body: Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0),
          ...(header(request.headers[SIGNATURE_HEADER]) ? { signature: header(request.headers[SIGNATURE_HEADER]) } : {}),
          ...(header(request.headers[TIMESTAMP_HEADER]) ? { timestamp: header(request.headers[TIMESTAMP_HEADER]) } : {}),
          ...(header(request.headers['idempotency-key']) ? { idempotencyKey: header(request.headers['idempotency-key']) } : {}),
        });
        reply.code(202);
        return { id: run.id, object: 'workflow.run', workflow: run.subject, status: run.status };
      });
    });
  };
}
