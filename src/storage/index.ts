/**
 * Storage: PGlite (embedded, default) and PostgreSQL behind one `Database` interface, versioned
 * migrations, and one repository per concern.
 */
export { type AgentRecord, AgentsRepository, type AgentVersionRecord } from './agents.repo.js';
export {
  ApiKeyLookup,
  type ApiKeyPatch,
  type ApiKeyRecord,
  ApiKeysRepository,
  type KeyRateLimits,
  type NewApiKey,
} from './api-keys.repo.js';
export { type AppInstallationRecord, AppInstallationsRepository } from './app-installations.repo.js';
export { type AuditEntry, type AuditFilter, AuditLogRepository, type AuditRow } from './audit-log.repo.js';
export {
  type BudgetFilter,
  type BudgetPeriod,
  type BudgetRecord,
  type BudgetScope,
  BudgetsRepository,
  findBudgetTenant,
  type NewBudget,
} from './budgets.repo.js';
export { type Database, type OpenDatabaseOptions, openDatabase, type Queryable, type QueryOptions } from './database.js';
export {
  type ConversationCounts,
  type HandoffTimes,
  type InboxStatsBucket,
  InboxStatsRepository,
  type InboxStatsWindow,
  type TaskCounts,
} from './inbox-stats.repo.js';
export {
  type InboxEventRecord,
  InboxSweeps,
  type InboxTaskKind,
  type InboxTaskPriority,
  type InboxTaskRecord,
  type InboxTaskStatus,
  InboxTasksRepository,
  type NewInboxTask,
  OPEN_TASK_STATUSES,
  type TaskChange,
  type TaskGuard,
} from './inbox-tasks.repo.js';
export {
  type ClaimedWebhookDelivery,
  type InboxWebhookPatch,
  type InboxWebhookRecord,
  InboxWebhooksRepository,
  type NewInboxWebhook,
  resealAllInboxWebhookSecrets,
  type WebhookAttemptResult,
  WebhookDeliveryQueue,
  type WebhookDeliveryRecord,
  type WebhookDeliveryStatus,
  type WebhookEventRow,
} from './inbox-webhooks.repo.js';
export {
  type LedgerEntry,
  type LedgerFilter,
  LedgerRepository,
  type LedgerRow,
  LedgerWriter,
  USAGE_KINDS,
  type UsageKind,
} from './ledger.repo.js';
export { migrate } from './migrate.js';
export { MIGRATIONS, type Migration } from './migrations.js';
export { findProjectTenant, type ProjectRecord, ProjectsRepository } from './projects.repo.js';
export {
  BodyLoggingRepository,
  type BodyLoggingScope,
  type BodyLoggingSetting,
  deleteExpiredRequestBodies,
  insertRequestBodies,
  RequestBodiesRepository,
  type StoredBodies,
} from './request-bodies.repo.js';
export {
  deleteExpiredResponses,
  type NewStoredResponse,
  ResponsesRepository,
  responsesStore,
  type StoredResponseRecord,
} from './responses.repo.js';
export { type RoutedModelRecord, RoutedModelsRepository } from './routed-models.repo.js';
export { type RunEventRecord, RunEventsRepository } from './run-events.repo.js';
export { RunLeases, type RunTransition } from './run-leases.repo.js';
export { type RunStepRecord, type RunStepStatus, RunStepsRepository } from './run-steps.repo.js';
export {
  ACTIVE_RUN_STATUSES,
  FINAL_RUN_STATUSES,
  insertRun,
  type JsonRecord,
  type NewRun,
  PAUSED_RUN_STATUSES,
  type RunPageFilter,
  type RunRecord,
  type RunStatus,
  type RunSummaryRecord,
  RunsRepository,
  runCallUsage,
  runPage,
  type StepCallUsage,
  unfinishedChildRuns,
  wakeDueRuns,
  wakeSettledParents,
  wakeWaitingRun,
} from './runs.repo.js';
export {
  type FileChangeOutcome,
  type FileChanges,
  type FileQuota,
  SandboxesRepository,
  type SandboxFileInfo,
  SandboxFilesRepository,
  type SandboxRecord,
  type SandboxStatus,
  SandboxSweepRepository,
  type SandboxWorkspaceRecord,
} from './sandboxes.repo.js';
export { SettingsRepository } from './settings.repo.js';
export {
  checkSiteFiles,
  type NewSiteVersion,
  SITE_LIMITS,
  type SiteBuildCost,
  type SiteVersionRecord,
  type SiteVersionSummary,
  SiteVersionsRepository,
} from './site-versions.repo.js';
export {
  cjkBigrams,
  latinWords,
  type SupplierCatalogueRecord,
  SupplierCatalogueRepository,
  type SupplierFilters,
  type SupplierPriceTier,
  type SupplierSearchHit,
} from './supplier-catalogue.repo.js';
export {
  SUPPORT_STORE_TABLES,
  type SupportDocument,
  type SupportStoreCounts,
  type SupportStoreData,
  SupportStoreRepository,
  type SupportStoreTable,
  type SupportStoreTransaction,
  type SupportUserIdentity,
  splitJsonObject,
} from './support-store.repo.js';
export { type TenantRecord, TenantsRepository } from './tenants.repo.js';
export {
  type NewThreadMessage,
  type ThreadMessageRecord,
  type ThreadMessageRole,
  type ThreadRecord,
  ThreadsRepository,
} from './threads.repo.js';
export { resealAllToolSecrets, type ToolSecretRecord, ToolSecretsRepository } from './tool-secrets.repo.js';
export {
  type UpstreamProviderRecord,
  UpstreamProvidersRepository,
  type UpstreamProviderValues,
} from './upstream-providers.repo.js';
export {
  type RunUsage,
  runUsage,
  type SpendScope,
  spentInPeriod,
  spentOnRun,
  type UsageFilter,
  type UsageGroupBy,
  type UsageInterval,
  UsageRepository,
  type UsageSeriesGroupBy,
  type UsageSeriesRow,
  type UsageTotals,
} from './usage.repo.js';
export { type UserSessionRecord, UserSessionsRepository } from './user-sessions.repo.js';
export { type NewUser, UserLookup, type UserPatch, type UserRecord, type UserRole, UsersRepository } from './users.repo.js';
export { type TriggeredWorkflowRecord, type WorkflowHookRecord, WorkflowTriggersRepository } from './workflow-triggers.repo.js';
export { type WorkflowRecord, WorkflowsRepository, type WorkflowVersionRecord } from './workflows.repo.js';
