import type { Database, Queryable } from './database.js';
import { asBigInt, asDate, asOptionalDate, fromJsonb, toJsonb } from './values.js';

export type InboxTaskKind = 'handoff' | 'approval';
export type InboxTaskStatus = 'open' | 'claimed' | 'resolved' | 'returned' | 'cancelled';
export type InboxTaskPriority = 'low' | 'normal' | 'high' | 'urgent';
export const OPEN_TASK_STATUSES: readonly InboxTaskStatus[] = ['open', 'claimed'];

export interface InboxTaskRecord {
  id: string;
  tenantId: string;
  /** What the task was made from (`run:<id>`, `call:<run>:<call>`…): one task per cause. */
  origin: string;
  kind: InboxTaskKind;
  status: InboxTaskStatus;
  /** Why a person is needed: `transfer_to_human`, `approval`, `needs_attention`, `customer_request`, `negative_sentiment`, `tool_errors`, `budget_exhausted`. */
  reason: string;
  priority: InboxTaskPriority;
  queue: string;
  skills: string[];
  subject: string;
  summary: string;
  agent: string | null;
  threadId: string | null;
  runId: string | null;
  callId: string | null;
  callName: string | null;
  callArguments: unknown;
  assignee: string | null;
  leaseExpiresAt: Date | null;
  dueAt: Date | null;
  slaBreachedAt: Date | null;
  firstResponseAt: Date | null;
  claimedAt: Date | null;
  closedAt: Date | null;
  resolution: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export type NewInboxTask = Pick<
  InboxTaskRecord,
  | 'id'
  | 'origin'
  | 'kind'
  | 'reason'
  | 'priority'
  | 'queue'
  | 'skills'
  | 'subject'
  | 'summary'
  | 'agent'
  | 'threadId'
  | 'runId'
  | 'callId'
  | 'callName'
  | 'callArguments'
  | 'dueAt'
>;

export interface InboxEventRecord {
  seq: bigint;
  tenantId: string;
  taskId: string;
  type: string;
  /** `user:<id>` for a person, `agent:<name>` or `system`. */
  actor: string | null;
  data: Record<string, unknown>;
  at: Date;
}

interface TaskRow {
  id: string;
  tenant_id: string;
  origin: string;
  kind: InboxTaskKind;
  status: InboxTaskStatus;
  reason: string;
  priority: InboxTaskPriority;
  queue: string;
  skills: unknown;
  subject: string;
  summary: string;
  agent: string | null;
  thread_id: string | null;
  run_id: string | null;
  call_id: string | null;
  call_name: string | null;
  call_arguments: unknown;
  assignee: string | null;
  lease_expires_at: unknown;
  due_at: unknown;
  sla_breached_at: unknown;
  first_response_at: unknown;
  claimed_at: unknown;
  closed_at: unknown;
  resolution: string | null;
  created_at: unknown;
  updated_at: unknown;
}

const COLUMNS =
  'id, tenant_id, origin, kind, status, reason, priority, queue, skills, subject, summary, agent, thread_id, run_id, call_id, call_name, ' +
  'call_arguments, assignee, lease_expires_at, due_at, sla_breached_at, first_response_at, claimed_at, closed_at, resolution, created_at, updated_at';

const toTask = (row: TaskRow): InboxTaskRecord => ({
  id: row.id,
  tenantId: row.tenant_id,
  origin: row.origin,
  kind: row.kind,
  status: row.status,
  reason: row.reason,
  priority: row.priority,
  queue: row.queue,
  skills: Array.isArray(row.skills) ? row.skills.map(String) : [],
  subject: row.subject,
  summary: row.summary,
  agent: row.agent,
  threadId: row.thread_id,
  runId: row.run_id,
  callId: row.call_id,
  callName: row.call_name,
  callArguments: row.call_arguments === null ? null : fromJsonb(row.call_arguments),
  assignee: row.assignee,
  leaseExpiresAt: asOptionalDate(row.lease_expires_at),
  dueAt: asOptionalDate(row.due_at),
  slaBreachedAt: asOptionalDate(row.sla_breached_at),
  firstResponseAt: asOptionalDate(row.first_response_at),
  claimedAt: asOptionalDate(row.claimed_at),
  closedAt: asOptionalDate(row.closed_at),
  resolution: row.resolution,
  createdAt: asDate(row.created_at),
  updatedAt: asDate(row.updated_at),
});

interface EventRow {
  seq: unknown;
  tenant_id: string;
  task_id: string;
  type: string;
  actor: string | null;
  data: unknown;
  at: unknown;
}

const toEvent = (row: EventRow): InboxEventRecord => ({
  seq: asBigInt(row.seq),
  tenantId: row.tenant_id,
  taskId: row.task_id,
  type: row.type,
  actor: row.actor,
  data: (fromJsonb(row.data) ?? {}) as Record<string, unknown>,
  at: asDate(row.at),
});

/** Fields a transition may set. */
export interface TaskChange {
  status?: InboxTaskStatus;
  assignee?: string | null;
  leaseExpiresAt?: Date | null;
  claimedAt?: Date;
  closedAt?: Date;
  resolution?: string | null;
  queue?: string;
  firstResponseAt?: Date;
  slaBreachedAt?: Date;
}

const CHANGE_COLUMNS: Record<keyof TaskChange, string> = {
  status: 'status',
  assignee: 'assignee',
  leaseExpiresAt: 'lease_expires_at',
  claimedAt: 'claimed_at',
  closedAt: 'closed_at',
  resolution: 'resolution',
  queue: 'queue',
  firstResponseAt: 'first_response_at',
  slaBreachedAt: 'sla_breached_at',
};

/** Which tasks a transition applies to: in one of `statuses`, and with `holder`, claimed by them with a live lease. */
export interface TaskGuard {
  statuses: readonly InboxTaskStatus[];
  holder?: string;
  /** Also a task claimed by someone else whose lease has run out (a claim takes over an expired one). */
  orExpiredClaim?: boolean;
}

/** One tenant's inbox; every query carries the tenant filter. */
export class InboxTasksRepository {
  private readonly db: Database;
  readonly tenantId: string;

