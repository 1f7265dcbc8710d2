import type { Principal } from '../economy/index.js';

/**
 * Agents as models: `model: "agent/<name>"` on `/v1/chat/completions` and `/v1/responses` runs the
 * caller's agent `<name>` and answers its final text in the protocol's own shape. The gateway may not
 * import the agent runtime, so the composition root hands it this hook; without it `agent/…` names are
 * ordinary (unknown) model names.
 */
export const AGENT_MODEL_PREFIX = 'agent/';

/** The agent a model name names, or undefined for any other model. */
export function agentNameOf(model: string): string | undefined {
  if (!model.startsWith(AGENT_MODEL_PREFIX)) return undefined;
  const name = model.slice(AGENT_MODEL_PREFIX.length);
  return name.length > 0 ? name : undefined;
}

/** A message of the conversation the run starts from (text only: tool steps stay inside the hub). */
export interface AgentModelMessage {
  role: 'system' | 'developer' | 'user' | 'assistant';
  content: string;
}

/** How the run stands when the hook answers (the run engine's statuses). */
export type AgentModelRunStatus =
  | 'queued'
  | 'running'
  | 'waiting'
  | 'waiting_approval'
  | 'handed_off'
  | 'needs_attention'
  | 'completed'
  | 'failed'
  | 'cancelled'
  | 'budget_exceeded'
  | 'max_turns';

export interface AgentModelRequest {
  /** The caller, authenticated, with the `agents:run` scope checked. */
  principal: Principal;
  /** The agent's name: the model name without `agent/`. */
  agent: string;
  messages: AgentModelMessage[];
  /** Aborted when the client goes away: the run is then cancelled, since nobody is left to read its answer. */
  signal: AbortSignal;
}

export interface AgentModelAnswer {
  runId: string;
  /** `completed`, or how the run stopped otherwise (the gateway answers those with an error). */
  status: AgentModelRunStatus;
  /** The final answer (`completed`), the summary for the person (`handed_off`), else empty. */
  text: string;
  /** What the run said about why it did not complete (its error message), when it said something. */
  reason?: string;
  /** Exactly the run's ledger rows (each of its model calls was admitted and billed on its own). */
  usage: { inputTokens: number; outputTokens: number };
}

export interface AgentModels {
  /**
   * Starts a run of the caller's agent on `messages` and resolves once it finished, paused or the signal
   * aborted. Throws a HubError when no run can start: MODEL_NOT_FOUND for an unknown agent, FORBIDDEN for a
   * caller that is not a tenant's key.
   */
  run(request: AgentModelRequest): Promise<AgentModelAnswer>;
  /** The agents the caller may run, by name, for `GET /v1/models` (omitted: not listed there). */
  list?(principal: Principal): Promise<string[]>;
}
