import type { InboxTaskRecord } from '../storage/index.js';

/** A claim whose lease ran out is back in the queue, whether or not a sweep has written it yet. */
export function effectiveTask(task: InboxTaskRecord, now: number): InboxTaskRecord {
  if (task.status === 'claimed' && task.leaseExpiresAt && task.leaseExpiresAt.getTime() <= now) {
    return { ...task, status: 'open', assignee: null, leaseExpiresAt: null };
  }
  return task;
}

const iso = (date: Date | null): string | null => (date ? date.toISOString() : null);

/** A task as the API shows it. */
export const taskDto = (task: InboxTaskRecord) => ({
  id: task.id,
  object: 'inbox.task' as const,
  kind: task.kind,
  status: task.status,
  reason: task.reason,
  priority: task.priority,
  queue: task.queue,
  skills: task.skills,
  subject: task.subject,
  summary: task.summary,
  agent: task.agent,
  thread_id: task.threadId,
  run_id: task.runId,
  ...(task.kind === 'approval' ? { call: { id: task.callId, name: task.callName, arguments: task.callArguments } } : {}),
  assignee: task.assignee,
  lease_expires_at: iso(task.leaseExpiresAt),
  due_at: iso(task.dueAt),
  sla_breached: task.slaBreachedAt !== null,
  first_response_at: iso(task.firstResponseAt),
  claimed_at: iso(task.claimedAt),
  closed_at: iso(task.closedAt),
  resolution: task.resolution,
  created_at: task.createdAt.toISOString(),
  updated_at: task.updatedAt.toISOString(),
});
export type TaskDto = ReturnType<typeof taskDto>;