  constructor(db: Database, tenantId: string) {
    this.db = db;
    this.tenantId = tenantId;
  }

  /** Creates the task unless its origin has one already; `created` says which, with the event written alongside. */
  async create(
    task: NewInboxTask,
    now: Date,
    actor: string,
  ): Promise<{ task: InboxTaskRecord; created: boolean; event?: InboxEventRecord }> {
    return this.db.transaction(async (tx) => {
      const rows = await tx.query<TaskRow>(
        `insert into inbox_tasks (id, tenant_id, origin, kind, status, reason, priority, queue, skills, subject, summary, agent, thread_id,
           run_id, call_id, call_name, call_arguments, due_at, created_at, updated_at)
         values ($1, $2, $3, $4, 'open', $5, $6, $7, $8::text[], $9, $10, $11, $12, $13, $14, $15, $16::jsonb, $17, $18, $18)
         on conflict (tenant_id, origin) do nothing
         returning ${COLUMNS}`,
        [
          task.id,
          this.tenantId,
          task.origin,
          task.kind,
          task.reason,
          task.priority,
          task.queue,
          task.skills,
          task.subject,
          task.summary,
          task.agent,
          task.threadId,
          task.runId,
          task.callId,
          task.callName,
          task.callArguments === null || task.callArguments === undefined ? null : toJsonb(task.callArguments as object),
          task.dueAt,
          now,
        ],
      );
      if (rows[0]) {
        const created = toTask(rows[0]);
        const event = await this.appendEvent(tx, created.id, 'task.created', actor, {}, now);
        return { task: created, created: true, event };
      }
      const existing = await tx.query<TaskRow>(`select ${COLUMNS} from inbox_tasks where tenant_id = $1 and origin = $2`, [
        this.tenantId,
        task.origin,
      ]);
      if (!existing[0]) throw new Error('inbox task vanished between insert and select');
      return { task: toTask(existing[0]), created: false };
    });
  }

  /** The task opened for `origin` (`call:<run>:<call>`, `run:<run>`), if any. */
  async byOrigin(origin: string): Promise<InboxTaskRecord | undefined> {
    const rows = await this.db.query<TaskRow>(`select ${COLUMNS} from inbox_tasks where tenant_id = $1 and origin = $2`, [
      this.tenantId,
      origin,
    ]);
    return rows[0] ? toTask(rows[0]) : undefined;
  }

  async get(id: string): Promise<InboxTaskRecord | undefined> {
    const rows = await this.db.query<TaskRow>(`select ${COLUMNS} from inbox_tasks where tenant_id = $1 and id = $2`, [this.tenantId, id]);
    return rows[0] ? toTask(rows[0]) : undefined;
  }

