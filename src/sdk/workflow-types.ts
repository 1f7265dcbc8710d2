import type { JsonObject, RunStatus, RunUsage } from './types.js';

/** A workflow document (`apiVersion: tokenhub.dev/v1`, `kind: Workflow`); the hub checks the rest (docs/workflows.md). */
export interface WorkflowDocument {
  apiVersion: string;
  kind: 'Workflow';
  metadata: { name: string; description?: string; [field: string]: unknown };
  spec: JsonObject;
}

export interface Workflow {
  object: 'workflow';
  name: string;
  description: string | null;
  active_version: number;
  latest_version: number;
  /** The active version's document. */
  document: WorkflowDocument;
  created_at: string;
  updated_at: string;
}

/** What saving a document did: `created`, a new `version`, or `unchanged` (the same document again). */
export interface AppliedWorkflow extends Workflow {
  result: 'created' | 'updated' | 'unchanged';
  changed: boolean;
  version: number;
}

export interface WorkflowVersion {
  object: 'workflow.version';
  name: string;
  version: number;
  active: boolean;
  document: WorkflowDocument;
  created_at: string;
}

export interface WorkflowRunStep {
  /** Where in the run: `triage`, `quotes[2].ask`, `refine#2.draft`. */
  key: string;
  /** The step's id in the document. */
  id: string;
  kind: string;
  status: 'running' | 'completed' | 'failed' | 'waiting' | 'skipped' | 'timed_out' | 'exhausted';
  attempt: number;
  started_at: string | null;
  finished_at: string | null;
  duration_ms: number | null;
  output: unknown;
  error: JsonObject | null;
  cost_usd: string | null;
  child_run_id?: string;
  /** A human step: the person's decision, once made. */
  decision?: JsonObject;
}

/** A human step a run waits on: decide it with `workflows.runs.decide(run.id, call_id, …)`. */
export interface PendingStep {
  call_id: string;
  step: string;
  title: string;
  mode: string;
  fields?: unknown;
}

export interface WorkflowRun {
  id: string;
  object: 'workflow.run';
  workflow: string;
  version: number;
  status: RunStatus;
  input: unknown;
  output: unknown;
  error: JsonObject | null;
  parent_run_id: string | null;
  trigger: string;
  metadata: JsonObject;
  usage: RunUsage;
  created_at: string;
  finished_at: string | null;
  steps: WorkflowRunStep[];
  pending?: PendingStep[];
  /** A run waiting on a time (a `wait` step, a human step's timeout): when it wakes. */
  wake_at?: string;
}

export interface WorkflowRunSummary {
  id: string;
  object: 'workflow.run';
  workflow: string;
  version: number;
  status: RunStatus;
  parent_run_id: string | null;
  error: JsonObject | null;
  usage: RunUsage;
  steps: number;
  created_at: string;
  finished_at: string | null;
}
