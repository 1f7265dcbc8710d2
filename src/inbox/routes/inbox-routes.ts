import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { abortedBy } from '../../agents/index.js';
import { HubError, parseInput } from '../../core/index.js';
import type { Identity, Permission } from '../../identity/index.js';
import type { RunBroadcast } from '../../runs/index.js';
import { type Database, type InboxEventRecord, ThreadsRepository } from '../../storage/index.js';
import type { InboxService, Operator } from '../inbox-service.js';
import { followInbox } from '../inbox-stream.js';
import { taskDto } from '../task-dto.js';
import {
  claimBody,
  decisionBody,
  eventsQuery,
  handbackBody,
  MAX_EVENT_SEQ,
  replyBody,
  resolveBody,
  taskListQuery,
  taskParams,
  taskToolParams,
  toolCallBody,
  transferBody,
} from './inbox-schemas.js';

export interface InboxRouteDeps {
  inbox: InboxService;
  identity: Identity;
  db: Database;
  broadcast: RunBroadcast;
  /** A task's run with its steps, as the runs API shows it. */
  runOf(tenantId: string, runId: string): Promise<unknown>;
}

const eventDto = (event: InboxEventRecord) => ({
  seq: event.seq.toString(),
  type: event.type,
  task_id: event.taskId,
  actor: event.actor,
  data: event.data,
  at: event.at.toISOString(),
});