  /** Newest first within priority order is left to the caller; here: filtered, oldest first, after a cursor (`created_at`, `id`). */
  async list(filter: {
    statuses?: readonly InboxTaskStatus[];
    queue?: string;
    kind?: InboxTaskKind;
    assignee?: string;
    threadId?: string;
    limit: number;
    after?: { createdAt: Date; id: string };
  }): Promise<InboxTaskRecord[]> {
    const rows = await this.db.query<TaskRow>(
      `select ${COLUMNS} from inbox_tasks
       where tenant_id = $1
         and ($2::text[] is null or status = any($2::text[]))
         and ($3::text is null or queue = $3)
         and ($4::text is null or kind = $4)
         and ($5::text is null or assignee = $5)
         and ($6::text is null or thread_id = $6)
         and ($7::timestamptz is null or (created_at, id) > ($7::timestamptz, $8::text))
       order by created_at, id
       limit $9`,
      [
        this.tenantId,
        filter.statuses ? [...filter.statuses] : null,
        filter.queue ?? null,
        filter.kind ?? null,
        filter.assignee ?? null,
        filter.threadId ?? null,
        filter.after?.createdAt ?? null,
        filter.after?.id ?? null,
        filter.limit,
      ],
    );
    return rows.map(toTask);
  }

  /** The open or claimed hand-off holding a thread (a person has the conversation), if any. */
  async holding(threadId: string): Promise<InboxTaskRecord | undefined> {
    const rows = await this.db.query<TaskRow>(
      `select ${COLUMNS} from inbox_tasks
       where tenant_id = $1 and thread_id = $2 and kind = 'handoff' and status in ('open', 'claimed')
       order by created_at limit 1`,
      [this.tenantId, threadId],
    );
    return rows[0] ? toTask(rows[0]) : undefined;
  }

  /**
   * Applies `change` to the task if `guard` holds, in one statement (so of concurrent transitions exactly
   * one wins), writing the event with it. Undefined when the guard did not hold.
   */
  async transition(
    id: string,
    guard: TaskGuard,
    change: TaskChange,
    event: { type: string; actor: string; data?: Record<string, unknown> },
    now: Date,
  ): Promise<{ task: InboxTaskRecord; event: InboxEventRecord } | undefined> {
    const sets: string[] = ['updated_at = $3'];
    const params: unknown[] = [this.tenantId, id, now, [...guard.statuses], guard.holder ?? null, guard.orExpiredClaim ?? false];
    for (const [field, column] of Object.entries(CHANGE_COLUMNS) as [keyof TaskChange, string][]) {
      if (change[field] === undefined) continue;
      params.push(change[field]);
      sets.push(`${column} = $${params.length}`);
    }
    return this.db.transaction(async (tx) => {
      const rows = await tx.query<TaskRow>(
        `update inbox_tasks set ${sets.join(', ')}
         where tenant_id = $1 and id = $2
           and (
             (status = any($4::text[]) and ($5::text is null or (assignee = $5 and lease_expires_at > $3)))
             or ($6::boolean and status = 'claimed' and lease_expires_at <= $3)
           )
         returning ${COLUMNS}`,
        params,
      );
      if (!rows[0]) return undefined;
      const task = toTask(rows[0]);
      return { task, event: await this.appendEvent(tx, id, event.type, event.actor, event.data ?? {}, now) };
    });
  }

  /** Records an event of a task without changing it (a message joined it, a tool was called on it). */
  async record(taskId: string, type: string, actor: string, data: Record<string, unknown>, now: Date): Promise<InboxEventRecord> {
    return this.appendEvent(this.db, taskId, type, actor, data, now);
  }

  /** The tenant's latest event number (0 without events), read from the end of `(tenant_id, seq)`. */
  async latestEventSeq(): Promise<bigint> {
    const rows = await this.db.query<{ seq: string | null }>(`select max(seq)::text as seq from inbox_events where tenant_id = $1`, [
      this.tenantId,
    ]);
    return BigInt(rows[0]?.seq ?? 0);
  }

  /** Events of the tenant after `seq`, oldest first (the live stream's catch-up). */
  async eventsSince(seq: bigint, limit: number): Promise<InboxEventRecord[]> {
    const rows = await this.db.query<EventRow>(
      `select seq, tenant_id, task_id, type, actor, data, at from inbox_events where tenant_id = $1 and seq > $2 order by seq limit $3`,
      [this.tenantId, seq.toString(), limit],
    );
    return rows.map(toEvent);
  }

