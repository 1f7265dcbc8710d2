/**
 * Durable runs (agent runs, later workflow runs): one row per run, per tenant. `state` is the run
 * kind's own versioned state; `lease_owner`/`lease_expires_at` say which replica works on it and
 * until when (a lease that expires is taken over by another replica). A paused run
 * (`waiting_approval`, `handed_off`, `needs_attention`) holds no lease.
 */
export const RUNS_DDL = `
  create table runs (
    id text primary key,
    tenant_id text not null,
    kind text not null,
    subject text not null,
    version integer not null,
    status text not null check (status in ('queued', 'running', 'waiting_approval', 'handed_off', 'needs_attention',
      'completed', 'failed', 'cancelled', 'budget_exceeded', 'max_turns')),
    parent_run_id text references runs (id) on delete cascade,
    thread_id text,
    input jsonb not null,
    state jsonb not null,
    output jsonb,
    error jsonb,
    metadata jsonb not null,
    lease_owner text,
    lease_expires_at timestamptz,
    attempts integer not null default 0,
    cancel_requested boolean not null default false,
    created_at timestamptz not null,
    updated_at timestamptz not null,
    finished_at timestamptz
  );
  create index runs_claimable_idx on runs (created_at) where status in ('queued', 'running');
  create index runs_tenant_created_idx on runs (tenant_id, created_at desc);
  create index runs_parent_idx on runs (parent_run_id) where parent_run_id is not null;
`;

/**
 * The steps of a run: each model call and tool call (each effect), numbered in the order the run
 * performs them. A step is recorded as `started` before its effect runs and `finished` (with its
 * output) after, so a resumed run never repeats a finished effect and knows which one was cut off.
 */
export const RUN_STEPS_DDL = `
  create table run_steps (
    run_id text not null references runs (id) on delete cascade,
    seq integer not null,
    kind text not null,
    name text not null,
    status text not null check (status in ('started', 'finished', 'failed')),
    idempotent boolean not null,
    idempotency_key text not null,
    input jsonb,
    output jsonb,
    error jsonb,
    attempts integer not null default 1,
    started_at timestamptz not null,
    finished_at timestamptz,
    primary key (run_id, seq)
  );
`;

/** A run's events in order: the stream clients follow (SSE, resumable from any replica by `seq`). */
export const RUN_EVENTS_DDL = `
  create table run_events (
    run_id text not null references runs (id) on delete cascade,
    seq integer not null,
    type text not null,
    data jsonb not null,
    created_at timestamptz not null,
    primary key (run_id, seq)
  );
`;

/**
 * Workflow runs wait without a lease in `waiting` (a wait step, a child run paused for a person); a run that
 * waits until a time says so in `state.wake_at`, found by the waking sweep through its index.
 */
export const RUNS_WAITING_DDL = `
  alter table runs drop constraint if exists runs_status_check;
  alter table runs add constraint runs_status_check check (status in ('queued', 'running', 'waiting', 'waiting_approval',
    'handed_off', 'needs_attention', 'completed', 'failed', 'cancelled', 'budget_exceeded', 'max_turns'));
  create index runs_wake_at_idx on runs ((state ->> 'wake_at')) where status in ('waiting', 'waiting_approval') and state ? 'wake_at';
  create index runs_waiting_idx on runs (updated_at) where status = 'waiting';
`;
