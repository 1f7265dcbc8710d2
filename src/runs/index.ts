/**
 * The durable execution engine shared by agent runs and workflow runs: run and step records, events
 * (stored in order, fanned out through the cluster), leases and heartbeats, resume after a crash, and
 * exactly-once effects. It knows nothing of agents: a `RunHandler` per run kind does the work.
 */
export type { RunHandler, RunOutcome } from './contract.js';
export { type EffectCall, type EffectOptions, RecordedEffectError, RunContext } from './run-context.js';
export { RunEngine, type RunEngineLogger, type RunEngineOptions } from './run-engine.js';
export { type RunBroadcast, RunEvents } from './run-events.js';
export { EffectPendingError, LeaseLostError, NeedsAttentionError, RunCancelledError } from './run-signals.js';
