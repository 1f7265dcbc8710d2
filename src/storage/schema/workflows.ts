/**
 * Workflows defined through the API, per tenant: the workflow's name and the version it serves, and every
 * version ever made (immutable: an import of a changed document is a new version; rolling back moves
 * `active_version`). `document` is the workflow document in the current `apiVersion`'s shape.
 */
export const WORKFLOWS_DDL = `
  create table workflows (
    tenant_id text not null,
    name text not null,
    active_version integer not null,
    latest_version integer not null,
    created_at timestamptz not null,
    updated_at timestamptz not null,
    primary key (tenant_id, name)
  );
  create table workflow_versions (
    tenant_id text not null,
    name text not null,
    version integer not null,
    document jsonb not null,
    created_at timestamptz not null,
    primary key (tenant_id, name, version),
    foreign key (tenant_id, name) references workflows (tenant_id, name) on delete cascade
  );
`;

/**
 * Workflow traffic on the ledger: which workflow a model call was made for (its `run_id` is the workflow
 * run's, or the child agent run's). `seq` last, like the agent filter's index, so a tenant's page of one
 * workflow's rows is read in order from the index.
 */
export const LEDGER_WORKFLOW_COLUMN_DDL = `
  alter table ledger add column workflow text;
  create index ledger_tenant_workflow_seq_idx on ledger (tenant_id, workflow, seq) where workflow is not null;
`;

/**
 * Triggers of workflows: the key that runs started by a schedule, an event or a webhook are billed to (the
 * tenant key that last saved or activated the workflow), and one signed webhook per workflow (its secret
 * signs the caller's requests; it is shown once, when made).
 */
export const WORKFLOW_TRIGGERS_DDL = `
  alter table workflows add column trigger_key_id text;
  create table workflow_hooks (
    id text primary key,
    tenant_id text not null,
    workflow text not null,
    secret text not null,
    created_at timestamptz not null,
    unique (tenant_id, workflow),
    foreign key (tenant_id, workflow) references workflows (tenant_id, name) on delete cascade
  );
`;
