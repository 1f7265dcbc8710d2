import { z } from 'zod';
import type { ZodOpenApiOperationObject, ZodOpenApiPathsObject } from 'zod-openapi';
import {
  claimBody,
  decisionBody,
  handbackBody,
  replyBody,
  resolveBody,
  statsQuery,
  taskListQuery,
  taskParams,
  taskToolParams,
  toolCallBody,
  transferBody,
} from './routes/inbox-schemas.js';

const TAG = 'Inbox';
const ERRORS = {
  default: {
    description:
      'An error, as `{ "error": { "message", "type", "param", "code" } }`: 400 naming the field, 401, 403 (`permission_denied` for the role, `person_required` for a service key), 404 `task_not_found`, 409 (`task_claimed`, `task_not_claimed`, `task_closed`).',
    content: { 'application/json': {} },
  },
};

const instant = z.string().meta({ format: 'date-time' });
const seconds = z.number().nullable();

const taskSchema = z.object({
  id: z.string(),
  object: z.literal('inbox.task'),
  kind: z.enum(['handoff', 'approval']),
  status: z.enum(['open', 'claimed', 'resolved', 'returned', 'cancelled']),
  reason: z.string().meta({ description: "Why a person is needed: the hub's reasons, or the agent's own words from `transfer_to_human`." }),
  priority: z.enum(['low', 'normal', 'high', 'urgent']),
  queue: z.string(),
  skills: z.array(z.string()),
  subject: z.string(),
  summary: z.string(),
  agent: z.string().nullable(),
  thread_id: z.string().nullable(),
  run_id: z.string().nullable(),
  call: z
    .object({ id: z.string().nullable(), name: z.string().nullable(), arguments: z.unknown() })
    .optional()
    .meta({ description: 'Approvals only: the tool call waiting for a decision.' }),
  assignee: z.string().nullable(),
  lease_expires_at: instant.nullable(),
  due_at: instant.nullable(),
  sla_breached: z.boolean(),
  first_response_at: instant.nullable(),
  claimed_at: instant.nullable(),
  closed_at: instant.nullable(),
  resolution: z.string().nullable(),
  created_at: instant,
  updated_at: instant,
});

const eventSchema = z.object({
  seq: z.string().meta({ description: 'The event number across the tenant, as a decimal string (resume with `Last-Event-ID`).' }),
  type: z.string(),
  task_id: z.string(),
  actor: z.string().nullable().meta({ description: '`user:<id>`, `agent:<name>`, `customer` or `system`.' }),
  data: z.record(z.string(), z.unknown()),
  at: instant,
});

const statsRowSchema = z.object({
  agent: z.string().nullable(),
  day: z.string().nullable().meta({ description: 'The UTC day (`YYYY-MM-DD`); null in `totals`, which cover the whole window.' }),
  conversations: z.number().int(),
  closed_by_agent: z.number().int(),
  containment: z.number().nullable(),
  handoffs: z.object({ total: z.number().int(), by_reason: z.record(z.string(), z.number().int()) }),
  approvals: z.object({ total: z.number().int(), approved: z.number().int(), rejected: z.number().int() }),
  time_to_first_human_response_s: z.object({ median: seconds, p90: seconds, samples: z.number().int() }),
  human_handling_s: z.object({ median: seconds, samples: z.number().int() }),
  resolved_conversations: z.number().int(),
  tokens: z.object({ total: z.number().int(), per_resolved_conversation: z.number().nullable() }),
  cost_usd: z.object({ total: z.string(), per_resolved_conversation: z.string().nullable() }),
  sla_breaches: z.number().int(),
});

/** The body of `GET /v1/inbox/stats` and `GET /admin/v1/inbox/stats`. */
export const inboxStatsSchema = z
  .object({
    object: z.literal('inbox.stats'),
    tenant_id: z.string(),
    from: instant,
    to: instant,
    agent: z.string().nullable(),
    data: z.array(statsRowSchema),
    totals: z.array(statsRowSchema),
  })
  .meta({
    id: 'InboxStats',
    description: 'Division-of-labour measures per agent and UTC day (`data`) and per agent over the window (`totals`); see docs/inbox.md.',
  });

