/**
 * The append-only ledger: one row per request, written by the journal flusher in batches and never
 * updated. `request_id` is unique so replaying a journal is idempotent; `seq` orders rows for
 * cursor pagination. `created_at` is the admission time, so a row falls in the same budget period
 * its reservation was charged to.
 */
export const LEDGER_DDL = `
  create table ledger (
    seq bigint generated always as identity primary key,
    request_id text not null unique,
    tenant_id text,
    project_id text,
    key_id text,
    surface text not null,
    model_requested text not null,
    model_served text not null,
    provider_id text,
    upstream_model text,
    input_tokens integer not null,
    output_tokens integer not null,
    cached_tokens integer not null,
    cache_write_tokens integer not null,
    usage_source text not null check (usage_source in ('upstream', 'tokenizer')),
    cost_picos numeric(38, 0) not null,
    price_known boolean not null,
    latency_ms integer not null,
    ttfb_ms integer,
    status integer not null,
    error_code text,
    stream boolean not null,
    attempts integer not null,
    created_at timestamptz not null
  );
  create index ledger_tenant_seq_idx on ledger (tenant_id, seq);
  create index ledger_created_idx on ledger (created_at);
`;

/**
 * Token counts are bigint: a count is bounded where it is read from an upstream, but the ledger must
 * never be the place where an out-of-range number stops every later row. `client_request_id` is the
 * client's own id for correlation (the hub mints `request_id`); `usage_anomaly` says why the upstream's
 * usage was not billed as it reported it.
 */
export const LEDGER_BIGINT_COUNTS_DDL = `
  alter table ledger
    alter column input_tokens type bigint,
    alter column output_tokens type bigint,
    alter column cached_tokens type bigint,
    alter column cache_write_tokens type bigint,
    add column client_request_id text,
    add column usage_anomaly text;
  create index ledger_client_request_idx on ledger (tenant_id, client_request_id) where client_request_id is not null;
`;
