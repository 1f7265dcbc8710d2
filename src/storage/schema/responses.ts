/**
 * Stored Responses API responses, one row per response, per tenant. `tenant_id` is null for the
 * admin key's own namespace. `input_items` holds only this turn's input (normalised, with ids);
 * earlier turns are reached through `previous_response_id`, so a long conversation is stored once,
 * not once per turn. Expired rows are invisible at once and deleted by the sweep.
 */
export const RESPONSES_DDL = `
  create table responses (
    id text primary key,
    tenant_id text,
    previous_response_id text,
    model text not null,
    status text not null,
    response jsonb not null,
    input_items jsonb not null,
    created_at timestamptz not null default now(),
    expires_at timestamptz
  );
  create index responses_tenant_created_idx on responses (tenant_id, created_at);
  create index responses_expires_idx on responses (expires_at) where expires_at is not null;
`;
