/**
 * The token economy's facade: authentication of API keys, admission (model access, rate limits,
 * budget reservations) and settlement (metering into the journal and ledger), plus the services
 * the admin API drives (tenants, projects, keys, budgets, usage).
 */
export { generateAdminKey, hashSecret, secretMatchesHash } from './admin-key.js';
export {
  BODY_CAP_BYTES,
  type BodyLog,
  type BodyLoggingView,
  type BodyRecorder,
  type CapturedBodies,
  DEFAULT_BODY_RETENTION_DAYS,
  MAX_BODY_RETENTION_DAYS,
} from './body-log.js';
export type { BudgetBurn } from './budget-burn.js';
export type { BudgetStatus } from './budget-counters.js';
export type { BudgetQuery, BudgetService, NewBudgetRequest } from './budget-service.js';
export type { Admission, AdmissionRequest, CallAttribution, EconomyGate, Principal, RunBudget, SettlementOutcome } from './contract.js';
export { type Broadcast, createEconomy, type Economy, type EconomyDeps, type Readiness } from './economy.js';
export type { EconomyConfig, EconomyDurabilityConfig, EconomyModelConfig, EconomyPricingConfig } from './economy-config.js';
export { ADMIN_PRINCIPAL, modelAllowed } from './gate.js';
export type { JournalDurability } from './journal.js';
export type { CreatedKey, KeyService, NewKeyRequest } from './key-service.js';
export type { EconomyLogger } from './logger.js';
export { createAdminKeyGate } from './open-gate.js';
export type { PeriodWindow } from './periods.js';
export { PRICE_TABLE_DATE } from './price-table.js';
export type { Cost, ModelPrices, PriceBook } from './pricing.js';
export { DEFAULT_KEY_SCOPES, hasScope, KEY_SCOPES, type KeyScope, requireScope } from './scopes.js';
export type { SpendAdmission, SpendGate, SpendRecord, SpendRequest } from './spend.js';
export type { TenancyService } from './tenancy-service.js';
export { countPromptTokens, countTextTokens } from './tokenizer.js';
export {
  MAX_SERIES_BUCKETS,
  type UsageCounts,
  type UsageSeries,
  type UsageSeriesGroup,
  type UsageSeriesPoint,
  type UsageSeriesQuery,
} from './usage-series.js';
export type { LedgerPage, LedgerQuery, UsageQuery, UsageService } from './usage-service.js';
export { VIRTUAL_KEY_PREFIX } from './virtual-key.js';
