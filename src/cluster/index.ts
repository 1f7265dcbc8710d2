/**
 * Cluster state: counters (budgets, rate-limit windows, concurrency) and pub/sub shared by every
 * replica. `MemoryClusterState` for a single node, `RedisClusterState` for many; same semantics.
 */
export type {
  AdmitCommand,
  AdmitResult,
  BudgetCounter,
  BudgetSlot,
  ClusterHealth,
  ClusterState,
  ConcurrencySlot,
  SettleCommand,
  WindowSlot,
} from './contract.js';
export { MemoryClusterState } from './memory-state.js';
export { createRedisClusterState, type RedisClusterOptions, RedisClusterState } from './redis-state.js';
