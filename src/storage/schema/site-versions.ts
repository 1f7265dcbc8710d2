/**
 * The site-builder app's published sites: every version of a tenant's site (its files, path → text, and the
 * solution document it was built from) is kept, and `sites` points at the one served, so a re-publish keeps the
 * previous version and a rollback only moves the pointer. Sizes are capped by the repository before writing.
 */
export const SITE_VERSIONS_DDL = `
  create table site_versions (
    tenant_id text not null,
    slug text not null,
    version integer not null,
    files jsonb not null,
    files_count integer not null,
    files_bytes integer not null,
    solution jsonb,
    run_id text,
    created_at timestamptz not null,
    primary key (tenant_id, slug, version)
  );
  create table sites (
    tenant_id text not null,
    slug text not null,
    current_version integer not null,
    updated_at timestamptz not null,
    primary key (tenant_id, slug)
  );
`;
