/**
 * One row per mutating admin request, successful or not, appended and never updated. `seq` orders
 * rows for cursor pagination; `before`/`after` hold the entity as the admin API renders it, with
 * secrets stripped before they reach this table.
 */
export const AUDIT_LOG_DDL = `
  create table audit_log (
    seq bigint generated always as identity primary key,
    id text not null unique,
    at timestamptz not null,
    actor text not null,
    action text not null,
    target_type text not null,
    target_id text,
    tenant_id text,
    request_id text not null,
    method text not null,
    path text not null,
    status integer not null,
    error_code text,
    before jsonb,
    after jsonb
  );
  create index audit_log_tenant_seq_idx on audit_log (tenant_id, seq);
  create index audit_log_action_seq_idx on audit_log (action, seq);
  create index audit_log_at_idx on audit_log (at);
`;
