import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import {
  type AuthenticateTenant,
  abortedBy,
  type RunService,
  runCursor,
  runParams,
  runStatusFilter,
  streamEvents,
} from '../../agents/index.js';
import { isStorableJson, isStorableText, UNSTORABLE_TEXT_MESSAGE } from '../../core/index.js';
import { WORKFLOW_NAME_PATTERN } from '../document.js';
import { checkHumanDecision } from '../run/form-decision.js';
import { workflowRunSummaryDto } from '../workflow-run-dto.js';
import type { WorkflowRunService } from '../workflow-run-service.js';
import { parseRequest } from './parse-request.js';
import { workflowNameParams } from './workflow-routes.js';

/** Any JSON the run stores (its input, metadata, a person's answers): every string must be storable. */
const storableJson = <T extends z.ZodType>(schema: T) => schema.refine(isStorableJson, UNSTORABLE_TEXT_MESSAGE);

export const startWorkflowRunBody = z.strictObject({
  input: storableJson(z.unknown()).optional(),
  /** `sync` (default): answer when the run finished or waits for a person; `stream`: its events as SSE; `background`: 202 at once. */
  mode: z.enum(['sync', 'stream', 'background']).default('sync'),
  version: z.number().int().positive().optional(),
  metadata: storableJson(z.record(z.string(), z.unknown())).optional(),
});

export const workflowRunListQuery = z.strictObject({
  workflow: z.string().regex(WORKFLOW_NAME_PATTERN, 'is not a workflow name').optional(),
  status: runStatusFilter.optional(),
  cursor: runCursor.optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

export const workflowDecisionBody = z.strictObject({
  /** The human step's key (`pending[].call_id`). */
  call_id: z.string().min(1).max(500),
  decision: z.enum(['approve', 'reject']),
  reason: z.string().max(4_000).refine(isStorableText, UNSTORABLE_TEXT_MESSAGE).optional(),
  values: storableJson(z.record(z.string().max(64), z.union([z.string().max(20_000), z.number(), z.boolean(), z.null()]))).optional(),
});

const RUN = ['agents:run'] as const;

/**
 * Workflow runs: start one (`sync`, `stream`, `background`), list a tenant's, read one with every step's state,
 * output, timing and cost, follow its events (SSE with `Last-Event-ID`), cancel it, decide a human step.
 */
export function workflowRunRoutes(deps: {
  runs: WorkflowRunService;
  /** The engine's runs of every kind: events, and people's decisions (a human step is decided like an approval). */
  engineRuns: RunService;
  authenticate: AuthenticateTenant;
}): FastifyPluginAsync {
  const { runs, authenticate } = deps;
  return async (app) => {
    app.post('/v1/workflows/:name/runs', async (request, reply) => {
      const caller = await authenticate(request, RUN);
      const { name } = parseRequest(workflowNameParams, request.params);
      const body = parseRequest(startWorkflowRunBody, request.body ?? {});
      const run = await runs.start({
        tenantId: caller.tenantId,
        keyId: caller.keyId,
        workflow: name,
        input: body.input ?? {},
        ...(body.version !== undefined ? { version: body.version } : {}),
        ...(body.metadata ? { metadata: body.metadata } : {}),
      });
      if (body.mode === 'background') {
        reply.code(202);
        return runs.view(run);
      }
      if (body.mode === 'stream') return streamEvents(request, reply, deps.engineRuns, caller.tenantId, run.id, 0);
      return runs.view(await runs.settled(caller.tenantId, run.id, abortedBy(request)));
    });

    app.get('/v1/workflow-runs', async (request) => {
      const caller = await authenticate(request, ['agents:write', 'agents:run']);
      const query = parseRequest(workflowRunListQuery, request.query);
      const page = await runs.list(caller.tenantId, {
        ...(query.workflow ? { subject: query.workflow } : {}),
        ...(query.status ? { statuses: query.status } : {}),
        ...(query.cursor ? { after: query.cursor } : {}),
        limit: query.limit,
      });
      const last = page.runs.at(-1);
      const nextCursor = page.hasMore && last ? last.id : null;
      return { object: 'list', data: page.runs.map(workflowRunSummaryDto), next_cursor: nextCursor, has_more: nextCursor !== null };
    });

    app.get('/v1/workflow-runs/:id', async (request) => {
      const caller = await authenticate(request, ['agents:write', 'agents:run']);
      const { id } = parseRequest(runParams, request.params);
      return runs.view(await runs.get(caller.tenantId, id));
    });

    app.get('/v1/workflow-runs/:id/events', async (request, reply) => {
      const caller = await authenticate(request, ['agents:write', 'agents:run']);
      const { id } = parseRequest(runParams, request.params);
      await runs.get(caller.tenantId, id);
      const lastEventId = request.headers['last-event-id'];
      const after = typeof lastEventId === 'string' && /^\d{1,9}$/.test(lastEventId) ? Number(lastEventId) : 0;
      return streamEvents(request, reply, deps.engineRuns, caller.tenantId, id, after);
    });

    app.post('/v1/workflow-runs/:id/cancel', async (request) => {
      const caller = await authenticate(request, RUN);
      const { id } = parseRequest(runParams, request.params);
      return runs.view(await runs.cancel(caller.tenantId, id));
    });

    app.post('/v1/workflow-runs/:id/decisions', async (request) => {
      const caller = await authenticate(request, RUN);
      const { id } = parseRequest(runParams, request.params);
      const body = parseRequest(workflowDecisionBody, request.body);
      checkHumanDecision(await runs.get(caller.tenantId, id), {
        callId: body.call_id,
        decision: body.decision,
        ...(body.values ? { values: body.values } : {}),
      });
      const run = await deps.engineRuns.decide(caller.tenantId, id, {
        callId: body.call_id,
        decision: body.decision,
        ...(body.reason ? { reason: body.reason } : {}),
        ...(body.values ? { values: body.values } : {}),
        by: `key:${caller.keyId}`,
      });
      return runs.view(run);
    });
  };
}
