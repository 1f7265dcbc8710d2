/**
 * The hub's answers as the SDK types them: exactly the JSON of the routes (snake_case, decimal strings for
 * money). `test/sdk/wire-types.check.ts` holds these against the server's own types, so they cannot drift.
 */

export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
export type JsonObject = Record<string, unknown>;

/** `{ object: "list", data }`, as every list route answers. */
export interface List<T> {
  object: 'list';
  data: T[];
}

/** A page of a list that goes on: pass `next_cursor` as `cursor` for the next one. */
export interface Page<T> extends List<T> {
  next_cursor: string | null;
  has_more: boolean;
}

export type RunStatus =
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

/** Statuses a run stays in until something outside it happens: finished, or paused for a person or a time. */
export const SETTLED_RUN_STATUSES: readonly RunStatus[] = [
  'completed',
  'failed',
  'cancelled',
  'budget_exceeded',
  'max_turns',
  'waiting',
  'waiting_approval',
  'handed_off',
  'needs_attention',
];

/** What a run spent: exactly its ledger rows (and those of the runs it started). `cost_usd` is a decimal string. */
export interface RunUsage {
  input_tokens: number;
  output_tokens: number;
  cost_usd: string;
  model_calls: number;
}

/** A message of a run's input: a string is one user message. */
export interface InputMessage {
  role: 'user' | 'assistant' | 'system' | 'developer';
  content: string;
}

export type RunInput = string | InputMessage[];

/** A tool call waiting for a person's decision (`runs.approve` / `runs.reject` with its `call_id`). */
export interface PendingApproval {
  call_id: string;
  tool: string;
  arguments: unknown;
  queue?: string;
  priority?: 'low' | 'normal' | 'high' | 'urgent';
}

export interface RunStep {
  seq: number;
  kind: string;
  name: string;
  status: string;
  input: JsonObject | null;
  output: JsonObject | null;
  error: JsonObject | null;
  attempts: number;
  started_at: string;
  finished_at: string | null;
  duration_ms: number | null;
  /** A model step: its ledger rows; null while none is written yet. */
  usage?: { model: string; input_tokens: number; output_tokens: number; cost_usd: string; latency_ms: number; requests: number } | null;
}

/** An agent run (`GET /v1/runs/{id}`; `steps` only there). */
export interface Run {
  id: string;
  object: 'agent.run';
  agent: string;
  version: number;
  thread_id: string | null;
  status: RunStatus;
  /** `{ text, json? }` once completed. */
  output: ({ text?: string; json?: unknown } & JsonObject) | null;
  error: ({ code?: string; message?: string } & JsonObject) | null;
  usage: RunUsage;
  /** While `waiting_approval`: the calls waiting for a decision. */
  pending_approvals?: PendingApproval[];
  metadata: JsonObject;
  created_at: string;
  finished_at: string | null;
  steps?: RunStep[];
}

/** A run started in the background: read it with `runs.get(id)` or follow it with `runs.events(id)`. */
export interface QueuedRun {
  id: string;
  object: 'agent.run';
  status: RunStatus;
}

export interface RunSummary {
  id: string;
  object: 'agent.run';
  agent: string;
  version: number;
  status: RunStatus;
  parent_run_id: string | null;
  thread_id: string | null;
  error: JsonObject | null;
  usage: RunUsage;
  steps: number;
  created_at: string;
  finished_at: string | null;
}

export type RunEventType =
  | 'run.queued'
  | 'run.started'
  | 'run.resumed'
  | `run.${RunStatus}`
  | 'model.completed'
  | 'tool.started'
  | 'tool.completed'
  | 'approval.requested'
  | 'approval.decided'
  | 'agent.handoff'
  | 'workflow.waiting';

/** One event of a run (agent or workflow), as its SSE stream carries it. */
export interface RunEvent {
  /** The event's number in its run (its SSE id). */
  seq: number;
  type: RunEventType | (string & {});
  /** On `run.*` events. */
  run_id?: string;
  /** On the events that end a stream (`run.completed`, `run.waiting_approval`…). */
  status?: RunStatus;
  output?: unknown;
  error?: unknown;
  /** `model.completed`: the model's text. */
  content?: string;
  [field: string]: unknown;
}

/** A tool of an agent: `http`, `mcp`, `builtin`, `agent`… (docs/agents.md has every kind). */
export interface AgentTool {
  type: string;
  name?: string;
  [field: string]: unknown;
}

/** What `agents.create` and `agents.update` take. */
export interface AgentDefinition {
  name: string;
  model: string;
  instructions?: string;
  tools?: AgentTool[];
  /** Agents this one may pass the conversation to. */
  handoffs?: string[];
  /** JSON Schema of a structured final answer (`output.json`). */
  output_schema?: JsonObject;
  limits?: { max_turns?: number; max_tool_calls?: number; max_cost_usd?: string | number; timeout_s?: number };
  escalation?: JsonObject;
  metadata?: JsonObject;
}

export interface Agent {
  object: 'agent';
  name: string;
  model: string;
  instructions: string;
  tools: AgentTool[];
  handoffs: string[];
  output_schema?: JsonObject;
  limits: { max_turns: number; max_tool_calls: number; max_cost_usd?: string | number; timeout_s: number };
  escalation?: JsonObject;
  metadata: JsonObject;
  /** `api` (made through the API) or `config` (from the hub's config file). */
  source: string;
  active_version: number | null;
  latest_version: number | null;
  created_at: string | null;
  updated_at: string | null;
}

export interface AgentVersion {
  version: number;
  definition: JsonObject;
  created_at: string;
}

export interface Thread {
  id: string;
  object: 'thread';
  created_at: string;
  metadata: JsonObject;
}

export interface ThreadMessage {
  id: string;
  object: 'thread.message';
  thread_id: string;
  role: string;
  author?: string;
  content: string;
  run_id?: string;
  created_at: string;
}

/** What posting to a thread answers: the agent's reply and its run, or the hand-off to a person holding it. */
export interface ThreadReply {
  object: 'thread.reply';
  message: ThreadMessage | null;
  run: Run | null;
  handoff?: { task_id: string; status: string; reason?: string };
}

export interface ThreadMessagePage extends List<ThreadMessage> {
  first_id: string | null;
  last_id: string | null;
  has_more: boolean;
}

/** One row of a key's usage, grouped as asked (`group`: the model, day, hour, agent, or `all`). */
export interface UsageRow {
  group: string | null;
  requests: number;
  errors: number;
  prompt_tokens: number;
  completion_tokens: number;
  cached_tokens: number;
  cost_usd: string;
}

export interface Budget {
  id: string;
  scope: string;
  tenant_id: string;
  project_id: string | null;
  key_id: string | null;
  limit_usd: string;
  period: string;
  period_start: string | null;
  period_end: string | null;
  spent_usd: string;
  reserved_usd: string;
  remaining_usd: string;
  created_at: string;
}

/** `GET /v1/me/usage`: the calling key's usage and every budget it is charged to. */
export interface KeyUsage {
  key_id: string;
  tenant_id: string;
  project_id: string | null;
  usage: UsageRow[];
  budgets: Budget[];
}
