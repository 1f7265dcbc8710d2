/**
 * The request log's filters on the ledger, each measured with EXPLAIN ANALYZE on PostgreSQL 15 with 3M
 * rows (one tenant holding 1.5M): without these, a key with little traffic (1.7 s, a parallel seq scan),
 * errors when they are rare, or one agent of many scanned the tenant's rows backwards; with them each
 * page is an index range scan (< 1 ms). The old `(tenant_id, agent)` index is a prefix of the new one.
 */
export const LEDGER_FILTER_INDEXES_DDL = `
  create index ledger_key_seq_idx on ledger (key_id, seq);
  create index ledger_tenant_error_seq_idx on ledger (tenant_id, seq) where status >= 400;
  create index ledger_tenant_agent_seq_idx on ledger (tenant_id, agent, seq) where agent is not null;
  drop index ledger_tenant_agent_idx;
`;

/**
 * Opt-in body retention. A setting per key or per project (a key's own setting wins over its project's;
 * `enabled = false` on a key opts it out of its project's). `request_bodies` holds each kept call's
 * request and response, redacted and capped, until `expires_at` (fixed when it was written), when the
 * sweep deletes it.
 */
export const REQUEST_BODIES_DDL = `
  create table body_logging_settings (
    scope text not null check (scope in ('key', 'project')),
    target_id text not null,
    tenant_id text not null references tenants (id),
    enabled boolean not null,
    retention_days integer not null check (retention_days between 1 and 365),
    updated_at timestamptz not null,
    primary key (scope, target_id)
  );
  create table request_bodies (
    request_id text primary key,
    tenant_id text not null,
    key_id text,
    created_at timestamptz not null,
    expires_at timestamptz not null,
    request_body text not null,
    request_truncated boolean not null,
    response_body text not null,
    response_truncated boolean not null,
    response_kind text not null check (response_kind in ('json', 'stream', 'text'))
  );
  create index request_bodies_expires_idx on request_bodies (expires_at);
`;
