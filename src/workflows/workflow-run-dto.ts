import { picosToUsd } from '../core/index.js';
import type { RunRecord, RunStepRecord, RunSummaryRecord, RunUsage, StepCallUsage } from '../storage/index.js';
import type { WorkflowRunState } from './run/run-input.js';

type Usage = { input_tokens: number; output_tokens: number; cost_usd: string; model_calls: number };

/** One step of a workflow run as the API shows it: by its key (`quotes[2].ask`), its latest attempt. */
export interface WorkflowRunStepDto {
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
  error: Record<string, unknown> | null;
  /** What the step spent: its model call, or its child run with everything that run started. */
  cost_usd: string | null;
  child_run_id?: string;
  /** A human step: the person's decision, once made. */
  decision?: Record<string, unknown>;
}

export interface WorkflowRunDto {
  id: string;
  object: 'workflow.run';
  workflow: string;
  version: number;
  status: RunRecord['status'];
  input: unknown;
  output: unknown;
  error: Record<string, unknown> | null;
  parent_run_id: string | null;
  trigger: string;
  metadata: Record<string, unknown>;
  /** Exactly the ledger rows of the run and of every child run it started. */
  usage: Usage;
  created_at: string;
  finished_at: string | null;
  steps: WorkflowRunStepDto[];
  /** The human steps it waits on (`call_id` is the step key: decide through the inbox task, or `POST /v1/runs/{id}/approvals`). */
  pending?: { call_id: string; step: string; title: string; mode: string; fields?: unknown }[];
  wake_at?: string;
}

const usageDto = (usage: RunUsage): Usage => ({
  input_tokens: usage.inputTokens,
  output_tokens: usage.outputTokens,
  cost_usd: picosToUsd(usage.costPicos),
  model_calls: usage.calls,
});

/** `key@3` → `key`, 3. */
function attemptOf(name: string): { key: string; attempt: number } {
  const match = /^(.*)@(\d+)$/.exec(name);
  return match ? { key: match[1] as string, attempt: Number(match[2]) } : { key: name, attempt: 1 };
}

/** A human step's output as later steps read it (`steps.<id>.output`); null until a person decided. */
function humanOutput(decision: WorkflowRunState['decisions'][string] | undefined): Record<string, unknown> | null {
  if (!decision) return null;
  return {
    approved: decision.decision === 'approve',
    comment: decision.reason ?? null,
    by: decision.by ?? null,
    ...(decision.values ? { values: decision.values } : {}),
  };
}

const idOf = (key: string): string => key.slice(Math.max(key.lastIndexOf('.'), key.lastIndexOf(']')) + 1);

export function workflowRunDto(
  run: RunRecord,
  state: WorkflowRunState,
  usage: RunUsage,
  records: readonly RunStepRecord[],
  callUsage: ReadonlyMap<string, StepCallUsage>,
  children: ReadonlyMap<string, RunUsage>,
): WorkflowRunDto {
  const latest = new Map<string, { record: RunStepRecord; attempt: number }>();
  for (const record of records) {
    const { key, attempt } = attemptOf(record.name);
    const seen = latest.get(key);
    if (!seen || seen.attempt <= attempt) latest.set(key, { record, attempt });
  }
  const keys = [...new Set([...latest.keys(), ...Object.keys(state.trace)])];
  const steps = keys.map((key): WorkflowRunStepDto => {
    const traced = state.trace[key];
    const found = latest.get(key);
    const record = found?.record;
    const childId = typeof record?.input?.run_id === 'string' ? record.input.run_id : undefined;
    const spent = record?.kind === 'llm' ? callUsage.get(record.idempotencyKey) : childId ? children.get(childId) : undefined;
    const decision = record?.kind === 'human' ? state.decisions[record.name] : undefined;
    const recorded = record?.status === 'started' ? 'running' : record?.status === 'failed' ? 'failed' : 'completed';
    const status = record?.status === 'started' && traced?.status !== 'waiting' ? 'running' : (traced?.status ?? recorded);
    return {
      key,
      id: traced?.id ?? idOf(key),
      kind: traced?.kind ?? record?.kind ?? 'step',
      status,
      attempt: found?.attempt ?? 1,
      started_at: record?.startedAt.toISOString() ?? null,
      finished_at: record?.finishedAt?.toISOString() ?? null,
      duration_ms: record?.finishedAt ? record.finishedAt.getTime() - record.startedAt.getTime() : null,
      output: record?.kind === 'human' ? humanOutput(decision) : (record?.output ?? null),
      error: record?.error ?? traced?.error ?? null,
      cost_usd: spent ? picosToUsd(spent.costPicos) : null,
      ...(childId ? { child_run_id: childId } : {}),
      ...(decision ? { decision } : {}),
    };
  });
  const input = run.input as { input?: unknown; trigger?: unknown };
  return {
    id: run.id,
    object: 'workflow.run',
    workflow: run.subject,
    version: run.version,
    status: run.status,
    input: input.input ?? null,
    output: run.output ? (run.output.result ?? null) : null,
    error: run.error,
    parent_run_id: run.parentRunId,
    trigger: typeof input.trigger === 'string' ? input.trigger : 'api',
    metadata: run.metadata,
    usage: usageDto(usage),
    created_at: run.createdAt.toISOString(),
    finished_at: run.finishedAt?.toISOString() ?? null,
    steps,
    ...(run.status === 'waiting_approval'
      ? {
          pending: state.pending_approvals.map((pending) => {
            const asked = (pending.arguments ?? {}) as { title?: string; mode?: string; fields?: unknown };
            return {
              call_id: pending.call_id,
              step: pending.tool.replace(/^human:/, ''),
              title: asked.title ?? pending.call_id,
              mode: asked.mode ?? 'approval',
              ...(asked.fields ? { fields: asked.fields } : {}),
            };
          }),
        }
      : {}),
    ...((run.status === 'waiting' || run.status === 'waiting_approval') && state.wake_at ? { wake_at: state.wake_at } : {}),
  };
}

export interface WorkflowRunSummaryDto {
  id: string;
  object: 'workflow.run';
  workflow: string;
  version: number;
  status: RunRecord['status'];
  parent_run_id: string | null;
  error: Record<string, unknown> | null;
  usage: Usage;
  steps: number;
  created_at: string;
  finished_at: string | null;
}

export const workflowRunSummaryDto = (run: RunSummaryRecord): WorkflowRunSummaryDto => ({
  id: run.id,
  object: 'workflow.run',
  workflow: run.subject,
  version: run.version,
  status: run.status,
  parent_run_id: run.parentRunId,
  error: run.error,
  usage: usageDto(run.usage),
  steps: run.steps,
  created_at: run.createdAt.toISOString(),
  finished_at: run.finishedAt?.toISOString() ?? null,
});
