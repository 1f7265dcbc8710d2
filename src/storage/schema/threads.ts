/**
 * Threads: a conversation of one tenant that outlives its runs. Its messages are numbered in the
 * order they were added (`seq`); `role` is `user` (the client), `assistant` (an agent's final answer,
 * with the run that gave it) or `human` (a person's reply, with `author` naming them). An agent run
 * answers a thread at most once: the unique index makes recording its reply safe to repeat on resume.
 */
export const THREADS_DDL = `
  create table threads (
    id text primary key,
    tenant_id text not null,
    metadata jsonb not null,
    created_at timestamptz not null
  );
  create index threads_tenant_created_idx on threads (tenant_id, created_at desc);
  create table thread_messages (
    id text primary key,
    tenant_id text not null,
    thread_id text not null references threads (id) on delete cascade,
    seq bigint generated always as identity,
    role text not null check (role in ('user', 'assistant', 'human')),
    author text,
    content text not null,
    run_id text,
    created_at timestamptz not null
  );
  create index thread_messages_thread_seq_idx on thread_messages (thread_id, seq);
  create unique index thread_messages_run_reply_idx on thread_messages (run_id) where role = 'assistant';
`;
