/** Table definitions, one per file, referenced by the migrations that create them. */
export { AGENTS_DDL, LEDGER_AGENT_COLUMNS_DDL } from './agents.js';
export { API_KEY_SCOPES_DDL, API_KEYS_DDL } from './api-keys.js';
export { AUDIT_LOG_DDL } from './audit-log.js';
export { BUDGETS_DDL } from './budgets.js';
export { LEDGER_BIGINT_COUNTS_DDL, LEDGER_DDL } from './ledger.js';
export { PROJECTS_DDL } from './projects.js';
export { RESPONSES_DDL } from './responses.js';
export { ROUTED_MODELS_DDL } from './routed-models.js';
export { RUN_EVENTS_DDL, RUN_STEPS_DDL, RUNS_DDL } from './runs.js';
export { TENANTS_DDL } from './tenants.js';
export { THREADS_DDL } from './threads.js';
export { TOOL_SECRETS_DDL } from './tool-secrets.js';
export { UPSTREAM_PROVIDERS_DDL } from './upstream-providers.js';
export { USAGE_HOURLY_DDL } from './usage-hourly.js';