// Named once at load: zod's registry refuses a second schema under the same id.
const schemas = {
  task: taskSchema.meta({ id: 'InboxTask' }),
  event: eventSchema.meta({ id: 'InboxEvent' }),
  claim: claimBody.meta({ id: 'ClaimInboxTaskRequest' }),
  reply: replyBody.meta({ id: 'InboxReplyRequest' }),
  toolCall: toolCallBody.meta({ id: 'InboxToolCallRequest' }),
  decision: decisionBody.meta({ id: 'InboxDecisionRequest' }),
  handback: handbackBody.meta({ id: 'InboxHandbackRequest' }),
  resolve: resolveBody.meta({ id: 'ResolveInboxTaskRequest' }),
  transfer: transferBody.meta({ id: 'TransferInboxTaskRequest' }),
};

const json = (description: string, schema?: z.ZodType) => ({
  description,
  content: { 'application/json': schema ? { schema } : {} },
});
const body = (schema: z.ZodType) => ({ content: { 'application/json': { schema } } });
const operation = (summary: string, rest: Omit<ZodOpenApiOperationObject, 'summary' | 'tags'>): ZodOpenApiOperationObject => ({
  summary,
  tags: [TAG],
  ...rest,
  responses: { ...rest.responses, ...ERRORS },
});

