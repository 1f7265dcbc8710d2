/**
 * Agents defined through the API, per tenant: the agent's name and the version it serves, and every
 * version ever made (immutable: a change is a new version; rolling back moves `active_version`).
 */
export const AGENTS_DDL = `
  create table agents (
    tenant_id text not null,
    name text not null,
    active_version integer not null,
    latest_version integer not null,
    created_at timestamptz not null,
    updated_at timestamptz not null,
    primary key (tenant_id, name)
  );
  create table agent_versions (
    tenant_id text not null,
    name text not null,
    version integer not null,
    definition jsonb not null,
    created_at timestamptz not null,
    primary key (tenant_id, name, version),
    foreign key (tenant_id, name) references agents (tenant_id, name) on delete cascade
  );
`;

/** Agent traffic on the ledger: which agent, run and thread a model call was made for. */
export const LEDGER_AGENT_COLUMNS_DDL = `
  alter table ledger add column agent text, add column run_id text, add column thread_id text;
  create index ledger_run_idx on ledger (run_id) where run_id is not null;
  create index ledger_tenant_agent_idx on ledger (tenant_id, agent) where agent is not null;
`;
