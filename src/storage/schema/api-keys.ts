/**
 * Virtual API keys. Only the sha256 of the secret is stored (the secret is shown once); `key_prefix`
 * lets an operator recognise a key in lists without revealing it. `models` null means every model.
 */
export const API_KEYS_DDL = `
  create table api_keys (
    id text primary key,
    tenant_id text not null references tenants (id),
    project_id text references projects (id),
    name text,
    key_hash text not null unique,
    key_prefix text not null,
    models jsonb,
    rate_limits jsonb not null default '{}'::jsonb,
    created_at timestamptz not null default now(),
    revoked_at timestamptz
  );
  create index api_keys_tenant_idx on api_keys (tenant_id);
`;

/**
 * What a key may do (`inference`, `agents:write`, `agents:run`). Keys made before scopes existed get
 * `{inference}`, which is all a key could do then, so they keep working as before.
 */
export const API_KEY_SCOPES_DDL = `
  alter table api_keys add column scopes text[] not null default '{inference}';
`;
