import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import { z } from 'zod';
import type { AuthenticateTenant } from '../../agents/index.js';
import { WORKFLOW_NAME_PATTERN } from '../document.js';
import { workflowJsonSchemaText } from '../json-schema.js';
import { appliedWorkflowDto, workflowDto, workflowVersionsDto } from '../workflow-dto.js';
import type { AppliedWorkflow, WorkflowService } from '../workflow-service.js';
import { parseRequest } from './parse-request.js';
import { registerYamlBody } from './yaml-body.js';

export const workflowNameParams = z.object({ name: z.string().regex(WORKFLOW_NAME_PATTERN, 'is not a workflow name') });
export const activateWorkflowBody = z.strictObject({ version: z.number().int().positive() });

// Service keys carry the agent runtime's scopes: whoever may define agents may define workflows; whoever may run them may read them.
const READ = ['agents:write', 'agents:run'] as const;
const WRITE = ['agents:write'] as const;

/** 201 when the save made the workflow, 200 when it added a version or changed nothing. */
export function sendApplied(reply: FastifyReply, applied: AppliedWorkflow) {
  reply.code(applied.result === 'created' ? 201 : 200);
  return appliedWorkflowDto(applied);
}

/** The workflow document's JSON Schema, for editors: public, like any published schema. */
export function sendWorkflowSchema(reply: FastifyReply): FastifyReply {
  return reply
    .header('content-type', 'application/schema+json; charset=utf-8')
    .header('cache-control', 'public, max-age=300')
    .send(workflowJsonSchemaText());
}

/**
 * `/v1/workflows`: a tenant's workflow definitions and their versions. A document is sent as JSON, or as
 * YAML (`application/yaml`, `text/yaml`); a person needs `workflows:write` (reads: `workflows:read`), a
 * service key `agents:write` (reads: `agents:run` too).
 */
export function workflowRoutes(deps: {
  workflows: WorkflowService;
  authenticate: AuthenticateTenant;
  /** Told which tenant key saved or activated a workflow (its triggered runs bill that key). */
  onSaved?: (tenantId: string, name: string, keyId: string) => Promise<void>;
}): FastifyPluginAsync {
  const { workflows, authenticate } = deps;
  const saved = async (caller: { tenantId: string; keyId: string }, applied: AppliedWorkflow): Promise<AppliedWorkflow> => {
    await deps.onSaved?.(caller.tenantId, applied.workflow.name, caller.keyId);
    return applied;
  };
  return async (app) => {
    registerYamlBody(app);

    app.get('/v1/workflows', async (request) => {
      const caller = await authenticate(request, READ);
      return { object: 'list', data: (await workflows.list(caller.tenantId)).map(workflowDto) };
    });

    app.post('/v1/workflows', async (request, reply) => {
      const caller = await authenticate(request, WRITE);
      return sendApplied(reply, await saved(caller, await workflows.apply(caller.tenantId, request.body)));
    });

    app.get('/v1/workflows/schema', async (_request, reply) => sendWorkflowSchema(reply));

    app.get('/v1/workflows/:name', async (request) => {
      const caller = await authenticate(request, READ);
      const { name } = parseRequest(workflowNameParams, request.params);
      return workflowDto(await workflows.get(caller.tenantId, name));
    });

    app.put('/v1/workflows/:name', async (request, reply) => {
      const caller = await authenticate(request, WRITE);
      const { name } = parseRequest(workflowNameParams, request.params);
      return sendApplied(reply, await saved(caller, await workflows.replace(caller.tenantId, name, request.body)));
    });

    app.delete('/v1/workflows/:name', async (request, reply) => {
      const caller = await authenticate(request, WRITE);
      const { name } = parseRequest(workflowNameParams, request.params);
      await workflows.delete(caller.tenantId, name);
      return reply.code(204).send();
    });

    app.get('/v1/workflows/:name/versions', async (request) => {
      const caller = await authenticate(request, READ);
      const { name } = parseRequest(workflowNameParams, request.params);
      return workflowVersionsDto(await workflows.versions(caller.tenantId, name));
    });

    app.post('/v1/workflows/:name/activate', async (request) => {
      const caller = await authenticate(request, WRITE);
      const { name } = parseRequest(workflowNameParams, request.params);
      const { version } = parseRequest(activateWorkflowBody, request.body);
      const activated = await workflows.activate(caller.tenantId, name, version);
      await deps.onSaved?.(caller.tenantId, name, caller.keyId);
      return workflowDto(activated);
    });
  };
}
