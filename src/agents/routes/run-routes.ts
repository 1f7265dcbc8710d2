import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { HubError } from '../../core/index.js';
import type { RunEventRecord, RunStatus } from '../../storage/index.js';
import { parseDefinition } from '../agent-service.js';
import { AGENT_NAME_PATTERN } from '../definition.js';
import { runInputSchema } from '../run/run-input.js';
import { isSettledStatus, isSettlingEvent, type RunService } from '../run-service.js';
import { runSummaryDto } from '../run-view.js';
import { agentNameParams } from './agent-routes.js';
import type { AuthenticateTenant } from './tenant-auth.js';

export const startRunBody = z.strictObject({
  input: runInputSchema,
  thread_id: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,200}$/)
    .optional(),
  stream: z.boolean().default(false),
  background: z.boolean().default(false),
  metadata: z.record(z.string(), z.unknown()).optional(),
});
export const runParams = z.object({ id: z.string().regex(/^run_[A-Za-z0-9]{1,64}$/, 'is not a run id') });
export const approvalBody = z.strictObject({
  call_id: z.string().min(1).max(200),
  decision: z.enum(['approve', 'reject']),
  reason: z.string().max(4_000).optional(),
});

export const RUN_STATUSES = [
  'queued',
  'running',
  'waiting',
  'waiting_approval',
  'handed_off',
  'needs_attention',
  'completed',
  'failed',
  'cancelled',
  'budget_exceeded',
  'max_turns',
] as const satisfies readonly RunStatus[];

// Years the database and the drivers agree on; a date outside them is a 400, not a database error.
const instant = z
  .string()
  .refine((value) => {
    const time = Date.parse(value);
    return !Number.isNaN(time) && time >= Date.parse('1970-01-01T00:00:00Z') && time <= Date.parse('9999-12-31T00:00:00Z');
  }, 'must be an ISO 8601 date or time between 1970 and 9999')
  .transform((value) => new Date(value));

/** A list query's `status`: one status or several, comma-separated (`running,waiting_approval`). */
export const runStatusFilter = z
  .string()
  .refine(
    (value) => value.split(',').every((status) => (RUN_STATUSES as readonly string[]).includes(status)),
    `must be one or more of ${RUN_STATUSES.join(', ')}, comma-separated`,
  )
  .transform((value) => [...new Set(value.split(','))] as RunStatus[]);

/** A list query's `cursor`: the `next_cursor` of the previous page. */
export const runCursor = z.string().regex(/^run_[A-Za-z0-9]{1,64}$/, 'is not a cursor of this list');

