/**
 * A tenant's named secrets for agent tools (`{{secret:NAME}}` in an HTTP tool's headers). The value is sealed by
 * the secret box (AES-256-GCM under TOKENHUB_SECRET_KEY, bound to tenant and name) and never stored in the clear.
 */
export const TOOL_SECRETS_DDL = `
  create table tool_secrets (
    tenant_id text not null references tenants (id),
    name text not null,
    sealed_value text not null,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    primary key (tenant_id, name)
  );
`;
