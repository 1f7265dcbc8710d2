import type { JsonObject, Run } from './types.js';

export type TaskStatus = 'open' | 'claimed' | 'resolved' | 'returned' | 'cancelled';
export type TaskKind = 'handoff' | 'approval';

/** A task of the human inbox: a conversation handed to a person, or a tool call or workflow step to approve. */
export interface InboxTask {
  id: string;
  object: 'inbox.task';
  kind: TaskKind;
  status: TaskStatus;
  reason: string;
  priority: 'low' | 'normal' | 'high' | 'urgent';
  queue: string;
  skills: string[];
  subject: string;
  summary: string;
  agent: string | null;
  thread_id: string | null;
  run_id: string | null;
  /** Approvals: the call waiting for a decision. */
  call?: { id: string | null; name: string | null; arguments: unknown };
  assignee: string | null;
  lease_expires_at: string | null;
  due_at: string | null;
  sla_breached: boolean;
  first_response_at: string | null;
  claimed_at: string | null;
  closed_at: string | null;
  resolution: string | null;
  created_at: string;
  updated_at: string;
}

export interface InboxEventRecord {
  /** The event's number across the tenant, a decimal string. */
  seq: string;
  type: string;
  task_id: string;
  actor: string | null;
  data: JsonObject;
  at: string;
}

/** `inbox.tasks.get`: the task with its conversation, its run and its history. */
export interface InboxTaskDetail extends InboxTask {
  transcript: { id: string; role: string; author?: string; content: string; created_at: string }[];
  run: Run | JsonObject | null;
  events: InboxEventRecord[];
}

export interface InboxTaskPage {
  object: 'list';
  data: InboxTask[];
  has_more: boolean;
  /** Follow `inbox.events({ after: last_event_seq })` to see every change this page may lack. */
  last_event_seq: string;
}

/** An event of `GET /v1/inbox/events`, with the task as it stands after it. */
export interface InboxStreamEvent extends InboxEventRecord {
  task?: InboxTask;
}

/** A person's reply on a task's thread. */
export interface InboxReply {
  id: string;
  object: 'thread.message';
  thread_id: string;
  role: string;
  author: string | null;
  content: string;
  created_at: string;
}

export interface InboxToolResult {
  object: 'inbox.tool_result';
  call_id: string;
  tool: string;
  result?: string;
  error?: string;
  handoff?: string;
}

export interface TaskFilter {
  status?: TaskStatus;
  queue?: string;
  kind?: TaskKind;
  /** A user id, or `me`. */
  assignee?: string;
  limit?: number;
  /** The last task id of the previous page. */
  after?: string;
}
