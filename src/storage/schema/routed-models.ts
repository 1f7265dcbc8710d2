/**
 * Model names created through the admin API and how each routes onto provider targets; `spec` has
 * the config file's model shape (targets, fallbacks, pricing, output cap, context window, kind).
 */
export const ROUTED_MODELS_DDL = `
  create table routed_models (
    name text primary key,
    spec jsonb not null,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now()
  );
`;
