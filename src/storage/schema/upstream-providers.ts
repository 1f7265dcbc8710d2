/**
 * Providers created through the admin API (the config file's providers are not stored). `settings`
 * holds what is not secret (preset, base URL, pool size…); the API key and extra headers, which may
 * carry credentials, are sealed together in `sealed_secrets` (AES-256-GCM under TOKENHUB_SECRET_KEY,
 * bound to the row's id) and never stored in the clear. `header_names` lets lists show which
 * headers are set without opening the secret.
 */
export const UPSTREAM_PROVIDERS_DDL = `
  create table upstream_providers (
    id text primary key,
    type text not null,
    settings jsonb not null,
    header_names jsonb not null default '[]'::jsonb,
    sealed_secrets text,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now()
  );
`;
