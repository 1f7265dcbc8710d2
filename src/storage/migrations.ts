import {
  AGENTS_DDL,
  API_KEY_SCOPES_DDL,
  API_KEYS_DDL,
  API_KEYS_USER_DDL,
  APP_INSTALLATIONS_DDL,
  AUDIT_LOG_DDL,
  BUDGETS_DDL,
  INBOX_TASKS_DDL,
  INBOX_WEBHOOKS_DDL,
  LEDGER_AGENT_COLUMNS_DDL,
  LEDGER_BIGINT_COUNTS_DDL,
  LEDGER_DDL,
  LEDGER_FILTER_INDEXES_DDL,
  LEDGER_SANDBOX_COLUMNS_DDL,
  LEDGER_WORKFLOW_COLUMN_DDL,
  PROJECTS_DDL,
  REQUEST_BODIES_DDL,
  RESPONSES_DDL,
  ROUTED_MODELS_DDL,
  RUN_EVENTS_DDL,
  RUN_STEPS_DDL,
  RUNS_DDL,
  RUNS_WAITING_DDL,
  SANDBOXES_DDL,
  TENANTS_DDL,
  THREAD_NOTE_ROLE_DDL,
  THREADS_DDL,
  TOOL_SECRETS_DDL,
  UPSTREAM_PROVIDERS_DDL,
  USAGE_HOURLY_DDL,
  USAGE_ROLLUPS_DDL,
  USER_SESSIONS_DDL,
  USERS_DDL,
  WEBHOOK_DELIVERIES_DDL,
  WORKFLOW_TRIGGERS_DDL,
  WORKFLOWS_DDL,
} from './schema/index.js';
import { SITE_VERSIONS_DDL } from './schema/site-versions.js';
import { SUPPLIER_CATALOGUE_DDL } from './schema/supplier-catalogue.js';
import { SUPPORT_STORE_DDL } from './schema/support-store.js';

/**
 * Versioned migrations, applied in order, each once, inside a transaction. Never edit a shipped
 * migration: add the next one. SQL must run on PostgreSQL 15 and PGlite alike.
 */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const MIGRATIONS: Migration[] = [
  {
    version: 1,
    name: 'hub settings',
    sql: `
      create table hub_settings (
        key text primary key,
        value text not null,
        updated_at timestamptz not null default now()
      );
    `,
  },
  {
    version: 2,
    name: 'token economy: tenants, projects, keys, budgets, ledger, hourly usage',
    sql: [TENANTS_DDL, PROJECTS_DDL, API_KEYS_DDL, BUDGETS_DDL, LEDGER_DDL, USAGE_HOURLY_DDL].join('\n'),
  },
  { version: 3, name: 'stored responses (Responses API)', sql: RESPONSES_DDL },
  { version: 4, name: 'admin audit log', sql: AUDIT_LOG_DDL },
  { version: 5, name: 'providers and models managed through the admin API', sql: [UPSTREAM_PROVIDERS_DDL, ROUTED_MODELS_DDL].join('\n') },
  { version: 6, name: 'ledger: bigint token counts, client request ids, usage anomalies', sql: LEDGER_BIGINT_COUNTS_DDL },
  { version: 7, name: 'durable runs: runs, their steps and events', sql: [RUNS_DDL, RUN_STEPS_DDL, RUN_EVENTS_DDL].join('\n') },
  { version: 8, name: 'api keys: scopes', sql: API_KEY_SCOPES_DDL },
  {
    version: 9,
    name: 'agents and their versions; agent, run and thread on ledger rows',
    sql: [AGENTS_DDL, LEDGER_AGENT_COLUMNS_DDL].join('\n'),
  },
  { version: 10, name: 'sealed tool secrets of agents', sql: TOOL_SECRETS_DDL },
  { version: 11, name: 'threads: conversations across agent runs', sql: THREADS_DDL },
  { version: 12, name: 'people: users, personal keys, login sessions', sql: [USERS_DDL, API_KEYS_USER_DDL, USER_SESSIONS_DDL].join('\n') },
  { version: 13, name: 'the human inbox: tasks, their events; notes on threads', sql: [INBOX_TASKS_DDL, THREAD_NOTE_ROLE_DDL].join('\n') },
  { version: 14, name: 'inbox webhooks and their deliveries', sql: [INBOX_WEBHOOKS_DDL, WEBHOOK_DELIVERIES_DDL].join('\n') },
  { version: 15, name: 'support app store: users, orders, products per installation', sql: SUPPORT_STORE_DDL },
  { version: 17, name: 'installations of shipped apps, and what they learn per conversation', sql: APP_INSTALLATIONS_DDL },
  { version: 19, name: 'usage rollups: agent, errors and a latency histogram; daily rollup', sql: USAGE_ROLLUPS_DDL },
  {
    version: 20,
    name: 'request log: ledger filter indexes; opt-in request and response bodies',
    sql: [LEDGER_FILTER_INDEXES_DDL, REQUEST_BODIES_DDL].join('\n'),
  },
  {
    version: 21,
    name: "workflows: definitions and their versions; the ledger's workflow",
    sql: [WORKFLOWS_DDL, LEDGER_WORKFLOW_COLUMN_DDL].join('\n'),
  },
  {
    version: 22,
    name: 'workflow runs: the waiting status and wake-up times; the key and webhook of workflow triggers',
    sql: [RUNS_WAITING_DDL, WORKFLOW_TRIGGERS_DDL].join('\n'),
  },
  {
    version: 23,
    name: 'sandboxes, kept workspaces and their files; sandbox usage on the ledger',
    sql: [SANDBOXES_DDL, LEDGER_SANDBOX_COLUMNS_DDL].join('\n'),
  },
  { version: 24, name: 'supplier-matching app catalogue: suppliers per installation, full-text searchable', sql: SUPPLIER_CATALOGUE_DDL },
  { version: 25, name: 'site-builder app: published site versions and the version each site serves', sql: SITE_VERSIONS_DDL },
];