export const runListQuery = z.strictObject({
  agent: z.string().regex(AGENT_NAME_PATTERN, 'is not an agent name').optional(),
  status: runStatusFilter.optional(),
  /** Runs created at or after this time. */
  from: instant.optional(),
  /** Runs created before this time. */
  to: instant.optional(),
  cursor: runCursor.optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

const RUN = ['agents:run'] as const;
const READ = ['agents:write', 'agents:run'] as const;

/**
 * Runs of a tenant's agents: start one (waiting for it, streaming its events, or in the background), list
 * them (newest first, with what each spent), read one with its steps, follow its events (SSE, resumable with `Last-Event-ID` on any replica), cancel it, and
 * decide on a tool call waiting for approval.
 */
export function runRoutes(deps: { runs: RunService; authenticate: AuthenticateTenant }): FastifyPluginAsync {
  const { runs, authenticate } = deps;
  return async (app) => {
    app.post('/v1/agents/:name/runs', async (request, reply) => {
      const caller = await authenticate(request, RUN);
      const { name } = parseDefinition(agentNameParams, request.params);
      const body = parseDefinition(startRunBody, request.body);
      if (body.stream && body.background) {
        throw new HubError('INVALID_REQUEST', 'Invalid background: a run is either streamed or run in the background.', {
          param: 'background',
        });
      }
      const run = await runs.start({
        tenantId: caller.tenantId,
        keyId: caller.keyId,
        agent: name,
        input: body.input,
        ...(body.thread_id ? { threadId: body.thread_id } : {}),
        ...(body.metadata ? { metadata: body.metadata } : {}),
      });
      if (body.background) {
        reply.code(202);
        return { id: run.id, object: 'agent.run', status: run.status };
      }
      if (body.stream) return streamEvents(request, reply, runs, caller.tenantId, run.id, 0);
      const settled = await runs.settled(caller.tenantId, run.id, abortedBy(request));
      return runs.view(settled, { exact: true });
    });

    app.get('/v1/runs', async (request) => {
      const caller = await authenticate(request, READ);
      const query = parseDefinition(runListQuery, request.query);
      const page = await runs.list(caller.tenantId, {
        ...(query.agent ? { subject: query.agent } : {}),
        ...(query.status ? { statuses: query.status } : {}),
        ...(query.from ? { from: query.from } : {}),
        ...(query.to ? { to: query.to } : {}),
        ...(query.cursor ? { after: query.cursor } : {}),
        limit: query.limit,
      });
      const last = page.runs.at(-1);
      const nextCursor = page.hasMore && last ? last.id : null;
      return { object: 'list', data: page.runs.map(runSummaryDto), next_cursor: nextCursor, has_more: nextCursor !== null };
    });

    app.get('/v1/runs/:id', async (request) => {
      const caller = await authenticate(request, RUN);
      const { id } = parseDefinition(runParams, request.params);
      const run = await runs.get(caller.tenantId, id);
      // A settled run's usage is final: flush this hub's pending ledger rows first, so it shows every call.
      return runs.view(run, { steps: true, exact: isSettledStatus(run.status) });
    });

    app.get('/v1/runs/:id/events', async (request, reply) => {
      const caller = await authenticate(request, RUN);
      const { id } = parseDefinition(runParams, request.params);
      await runs.get(caller.tenantId, id);
      const lastEventId = request.headers['last-event-id'];
      const after = typeof lastEventId === 'string' && /^\d{1,9}$/.test(lastEventId) ? Number(lastEventId) : 0;
      return streamEvents(request, reply, runs, caller.tenantId, id, after);
    });

    app.post('/v1/runs/:id/cancel', async (request) => {
      const caller = await authenticate(request, RUN);
      const { id } = parseDefinition(runParams, request.params);
      return runs.view(await runs.cancel(caller.tenantId, id));
    });

    app.post('/v1/runs/:id/approvals', async (request) => {
      const caller = await authenticate(request, RUN);
      const { id } = parseDefinition(runParams, request.params);
      const body = parseDefinition(approvalBody, request.body);
      const run = await runs.decide(caller.tenantId, id, {
        callId: body.call_id,
        decision: body.decision,
        ...(body.reason ? { reason: body.reason } : {}),
        by: `key:${caller.keyId}`,
      });
      return runs.view(run);
    });
  };
}

/** Aborted when the client goes away (the run goes on; only the wait for it ends). */
export function abortedBy(request: FastifyRequest): AbortSignal {
  const controller = new AbortController();
  request.raw.once('close', () => controller.abort());
  return controller.signal;
}

/**
 * Streams a run's events after `after` as SSE (`id` is the event's sequence number), from the store and then
 * live, and ends once the run is finished or waiting for a person.
 */
export async function streamEvents(
  request: FastifyRequest,
  reply: FastifyReply,
  runs: RunService,
  tenantId: string,
  runId: string,
  after: number,
): Promise<FastifyReply> {
  reply.hijack();
  const raw = reply.raw;
  raw.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
  raw.flushHeaders();
  let stop: (() => Promise<void>) | undefined;
  let ended = false;
  const end = (): void => {
    if (ended) return;
    ended = true;
    void stop?.();
    raw.end();
  };
  request.raw.once('close', end);
  const write = (event: RunEventRecord): void => {
    if (ended) return;
    raw.write(`id: ${event.seq}\nevent: ${event.type}\ndata: ${JSON.stringify({ seq: event.seq, type: event.type, ...event.data })}\n\n`);
    if (isSettlingEvent(event)) {
      void runs.endsStream(tenantId, event).then((ends) => {
        if (ends) end();
      });
    }
  };
  stop = await runs.events.follow(runId, after, write);
  if (ended) await stop();
  // A run that settled before `after` has no settling event left to send: end at once.
  const run = await runs.get(tenantId, runId);
  if (isSettledStatus(run.status) && !ended && (await runs.events.since(runId, after)).length === 0) end();
  return reply;
}
