import { z } from 'zod';

/** What a workflow run's row holds as input, version 1: the key it acts for, its input, and the limits it counts against. */
export const workflowRunInputSchema = z.object({
  v: z.literal(1),
  key_id: z.string().min(1),
  input: z.unknown(),
  /** The limits of the runs that started this one (a sub-workflow counts against each), outermost first. */
  ancestor_budgets: z.array(z.object({ run_id: z.string(), max_cost_usd: z.string() })).default([]),
  /** What started the run: `api`, `webhook`, `schedule`, `event`, `workflow`. */
  trigger: z.string().default('api'),
});
export type WorkflowRunInput = z.output<typeof workflowRunInputSchema>;

const decision = z.object({
  decision: z.enum(['approve', 'reject']),
  reason: z.string().optional(),
  by: z.string().optional(),
  values: z.record(z.string(), z.unknown()).optional(),
});

/** How one step (by its key) stood when the run last stopped: what the console draws for steps that record no effect. */
export const traceEntrySchema = z.object({
  id: z.string(),
  kind: z.string(),
  status: z.enum(['completed', 'failed', 'skipped', 'timed_out', 'exhausted', 'waiting']),
  error: z.object({ code: z.string(), message: z.string() }).optional(),
});
export type TraceEntry = z.output<typeof traceEntrySchema>;

/**
 * A workflow run's state, version 1. Step outputs are not here: they are the run's recorded effects, replayed.
 * The state holds what no effect records — people's decisions on human steps (the agent runs' approval shape,
 * so the inbox and `decide` treat both alike), what the run waits for, and the trace of every step's status.
 */
export const workflowRunStateSchema = z.object({
  v: z.literal(1),
  decisions: z.record(z.string(), decision).default({}),
  pending_approvals: z
    .array(
      z.object({
        call_id: z.string(),
        tool: z.string(),
        arguments: z.unknown(),
        queue: z.string().optional(),
        priority: z.enum(['low', 'normal', 'high', 'urgent']).optional(),
      }),
    )
    .default([]),
  /** While paused: when the waking sweep queues the run again (a wait's end, a person's deadline). */
  wake_at: z.string().optional(),
  paused_at: z.string().optional(),
  trace: z.record(z.string(), traceEntrySchema).default({}),
});
export type WorkflowRunState = z.output<typeof workflowRunStateSchema>;
export type PendingHumanStep = WorkflowRunState['pending_approvals'][number];

export function loadWorkflowRunState(raw: unknown): WorkflowRunState {
  return workflowRunStateSchema.parse(raw && typeof raw === 'object' && Object.keys(raw).length > 0 ? raw : { v: 1 });
}
