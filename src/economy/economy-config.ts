/**
 * The part of the hub's config the economy reads. Declared here, structurally, so the economy does
 * not import `config/` (the import table keeps it below config); `HubConfig` satisfies it as is.
 */
export interface EconomyPricingConfig {
  input_per_mtok: number | string;
  output_per_mtok: number | string;
  cached_input_per_mtok?: number | string | undefined;
  cache_write_per_mtok?: number | string | undefined;
}

export interface EconomyModelConfig {
  name: string;
  pricing?: EconomyPricingConfig | undefined;
  /** Output cap used for worst-case reservations when a request sets no max_tokens. */
  max_output_tokens?: number | undefined;
  targets?: readonly { model: string }[];
  fallbacks?: readonly string[];
}

/** How durable an acknowledged usage record is (see `JournalDurability` and docs/economy.md). */
export interface EconomyDurabilityConfig {
  durability?: 'process' | 'machine' | undefined;
  /** `process` durability: the longest an acknowledged record waits for its fdatasync. */
  fsync_interval_ms?: number | undefined;
}

export interface EconomyConfig {
  models: readonly EconomyModelConfig[];
  economy?: EconomyDurabilityConfig | undefined;
}