/** The routes of `inboxRoutes` and `inboxStatsRoute` (the webhooks' are in `inboxWebhookApiPaths`), for the API reference. */
export function inboxApiPaths(): ZodOpenApiPathsObject {
  const path = { path: taskParams };
  const task = (description: string) => ({ '200': json(description, schemas.task) });
  const holderAction = (summary: string, description: string, requestBody: z.ZodType, answer: string): ZodOpenApiOperationObject =>
    operation(summary, { description, requestParams: path, requestBody: body(requestBody), responses: task(answer) });
  return {
    '/v1/inbox/tasks': {
      get: operation('List inbox tasks (inbox:read)', {
        description:
          'Oldest first, after the cursor `after` (a task id). A claim whose lease ran out is listed as `open`. `assignee=me` is the caller.',
        requestParams: { query: taskListQuery },
        responses: {
          '200': json(
            "A page of tasks; `has_more` says whether `after=<last id>` gives more. `last_event_seq` is the tenant's latest event number, read before the page: `GET /v1/inbox/events?after=<it>` then streams every change since.",
            z.object({
              object: z.literal('list'),
              data: z.array(schemas.task),
              has_more: z.boolean(),
              last_event_seq: z
                .string()
                .meta({ description: "The tenant's latest inbox event number (`0` without events), as a decimal string." }),
            }),
          ),
        },
      }),
    },
    '/v1/inbox/tasks/{id}': {
      get: operation('Read a task with its conversation, run and history (inbox:read)', {
        requestParams: path,
        responses: {
          '200': json(
            'The task, the thread transcript, the run with its steps (as `GET /v1/runs/{id}` shows it) and the events.',
            schemas.task.extend({
              transcript: z.array(
                z.object({ id: z.string(), role: z.string(), author: z.string().optional(), content: z.unknown(), created_at: instant }),
              ),
              run: z.unknown(),
              events: z.array(schemas.event),
            }),
          ),
        },
      }),
    },
    '/v1/inbox/tasks/{id}/claim': {
      post: holderAction(
        'Claim a task (inbox:work)',
        'A lease of `lease_seconds` (default 900, at most 28 800); the holder claiming again renews. Of concurrent claims one wins, the others get 409 `task_claimed`.',
        schemas.claim,
        'The claimed task.',
      ),
    },
    '/v1/inbox/tasks/{id}/renew': {
      post: holderAction('Renew your claim (inbox:work)', '409 `task_not_claimed` unless you hold it.', schemas.claim, 'The task.'),
    },
    '/v1/inbox/tasks/{id}/release': {
      post: operation('Put a task you hold back in its queue (inbox:work)', { requestParams: path, responses: task('The open task.') }),
    },
    '/v1/inbox/tasks/{id}/messages': {
      post: operation('Reply in the customer’s conversation (holder only, inbox:work)', {
        description: 'Delivered into the thread as a `human` message with your name; the first reply sets `first_response_at`.',
        requestParams: path,
        requestBody: body(schemas.reply),
        responses: {
          '201': json(
            'The thread message.',
            z.object({
              id: z.string(),
              object: z.literal('thread.message'),
              thread_id: z.string(),
              role: z.literal('human'),
              author: z.string().nullable(),
              content: z.unknown(),
              created_at: instant,
            }),
          ),
        },
      }),
    },
    '/v1/inbox/tasks/{id}/tools/{name}': {
      post: operation("Call one of the agent's tools on the customer's behalf (holder only, inbox:work)", {
        description: "The tool's own guards apply; the call is recorded on the task.",
        requestParams: { path: taskToolParams },
        requestBody: body(schemas.toolCall),
        responses: {
          '200': json(
            'What the tool answered: `result`, `error` or `handoff`.',
            z.object({
              object: z.literal('inbox.tool_result'),
              call_id: z.string(),
              tool: z.string(),
              result: z.unknown().optional(),
              error: z.string().optional(),
              handoff: z.string().optional(),
            }),
          ),
        },
      }),
    },
    '/v1/inbox/tasks/{id}/approve': {
      post: holderAction(
        'Approve the call of an approval task (inbox:work)',
        "On an open task, or one you hold; the run resumes on any replica. A workflow form step's `values` are checked against its fields first: 400 `invalid_form` naming the field (`values.email`), the task left as it was.",
        schemas.decision,
        'The resolved task (`resolution: approved`).',
      ),
    },
    '/v1/inbox/tasks/{id}/reject': {
      post: holderAction(
        'Reject the call of an approval task (inbox:work)',
        'On an open task, or one you hold; the run resumes with the refusal as the tool result.',
        schemas.decision,
        'The resolved task (`resolution: rejected[: reason]`).',
      ),
    },
    '/v1/inbox/tasks/{id}/handback': {
      post: holderAction(
        'Hand the conversation back to the agent (holder only, inbox:work)',
        'The note is added to the thread for the agent (never shown to the customer); the agent answers the next message.',
        schemas.handback,
        'The task, `returned`.',
      ),
    },
    '/v1/inbox/tasks/{id}/resolve': {
      post: holderAction('Resolve a task (holder only, inbox:work)', 'Releases the thread hold.', schemas.resolve, 'The task, `resolved`.'),
    },
    '/v1/inbox/tasks/{id}/transfer': {
      post: holderAction(
        'Move a task to another queue (inbox:work)',
        'On an open task, or one you hold; it arrives unclaimed.',
        schemas.transfer,
        'The open task in its new queue.',
      ),
    },
    '/v1/inbox/events': {
      get: operation("Follow the tenant's inbox events (inbox:read)", {
        description:
          'Server-sent events, one per task change (`event:` is its type, `data:` the event with the task as it now stands); resume with `Last-Event-ID` or `after`.',
        requestParams: {
          query: z.object({
            after: z
              .string()
              .regex(/^\d{1,19}$/)
              .optional(),
          }),
        },
        responses: { '200': { description: 'SSE, `id` is the event number.', content: { 'text/event-stream': {} } } },
      }),
    },
    '/v1/inbox/stats': {
      get: operation('Division-of-labour measures (inbox:read)', {
        description:
          'Per agent and UTC day over `from`–`to` (default: the 7 days up to now; at most 366 days). A date covers its whole UTC day, `to` included.',
        requestParams: { query: statsQuery },
        responses: { '200': json('The measures.', inboxStatsSchema) },
      }),
    },
  };
}
