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
