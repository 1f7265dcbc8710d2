import { HubError, picosToUsd, usdToPicos } from '../../core/index.js';
import type { RunBudget } from '../../economy/index.js';
import { RecordedEffectError, type RunContext, type RunHandler, type RunOutcome } from '../../runs/index.js';
import type { JsonRecord, RunRecord } from '../../storage/index.js';
import { ExpressionError, render } from '../expressions.js';
import { WORKFLOW_RUN_KIND } from './child-steps.js';
import { type Scope, WorkflowInterpreter } from './interpreter.js';
import { schemaProblem } from './json-check.js';
import { loadWorkflowRunState, workflowRunInputSchema } from './run-input.js';
import { StepFailedError, WorkflowPause } from './signals.js';
import type { StepEnvironment, WorkflowRunDeps } from './step-environment.js';

const isBudgetRefusal = (error: unknown): boolean =>
  (error instanceof HubError && error.code === 'BUDGET_EXCEEDED') ||
  (error instanceof RecordedEffectError && error.code === 'BUDGET_EXCEEDED');

/**
 * Runs a workflow run on the durable engine: the version it was started on, step after step, every effect
 * recorded before the next step starts. A run that waits (a person, a time, a child run paused for a person)
 * leaves the engine with its reasons in its state; a decision or the waking sweep queues it again and it
 * replays to where it stopped.
 */
export class WorkflowRunHandler implements RunHandler {
  readonly kind = WORKFLOW_RUN_KIND;
  private readonly deps: WorkflowRunDeps;

  constructor(deps: WorkflowRunDeps) {
    this.deps = deps;
  }

  async execute(run: RunRecord, context: RunContext): Promise<RunOutcome> {
    const input = workflowRunInputSchema.parse(run.input);
    const loaded = await this.deps.loadVersion(run.tenantId, run.subject, run.version);
    if (!loaded) {
      return {
        status: 'failed',
        error: { code: 'workflow_not_found', message: `Workflow ${run.subject} version ${run.version} is gone.` },
      };
    }
    const { document } = loaded;
    const { wake_at: _wake, paused_at: _paused, ...state } = loadWorkflowRunState(run.state);
    const maxCost = document.spec.max_cost_usd;
    const limit = maxCost === undefined ? undefined : usdToPicos(maxCost);
    const runBudgets: RunBudget[] = [
      ...input.ancestor_budgets.map((budget) => ({ runId: budget.run_id, limitPicos: usdToPicos(budget.max_cost_usd) })),
      ...(limit !== undefined ? [{ runId: run.id, limitPicos: limit }] : []),
    ];
    const env: StepEnvironment = {
      deps: this.deps,
      context,
      run,
      input,
      state: { ...state, pending_approvals: [] },
      principal: await this.deps.principalFor(run.tenantId, input.key_id),
      runBudgets,
      childBudgets: [...input.ancestor_budgets, ...(limit !== undefined ? [{ run_id: run.id, max_cost_usd: picosToUsd(limit) }] : [])],
    };
    const interpreter = new WorkflowInterpreter(env);
    const scope: Scope = { input: input.input, steps: {} };
    const keep = (extra: JsonRecord = {}): JsonRecord => ({ ...state, pending_approvals: [], ...extra, trace: interpreter.trace });
    try {
      const last = await interpreter.runBody(document.spec.steps, scope, '');
      const result = document.spec.output !== undefined ? render(document.spec.output, scope) : last;
      const problem = document.spec.outputs ? schemaProblem(document.spec.outputs, result) : undefined;
      if (problem) {
        return {
          status: 'failed',
          error: { code: 'invalid_output', message: `The workflow's output does not match its outputs: ${problem}` },
          state: keep(),
        };
      }
      return { status: 'completed', output: { result: result ?? null }, state: keep() };
    } catch (error) {
      if (error instanceof WorkflowPause) {
        const pausedAt = new Date(this.deps.clock.now()).toISOString();
        const waitFor = {
          pending_approvals: error.pending,
          paused_at: pausedAt,
          ...(error.wakeAt !== undefined ? { wake_at: new Date(error.wakeAt).toISOString() } : {}),
        };
        if (context.replayingRecord === false || error.pending.length > 0) {
          await context.emit('workflow.waiting', {
            pending: error.pending.map((pending) => pending.call_id),
            ...(waitFor.wake_at ? { wake_at: waitFor.wake_at } : {}),
          });
        }
        return { status: error.pending.length > 0 ? 'waiting_approval' : 'waiting', state: keep(waitFor) };
      }
      if (isBudgetRefusal(error)) {
        return { status: 'budget_exceeded', error: { code: 'budget_exceeded', message: (error as Error).message }, state: keep() };
      }
      if (error instanceof StepFailedError) {
        return { status: 'failed', error: { code: error.failure.code, message: error.message, step: error.step }, state: keep() };
      }
      if (error instanceof ExpressionError) {
        return {
          status: 'failed',
          error: { code: 'expression_error', message: error.message, expression: error.expression },
          state: keep(),
        };
      }
      throw error;
    }
  }
}
