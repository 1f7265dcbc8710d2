/**
 * The human inbox. A task is work for a person: a conversation handed off by an agent (`handoff`) or a
 * tool call waiting for a decision (`approval`). `origin` makes creating a task from its cause (a run, or
 * a run's pending call) safe to repeat, so a crash between the run pausing and the task being written is
 * mended by the reconciler. A claim is a lease (`assignee` until `lease_expires_at`); an expired claim
 * puts the task back in its queue. `inbox_events` is the task's history, in order (`seq`): the live
 * screens' stream (resumable with Last-Event-ID) and the division-of-labour measures read it.
 */
export const INBOX_TASKS_DDL = `
  create table inbox_tasks (
    id text primary key,
    tenant_id text not null,
    origin text not null,
    kind text not null check (kind in ('handoff', 'approval')),
    status text not null check (status in ('open', 'claimed', 'resolved', 'returned', 'cancelled')),
    reason text not null,
    priority text not null check (priority in ('low', 'normal', 'high', 'urgent')),
    queue text not null,
    skills text[] not null default '{}',
    subject text not null,
    summary text not null,
    agent text,
    thread_id text,
    run_id text,
    call_id text,
    call_name text,
    call_arguments jsonb,
    assignee text,
    lease_expires_at timestamptz,
    due_at timestamptz,
    sla_breached_at timestamptz,
    first_response_at timestamptz,
    claimed_at timestamptz,
    closed_at timestamptz,
    resolution text,
    created_at timestamptz not null,
    updated_at timestamptz not null
  );
  create unique index inbox_tasks_origin_idx on inbox_tasks (tenant_id, origin);
  create index inbox_tasks_queue_idx on inbox_tasks (tenant_id, status, queue, created_at);
  create index inbox_tasks_thread_idx on inbox_tasks (thread_id) where status in ('open', 'claimed');
  create index inbox_tasks_lease_idx on inbox_tasks (lease_expires_at) where status = 'claimed';
  create index inbox_tasks_due_idx on inbox_tasks (due_at) where status in ('open', 'claimed') and sla_breached_at is null;
  create table inbox_events (
    seq bigint generated always as identity primary key,
    tenant_id text not null,
    task_id text not null,
    type text not null,
    actor text,
    data jsonb not null,
    at timestamptz not null
  );
  create index inbox_events_tenant_seq_idx on inbox_events (tenant_id, seq);
  create index inbox_events_task_idx on inbox_events (task_id, seq);
`;

/** A person's note to the agent when handing a conversation back (`note`): context for the agent, not shown to the customer. */
export const THREAD_NOTE_ROLE_DDL = `
  alter table thread_messages drop constraint thread_messages_role_check;
  alter table thread_messages add constraint thread_messages_role_check check (role in ('user', 'assistant', 'human', 'note'));
`;
