/**
 * A tenant's webhooks for inbox task events: where to POST (`url`), which event types (`events`, non-empty),
 * and the signing secret, sealed by the secret box (bound to tenant and webhook id) and never stored in the clear.
 * A disabled webhook is sent nothing: events are not recorded for it and its pending deliveries wait.
 */
export const INBOX_WEBHOOKS_DDL = `
  create table inbox_webhooks (
    id text primary key,
    tenant_id text not null references tenants (id),
    url text not null,
    events text[] not null check (cardinality(events) > 0),
    sealed_secret text not null,
    description text,
    disabled boolean not null default false,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now()
  );
  create index inbox_webhooks_tenant_idx on inbox_webhooks (tenant_id, created_at);
`;
