/**
 * Shipped apps installed for a tenant: each installation names the agent it created and the service key its
 * public pages act with (`config` holds the app's own settings). `app_conversation_facts` keeps what an
 * app learned in a conversation (a thread, or a run without one) across its runs — for the support app, the
 * customer a lookup identified, which the policy requires before any write.
 */
export const APP_INSTALLATIONS_DDL = `
  create table app_installations (
    id text primary key,
    tenant_id text not null references tenants (id),
    app text not null,
    name text not null,
    agent text not null,
    key_id text,
    config jsonb not null,
    created_at timestamptz not null
  );
  create unique index app_installations_name_idx on app_installations (tenant_id, app, name);
  create table app_conversation_facts (
    tenant_id text not null,
    installation_id text not null,
    conversation_id text not null,
    facts jsonb not null,
    updated_at timestamptz not null,
    primary key (tenant_id, installation_id, conversation_id)
  );
`;
