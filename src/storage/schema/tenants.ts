/** Organisations: the top of the tenancy tree and the unit of isolation. */
export const TENANTS_DDL = `
  create table tenants (
    id text primary key,
    name text not null,
    created_at timestamptz not null default now()
  );
`;