  async eventsOf(taskId: string): Promise<InboxEventRecord[]> {
    const rows = await this.db.query<EventRow>(
      `select seq, tenant_id, task_id, type, actor, data, at from inbox_events where tenant_id = $1 and task_id = $2 order by seq`,
      [this.tenantId, taskId],
    );
    return rows.map(toEvent);
  }

  private async appendEvent(
    tx: Queryable,
    taskId: string,
    type: string,
    actor: string,
    data: Record<string, unknown>,
    now: Date,
  ): Promise<InboxEventRecord> {
    const rows = await tx.query<EventRow>(
      `insert into inbox_events (tenant_id, task_id, type, actor, data, at) values ($1, $2, $3, $4, $5::jsonb, $6)
       returning seq, tenant_id, task_id, type, actor, data, at`,
      [this.tenantId, taskId, type, actor, toJsonb(data), now],
    );
    const row = rows[0];
    if (!row) throw new Error('insert into inbox_events returned no row');
    return toEvent(row);
  }
}

/** Sweeps across tenants: expired claims back to their queue, SLA breaches, and runs still without their task. */
export class InboxSweeps {
  private readonly db: Database;

  constructor(db: Database) {
    this.db = db;
  }

  /** Claims whose lease ran out, put back in their queue (one statement: replicas sweeping at once split the rows). */
  async expireClaims(now: Date, limit = 200): Promise<{ task: InboxTaskRecord; assignee: string | null }[]> {
    const rows = await this.db.query<TaskRow & { previous_assignee: string | null }>(
      `with due as (
         select id, assignee from inbox_tasks where status = 'claimed' and lease_expires_at <= $1
         order by lease_expires_at limit $2 for update skip locked
       )
       update inbox_tasks t set status = 'open', assignee = null, lease_expires_at = null, updated_at = $1
       from due where t.id = due.id
       returning ${COLUMNS.split(', ')
         .map((column) => `t.${column}`)
         .join(', ')}, due.assignee as previous_assignee`,
      [now, limit],
    );
    return rows.map((row) => ({ task: toTask(row), assignee: row.previous_assignee }));
  }

  /** Tasks past their due time, marked breached once. */
  async breachSla(now: Date, limit = 200): Promise<InboxTaskRecord[]> {
    const rows = await this.db.query<TaskRow>(
      `with due as (
         select id from inbox_tasks where status in ('open', 'claimed') and sla_breached_at is null and due_at <= $1
         order by due_at limit $2 for update skip locked
       )
       update inbox_tasks t set sla_breached_at = $1, updated_at = $1 from due where t.id = due.id
       returning ${COLUMNS.split(', ')
         .map((column) => `t.${column}`)
         .join(', ')}`,
      [now, limit],
    );
    return rows.map(toTask);
  }

  /**
   * Agent runs that need a task and lack it (the replica died between the run pausing and the task being
   * written): hand-offs of top-level runs (`run:<id>`), and each pending call of a run waiting for approval
   * (`call:<run>:<call>`). Runs are looked at while they changed within `withinMs`.
   */
  async runsLackingTasks(now: Date, withinMs: number, limit = 100): Promise<{ id: string; tenantId: string }[]> {
    const rows = await this.db.query<{ id: string; tenant_id: string }>(
      `select r.id, r.tenant_id from runs r
       where r.kind = 'agent' and r.updated_at > $1::timestamptz - ($2::double precision * interval '1 millisecond') and (
         (r.status in ('handed_off', 'needs_attention', 'budget_exceeded') and r.parent_run_id is null
           and not exists (select 1 from inbox_tasks t where t.tenant_id = r.tenant_id and t.origin = 'run:' || r.id))
         or (r.status = 'waiting_approval' and exists (
           select 1 from jsonb_array_elements(coalesce(r.state -> 'pending_approvals', '[]'::jsonb)) as pending (call)
           where not exists (
             select 1 from inbox_tasks t where t.tenant_id = r.tenant_id and t.origin = 'call:' || r.id || ':' || (pending.call ->> 'call_id'))))
       )
       order by r.updated_at limit $3`,
      [now, withinMs, limit],
    );
    return rows.map((row) => ({ id: row.id, tenantId: row.tenant_id }));
  }

  async appendEvent(
    task: InboxTaskRecord,
    type: string,
    actor: string,
    data: Record<string, unknown>,
    now: Date,
  ): Promise<InboxEventRecord> {
    return new InboxTasksRepository(this.db, task.tenantId).record(task.id, type, actor, data, now);
  }
}
