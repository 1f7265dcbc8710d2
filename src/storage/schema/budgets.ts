/**
 * Hard spending limits. A budget belongs to exactly one scope (tenant, project or key); the tenant id
 * is always set so every query can carry the tenant filter. Money is numeric(38,0) pico-dollars:
 * exact and without bigint's $9.2M ceiling.
 */
export const BUDGETS_DDL = `
  create table budgets (
    id text primary key,
    scope text not null check (scope in ('tenant', 'project', 'key')),
    tenant_id text not null references tenants (id),
    project_id text references projects (id),
    key_id text references api_keys (id),
    limit_picos numeric(38, 0) not null check (limit_picos >= 0),
    period text not null check (period in ('total', 'day', 'month')),
    created_at timestamptz not null default now(),
    check ((scope = 'tenant' and project_id is null and key_id is null)
        or (scope = 'project' and project_id is not null and key_id is null)
        or (scope = 'key' and key_id is not null))
  );
  create index budgets_tenant_idx on budgets (tenant_id);
`;
