import { derivedId } from '../../core/index.js';
import type { RunRecord } from '../../storage/index.js';

/**
 * The id of the child run an agent tool call starts, derived from the call's idempotency key: a parent that
 * replays the call after a crash finds the child it started before instead of starting a second one.
 */
export function childRunId(idempotencyKey: string): string {
  return derivedId('run', `child-run:${idempotencyKey}`);
}

export interface ChildRunRequest {
  parent: RunRecord;
  /** The agent tool call's idempotency key (it names the child run). */
  idempotencyKey: string;
  agent: string;
  input: string;
  keyId: string;
  /** The parent's and its ancestors' limits, which the child counts against too. */
  ancestorBudgets: { run_id: string; max_cost_usd: string }[];
}

/** How an agent tool starts another agent's run and waits for it (the composition supplies the engine behind it). */
export interface ChildRuns {
  /** Starts the child run (once per idempotency key) and resolves when it finished or paused. */
  run(request: ChildRunRequest, signal: AbortSignal): Promise<RunRecord>;
}
