/** Projects group a tenant's keys so budgets and usage can be tracked per team or product. */
export const PROJECTS_DDL = `
  create table projects (
    id text primary key,
    tenant_id text not null references tenants (id),
    name text not null,
    created_at timestamptz not null default now()
  );
  create index projects_tenant_idx on projects (tenant_id);
`;
