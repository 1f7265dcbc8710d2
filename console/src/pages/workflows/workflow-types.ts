/**
 * The workflow shapes the console reads, as the hub answers them: the document (`src/workflows/document.ts`,
 * `tokenhub.dev/v1`), the definitions and versions (`workflow-dto.ts`) and the runs (`workflow-run-dto.ts`).
 * Written out here because the server's types are derived from its zod schemas, which the console cannot
 * import; only the fields the pages read are named, the rest pass through as `unknown`.
 */

interface StepCommon {
  id: string;
  name?: string;
  next?: string;
  end?: boolean;
  if?: string;
  retry?: { max_attempts: number; backoff_ms: number; max_backoff_ms: number; on?: string[] };
  timeout_s?: number;
  idempotent?: boolean;
  on_error?: string;
  output_schema?: Record<string, unknown>;
}

export interface AgentStep extends StepCommon {
  kind: 'agent';
  agent: string;
  input: string;
  version?: number;
}

export interface LlmStep extends StepCommon {
  kind: 'llm';
  model: string;
  system?: string;
  prompt: string;
}

export interface ToolStep extends StepCommon {
  kind: 'tool';
  tool: { type: string; name?: string; [field: string]: unknown };
  function?: string;
  arguments?: Record<string, unknown>;
}

export interface HumanStep extends StepCommon {
  kind: 'human';
  title: string;
  instructions?: string;
  queue?: string;
  mode?: 'approval' | 'form';
  on_timeout?: string;
}

export interface BranchStep extends StepCommon {
  kind: 'branch';
  cases: { when: string; next: string }[];
  default?: string;
}

export interface ParallelStep extends StepCommon {
  kind: 'parallel';
  branches: { name: string; steps: WorkflowStep[] }[];
}

export interface MapStep extends StepCommon {
  kind: 'map';
  items: string;
  concurrency?: number;
  steps: WorkflowStep[];
}

export interface LoopStep extends StepCommon {
  kind: 'loop';
  until: string;
  max_iterations: number;
  exhausted?: string;
  steps: WorkflowStep[];
}

export interface WaitStep extends StepCommon {
  kind: 'wait';
  seconds?: number;
  until?: string;
}

export interface SubWorkflowStep extends StepCommon {
  kind: 'workflow';
  workflow: string;
  version?: number;
}

export type WorkflowStep =
  | AgentStep
  | LlmStep
  | ToolStep
  | HumanStep
  | BranchStep
  | ParallelStep
  | MapStep
  | LoopStep
  | WaitStep
  | SubWorkflowStep;
export type StepKind = WorkflowStep['kind'];

export interface WorkflowDocument {
  apiVersion: string;
  kind: 'Workflow';
  metadata: { name: string; description?: string; labels?: Record<string, string> };
  spec: { steps: WorkflowStep[]; max_cost_usd?: string; [field: string]: unknown };
}

export interface Workflow {
  object: 'workflow';
  name: string;
  description: string | null;
  active_version: number;
  latest_version: number;
  document: WorkflowDocument;
  created_at: string;
  updated_at: string;
}

export interface WorkflowVersion {
  object: 'workflow.version';
  name: string;
  version: number;
  active: boolean;
  document: WorkflowDocument;
  created_at: string;
}

export type WorkflowRunStatus =
  | 'queued'
  | 'running'
  | 'waiting'
  | 'waiting_approval'
  | 'needs_attention'
  | 'completed'
  | 'failed'
  | 'cancelled'
  | 'budget_exceeded';

export type RunStepStatus = 'running' | 'completed' | 'failed' | 'waiting' | 'skipped' | 'timed_out' | 'exhausted';

export interface WorkflowRunUsage {
  input_tokens: number;
  output_tokens: number;
  /** Decimal USD. */
  cost_usd: string;
  model_calls: number;
}

/** One step of a run by its key (`quotes[2].ask`, `refine#2.draft`, `fork.left.l`): its latest attempt. */
export interface WorkflowRunStep {
  key: string;
  /** The step's id in the document. */
  id: string;
  kind: string;
  status: RunStepStatus;
  attempt: number;
  started_at: string | null;
  finished_at: string | null;
  duration_ms: number | null;
  output: unknown;
  error: Record<string, unknown> | null;
  cost_usd: string | null;
  child_run_id?: string;
  decision?: Record<string, unknown>;
}

export interface WorkflowRun {
  id: string;
  object: 'workflow.run';
  workflow: string;
  version: number;
  status: WorkflowRunStatus;
  input: unknown;
  output: unknown;
  error: Record<string, unknown> | null;
  parent_run_id: string | null;
  trigger?: string;
  metadata: Record<string, unknown>;
  usage: WorkflowRunUsage;
  created_at: string;
  finished_at: string | null;
  steps: WorkflowRunStep[];
  pending?: { call_id: string; step: string; title: string; mode: string; fields?: unknown }[];
  wake_at?: string;
}

export interface WorkflowRunSummary {
  id: string;
  object: 'workflow.run';
  workflow: string;
  version: number;
  status: WorkflowRunStatus;
  parent_run_id: string | null;
  error: Record<string, unknown> | null;
  usage: WorkflowRunUsage;
  steps: number;
  created_at: string;
  finished_at: string | null;
}

export interface WorkflowRunPage {
  object: 'list';
  data: WorkflowRunSummary[];
  next_cursor: string | null;
  has_more: boolean;
}
