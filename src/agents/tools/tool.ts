import type { JsonObject } from '../../core/index.js';

/** What the model is told about a tool: its name, what it does, and its arguments as a JSON Schema. */
export interface ToolSpec {
  name: string;
  description: string;
  parameters: JsonObject;
}

/** What a tool call runs with. */
export interface ToolCallContext {
  tenantId: string;
  runId: string;
  /** The model's id for this call. */
  callId: string;
  /** Stable across retries of this call after a crash: send it on (`Idempotency-Key`) so the far side can dedupe. */
  idempotencyKey: string;
  /** Aborted when the run is cancelled, times out or loses its lease. */
  signal: AbortSignal;
}

/**
 * How a tool call ended. `result` and `error` go back to the model as the tool message; `handoff` ends the
 * run for a person (`transfer_to_human`: status `handed_off` with the summary).
 */
export type ToolOutcome =
  | { type: 'result'; content: string }
  | { type: 'error'; message: string }
  | { type: 'handoff'; summary: string; reason?: string };

/** A tool an agent can call, resolved from its definition for one run. */
export interface AgentTool {
  readonly spec: ToolSpec;
  /** `always`: the run pauses in `waiting_approval` before each call, until a person approves or rejects it. */
  readonly approval: 'never' | 'always';
  /** Safe to repeat with the same idempotency key; an interrupted non-idempotent call is never repeated. */
  readonly idempotent: boolean;
  /** Runs the call. The arguments were already validated against `spec.parameters`. Never throws for an expected failure: returns `error`. */
  invoke(args: JsonObject, context: ToolCallContext): Promise<ToolOutcome>;
}
