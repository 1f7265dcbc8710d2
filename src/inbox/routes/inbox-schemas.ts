import { z } from 'zod';
import { isStorableText, UNSTORABLE_TEXT_MESSAGE } from '../../core/index.js';

const text = (max: number) => z.string().max(max).refine(isStorableText, UNSTORABLE_TEXT_MESSAGE);
const id = z.string().regex(/^[A-Za-z0-9_-]{1,200}$/, 'is not a TokenHub id');
export const queueName = z.string().regex(/^[a-zA-Z0-9_.-]{1,64}$/, 'must be 1–64 letters, digits, _, . or -');

export const taskParams = z.object({ id });
export const taskToolParams = z.object({ id, name: z.string().regex(/^[a-zA-Z0-9_.-]{1,128}$/, 'is not a tool name') });
export const taskListQuery = z.strictObject({
  status: z.enum(['open', 'claimed', 'resolved', 'returned', 'cancelled']).optional(),
  queue: queueName.optional(),
  kind: z.enum(['handoff', 'approval']).optional(),
  /** A user id, or `me`. */
  assignee: z.union([z.literal('me'), id]).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(50),
  after: id.optional(),
});
export const claimBody = z.strictObject({ lease_seconds: z.number().int().min(30).max(28_800).optional() });
export const replyBody = z.strictObject({ content: text(20_000).min(1) });
export const toolCallBody = z.strictObject({ arguments: z.record(z.string(), z.unknown()).default({}) });
export const decisionBody = z.strictObject({
  reason: text(2_000).optional(),
  /** A workflow's form step: the fields as the person filled them in (checked by the workflow against its form). */
  values: z
    .record(z.string().max(64), z.union([z.string().max(20_000), z.number(), z.boolean(), z.null()]))
    .refine((values) => Object.keys(values).length <= 50, 'at most 50 fields')
    .optional(),
});
export const handbackBody = z.strictObject({ note: text(4_000).min(1).optional() });
export const resolveBody = z.strictObject({ resolution: text(4_000).min(1) });
export const transferBody = z.strictObject({ queue: queueName });
/** Event sequence numbers are PostgreSQL bigints: a larger cursor is a 400, never a database error. */
export const MAX_EVENT_SEQ = 9_223_372_036_854_775_807n;
export const eventsQuery = z.strictObject({ after: z.coerce.bigint().nonnegative().max(MAX_EVENT_SEQ).optional() });
/** A day (`2025-03-01`, whole UTC days; `to` includes its day) or an ISO timestamp with its offset. */
const statsInstant = z.union([z.iso.date(), z.iso.datetime({ offset: true })]);
export const statsQuery = z.strictObject({
  from: statsInstant.optional(),
  to: statsInstant.optional(),
  agent: z
    .string()
    .regex(/^[a-zA-Z0-9_-]{1,64}$/, 'is not an agent name')
    .optional(),
});
export const adminStatsQuery = statsQuery.extend({ tenant_id: id });