/** `/v1/inbox`: the tasks of the caller's tenant and the actions people take on them. */
export function inboxRoutes(deps: InboxRouteDeps): FastifyPluginAsync {
  const { inbox, identity } = deps;
  const operatorOf = async (request: FastifyRequest, permission: Permission): Promise<Operator> => {
    const caller = await identity.tenantCaller(request, permission);
    if (!caller.user) {
      throw new HubError('FORBIDDEN', 'The inbox is worked by people: use a personal key or sign in.', { code: 'person_required' });
    }
    return { tenantId: caller.tenantId, user: caller.user };
  };
  const taskId = (request: FastifyRequest): string => parseInput(taskParams, request.params).id;

  return async (app) => {
    app.get('/v1/inbox/tasks', async (request) => {
      const operator = await operatorOf(request, 'inbox:read');
      const query = parseInput(taskListQuery, request.query);
      const assignee = query.assignee === 'me' ? operator.user.id : query.assignee;
      // Read before the listing: following `/v1/inbox/events?after=` it then replays every change the page may lack.
      const lastEventSeq = await inbox.latestEventSeq(operator.tenantId);
      const page = await inbox.list(operator.tenantId, {
        limit: query.limit,
        ...(query.status ? { status: query.status } : {}),
        ...(query.queue ? { queue: query.queue } : {}),
        ...(query.kind ? { kind: query.kind } : {}),
        ...(assignee ? { assignee } : {}),
        ...(query.after ? { after: query.after } : {}),
      });
      return { object: 'list', data: page.tasks.map(taskDto), has_more: page.hasMore, last_event_seq: lastEventSeq.toString() };
    });

    app.get('/v1/inbox/tasks/:id', async (request) => {
      const operator = await operatorOf(request, 'inbox:read');
      const task = await inbox.get(operator.tenantId, taskId(request));
      const [transcript, run, events] = await Promise.all([
        task.threadId ? new ThreadsRepository(deps.db, operator.tenantId).messages(task.threadId, { limit: 1_000 }) : Promise.resolve([]),
        task.runId ? deps.runOf(operator.tenantId, task.runId).catch(() => null) : Promise.resolve(null),
        inbox.events(operator.tenantId, task.id),
      ]);
      return {
        ...taskDto(task),
        transcript: transcript.map((message) => ({
          id: message.id,
          role: message.role,
          ...(message.author ? { author: message.author } : {}),
          content: message.content,
          created_at: message.createdAt.toISOString(),
        })),
        run,
        events: events.map(eventDto),
      };
    });

    app.post('/v1/inbox/tasks/:id/claim', async (request) => {
      const operator = await operatorOf(request, 'inbox:work');
      const body = parseInput(claimBody, request.body);
      return taskDto(await inbox.claim(operator, taskId(request), body.lease_seconds));
    });

    app.post('/v1/inbox/tasks/:id/renew', async (request) => {
      const operator = await operatorOf(request, 'inbox:work');
      const body = parseInput(claimBody, request.body);
      const id = taskId(request);
      const task = await inbox.get(operator.tenantId, id);
      if (task.status !== 'claimed' || task.assignee !== operator.user.id) {
        throw new HubError('CONFLICT', `You do not hold task \`${id}\`: claim it.`, { code: 'task_not_claimed' });
      }
      return taskDto(await inbox.claim(operator, id, body.lease_seconds));
    });

    app.post('/v1/inbox/tasks/:id/release', async (request) =>
      taskDto(await inbox.release(await operatorOf(request, 'inbox:work'), taskId(request))),
    );

    app.post('/v1/inbox/tasks/:id/messages', async (request, reply) => {
      const operator = await operatorOf(request, 'inbox:work');
      const body = parseInput(replyBody, request.body);
      const message = await inbox.reply(operator, taskId(request), body.content);
      return reply.code(201).send({
        id: message.id,
        object: 'thread.message',
        thread_id: message.threadId,
        role: message.role,
        author: message.author,
        content: message.content,
        created_at: message.createdAt.toISOString(),
      });
    });

    app.post('/v1/inbox/tasks/:id/tools/:name', async (request) => {
      const operator = await operatorOf(request, 'inbox:work');
      const params = parseInput(taskToolParams, request.params);
      const body = parseInput(toolCallBody, request.body);
      const called = await inbox.callTool(operator, params.id, params.name, body.arguments, abortedBy(request));
      const outcome = called.outcome;
      return {
        object: 'inbox.tool_result',
        call_id: called.callId,
        tool: params.name,
        ...(outcome.type === 'result'
          ? { result: outcome.content }
          : outcome.type === 'error'
            ? { error: outcome.message }
            : { handoff: outcome.summary }),
      };
    });

    app.post('/v1/inbox/tasks/:id/approve', async (request) => {
      const operator = await operatorOf(request, 'inbox:work');
      const body = parseInput(decisionBody, request.body);
      return taskDto(await inbox.decide(operator, taskId(request), 'approve', body.reason, body.values));
    });

    app.post('/v1/inbox/tasks/:id/reject', async (request) => {
      const operator = await operatorOf(request, 'inbox:work');
      const body = parseInput(decisionBody, request.body);
      return taskDto(await inbox.decide(operator, taskId(request), 'reject', body.reason));
    });

    app.post('/v1/inbox/tasks/:id/handback', async (request) => {
      const operator = await operatorOf(request, 'inbox:work');
      const body = parseInput(handbackBody, request.body);
      return taskDto(await inbox.handback(operator, taskId(request), body.note));
    });

    app.post('/v1/inbox/tasks/:id/resolve', async (request) => {
      const operator = await operatorOf(request, 'inbox:work');
      const body = parseInput(resolveBody, request.body);
      return taskDto(await inbox.resolve(operator, taskId(request), body.resolution));
    });

    app.post('/v1/inbox/tasks/:id/transfer', async (request) => {
      const operator = await operatorOf(request, 'inbox:work');
      const body = parseInput(transferBody, request.body);
      return taskDto(await inbox.transfer(operator, taskId(request), body.queue));
    });

    app.get('/v1/inbox/events', async (request, reply) => {
      const operator = await operatorOf(request, 'inbox:read');
      const query = parseInput(eventsQuery, request.query);
      const lastEventId = request.headers['last-event-id'];
      // A Last-Event-ID that is not a sequence number we could have sent is ignored, as SSE clients expect.
      const given = typeof lastEventId === 'string' && /^\d{1,19}$/.test(lastEventId) ? BigInt(lastEventId) : undefined;
      const after = given !== undefined && given <= MAX_EVENT_SEQ ? given : (query.after ?? 0n);
      reply.hijack();
      const raw = reply.raw;
      raw.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
      raw.flushHeaders();
      raw.write(': inbox events\n\n');
      let closed = false;
      const stop = await followInbox(deps.db, deps.broadcast, operator.tenantId, after, async (events) => {
        for (const event of events) {
          if (closed) return;
          const task = await inbox.get(operator.tenantId, event.taskId).catch(() => undefined);
          raw.write(
            `id: ${event.seq}\nevent: ${event.type}\ndata: ${JSON.stringify({ ...eventDto(event), ...(task ? { task: taskDto(task) } : {}) })}\n\n`,
          );
        }
      });
      const heartbeat = setInterval(() => raw.write(': keep-alive\n\n'), 15_000);
      heartbeat.unref();
      request.raw.once('close', () => {
        closed = true;
        clearInterval(heartbeat);
        void stop();
      });
      return reply;
    });
  };
}
