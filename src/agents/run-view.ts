import { picosToUsd } from '../core/index.js';
import type { AgentVersionRecord, RunRecord, RunStepRecord, RunSummaryRecord, RunUsage, StepCallUsage } from '../storage/index.js';
import type { AgentView } from './agent-service.js';

/** A run as the API answers it. */
export interface RunDto {
  id: string;
  object: 'agent.run';
  agent: string;
  version: number;
  thread_id: string | null;
  status: RunRecord['status'];
  output: Record<string, unknown> | null;
  error: Record<string, unknown> | null;
  /** Exactly the run's ledger rows (its model calls). */
  usage: { input_tokens: number; output_tokens: number; cost_usd: string; model_calls: number };
  pending_approvals?: unknown[];
  metadata: Record<string, unknown>;
  created_at: string;
  finished_at: string | null;
  steps?: StepDto[];
}

export interface StepDto {
  seq: number;
  kind: string;
  name: string;
  status: string;
  input: Record<string, unknown> | null;
  output: Record<string, unknown> | null;
  error: Record<string, unknown> | null;
  attempts: number;
  started_at: string;
  finished_at: string | null;
  duration_ms: number | null;
  /** A model step: what its ledger rows say (tokens, cost, latency); null while none is on the ledger yet. */
  usage?: StepUsageDto | null;
}

export interface StepUsageDto {
  model: string;
  input_tokens: number;
  output_tokens: number;
  cost_usd: string;
  latency_ms: number;
  /** Ledger rows of the step (more than one when a resumed run repeated an interrupted call). */
  requests: number;
}

export function runDto(run: RunRecord, usage: RunUsage, steps?: RunStepRecord[], callUsage?: ReadonlyMap<string, StepCallUsage>): RunDto {
  const pending = (run.state as { pending_approvals?: unknown[] }).pending_approvals;
  return {
    id: run.id,
    object: 'agent.run',
    agent: run.subject,
    version: run.version,
    thread_id: run.threadId,
    status: run.status,
    output: run.output,
    error: run.error,
    usage: {
      input_tokens: usage.inputTokens,
      output_tokens: usage.outputTokens,
      cost_usd: picosToUsd(usage.costPicos),
      model_calls: usage.calls,
    },
    ...(run.status === 'waiting_approval' ? { pending_approvals: pending ?? [] } : {}),
    metadata: run.metadata,
    created_at: run.createdAt.toISOString(),
    finished_at: run.finishedAt?.toISOString() ?? null,
    ...(steps ? { steps: steps.map((step) => stepDto(step, callUsage)) } : {}),
  };
}

const stepUsageDto = (usage: StepCallUsage): StepUsageDto => ({
  model: usage.model,
  input_tokens: usage.inputTokens,
  output_tokens: usage.outputTokens,
  cost_usd: picosToUsd(usage.costPicos),
  latency_ms: usage.latencyMs,
  requests: usage.calls,
});

function stepDto(step: RunStepRecord, callUsage?: ReadonlyMap<string, StepCallUsage>): StepDto {
  const dto: StepDto = {
    seq: step.seq,
    kind: step.kind,
    name: step.name,
    status: step.status,
    input: step.input,
    output: step.output,
    error: step.error,
    attempts: step.attempts,
    started_at: step.startedAt.toISOString(),
    finished_at: step.finishedAt?.toISOString() ?? null,
    duration_ms: step.finishedAt ? step.finishedAt.getTime() - step.startedAt.getTime() : null,
  };
  if (step.kind !== 'model' || !callUsage) return dto;
  const found = callUsage.get(step.idempotencyKey);
  return { ...dto, usage: found ? stepUsageDto(found) : null };
}

/** A run as `GET /v1/runs` lists it. */
export interface RunSummaryDto {
  id: string;
  object: 'agent.run';
  agent: string;
  version: number;
  status: RunRecord['status'];
  parent_run_id: string | null;
  thread_id: string | null;
  error: Record<string, unknown> | null;
  usage: RunDto['usage'];
  steps: number;
  created_at: string;
  finished_at: string | null;
}

export const runSummaryDto = (run: RunSummaryRecord): RunSummaryDto => ({
  id: run.id,
  object: 'agent.run',
  agent: run.subject,
  version: run.version,
  status: run.status,
  parent_run_id: run.parentRunId,
  thread_id: run.threadId,
  error: run.error,
  usage: {
    input_tokens: run.usage.inputTokens,
    output_tokens: run.usage.outputTokens,
    cost_usd: picosToUsd(run.usage.costPicos),
    model_calls: run.usage.calls,
  },
  steps: run.steps,
  created_at: run.createdAt.toISOString(),
  finished_at: run.finishedAt?.toISOString() ?? null,
});

export const agentDto = (agent: AgentView) => ({
  ...agent.definition,
  object: 'agent' as const,
  source: agent.source,
  active_version: agent.activeVersion,
  latest_version: agent.latestVersion,
  created_at: agent.createdAt?.toISOString() ?? null,
  updated_at: agent.updatedAt?.toISOString() ?? null,
});

/** An agent's versions as the API lists them, oldest first. */
export const agentVersionsDto = (versions: readonly AgentVersionRecord[]) => ({
  object: 'list' as const,
  data: versions.map((version) => ({
    version: version.version,
    definition: version.definition,
    created_at: version.createdAt.toISOString(),
  })),
});
