/**
 * Sandboxes (docs/sandboxes.md): one row per sandbox a tenant made, live until deleted or reclaimed after
 * `timeout_s` without a call. `files_owner` names its files in `sandbox_files`, which hold every sandbox's
 * and every kept workspace's files (the database is their home, so any replica serves them and a crash of
 * the hub loses none). Storage is billed by the hour from `storage_billed_at`.
 */
export const SANDBOXES_DDL = `
  create table sandboxes (
    id text primary key,
    tenant_id text not null,
    project_id text,
    key_id text,
    provider text not null,
    remote_id text,
    template text not null,
    status text not null,
    limits jsonb not null,
    network boolean not null default false,
    timeout_s integer not null,
    run_id text,
    workspace text,
    files_bytes bigint not null default 0,
    files_count integer not null default 0,
    cpu_ms bigint not null default 0,
    calls integer not null default 0,
    cost_picos numeric(38, 0) not null default 0,
    storage_billed_at timestamptz not null,
    created_at timestamptz not null,
    last_used_at timestamptz not null,
    expires_at timestamptz not null,
    deleted_at timestamptz,
    end_reason text
  );
  create index sandboxes_tenant_idx on sandboxes (tenant_id, created_at desc);
  create index sandboxes_live_expiry_idx on sandboxes (expires_at) where status = 'live';
  create index sandboxes_run_idx on sandboxes (run_id) where run_id is not null;
  create table sandbox_workspaces (
    tenant_id text not null,
    name text not null,
    project_id text,
    key_id text,
    files_owner text not null,
    source_sandbox_id text,
    files_bytes bigint not null default 0,
    files_count integer not null default 0,
    storage_billed_at timestamptz not null,
    created_at timestamptz not null,
    updated_at timestamptz not null,
    primary key (tenant_id, name)
  );
  create table sandbox_files (
    owner text not null,
    path text not null,
    content bytea not null,
    size integer not null,
    version text not null,
    updated_at timestamptz not null,
    primary key (owner, path)
  );
`;

/** Sandbox time and storage on the ledger, next to tokens: what kind of usage a row is, and its measures. */
export const LEDGER_SANDBOX_COLUMNS_DDL = `
  alter table ledger add column usage_kind text not null default 'tokens';
  alter table ledger add column sandbox_id text;
  alter table ledger add column cpu_ms bigint;
  alter table ledger add column storage_byte_seconds numeric(38, 0);
  create index ledger_tenant_sandbox_seq_idx on ledger (tenant_id, sandbox_id, seq) where sandbox_id is not null;
`;
