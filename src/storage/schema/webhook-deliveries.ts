/**
 * One event on its way to one webhook, and the log of how that went. `payload` is the event as sent
 * (`{id, type, created_at, tenant_id, data}`). A pending row is due at `next_attempt_at`; a worker claims it
 * by pushing `next_attempt_at` forward (its lease) and counting the attempt, and `attempts` fences the result:
 * only the claim that made the current attempt may record it. `seq` orders the log (newest first).
 */
export const WEBHOOK_DELIVERIES_DDL = `
  create table webhook_deliveries (
    id text primary key,
    seq bigint generated always as identity,
    webhook_id text not null references inbox_webhooks (id) on delete cascade,
    tenant_id text not null,
    event_id text not null,
    event_type text not null,
    payload jsonb not null,
    status text not null default 'pending' check (status in ('pending', 'delivered', 'failed')),
    attempts integer not null default 0,
    next_attempt_at timestamptz,
    last_attempt_at timestamptz,
    last_status_code integer,
    last_error text,
    created_at timestamptz not null,
    delivered_at timestamptz
  );
  create index webhook_deliveries_due_idx on webhook_deliveries (next_attempt_at) where status = 'pending';
  create index webhook_deliveries_log_idx on webhook_deliveries (webhook_id, seq desc);
`;
