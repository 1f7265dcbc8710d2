/**
 * Hourly rollup of the ledger per tenant, project, key and served model, maintained in the same
 * statement that inserts ledger rows, so usage queries and budget spends read thousands of rows
 * instead of millions. Absent ids are stored as '' (not null) so the primary key can include them
 * on every PostgreSQL version.
 */
export const USAGE_HOURLY_DDL = `
  create table usage_hourly (
    hour timestamptz not null,
    tenant_id text not null,
    project_id text not null,
    key_id text not null,
    model text not null,
    requests bigint not null,
    input_tokens bigint not null,
    output_tokens bigint not null,
    cached_tokens bigint not null,
    cost_picos numeric(38, 0) not null,
    primary key (tenant_id, project_id, key_id, model, hour)
  );
  create index usage_hourly_tenant_hour_idx on usage_hourly (tenant_id, hour);
  create index usage_hourly_project_hour_idx on usage_hourly (project_id, hour);
  create index usage_hourly_key_hour_idx on usage_hourly (key_id, hour);
`;
