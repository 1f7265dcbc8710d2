import { AGENT_RUN_KIND, childRunId } from '../../agents/index.js';
import { HubError, type JsonObject, type JsonValue } from '../../core/index.js';
import { EffectPendingError } from '../../runs/index.js';
import { PAUSED_RUN_STATUSES, type RunRecord } from '../../storage/index.js';
import type { AgentStep, SubWorkflowStep } from '../document.js';
import { type ExpressionScope, render, renderText } from '../expressions.js';
import { schemaProblem } from './json-check.js';
import { StepError } from './signals.js';
import type { StepEnvironment } from './step-environment.js';

export const WORKFLOW_RUN_KIND = 'workflow';

/**
 * The child run of a step is named by the step (not by its attempt): a replayed step finds the child it
 * started, and a retry runs that same child again from its record.
 */
const childIdOf = (env: StepEnvironment, stepKey: string): string => childRunId(`${env.run.id}:${stepKey}`);

/**
 * Waits for a child run: finished, it is returned; paused for a person (or waiting itself), the step is not done
 * and the workflow waits without a lease until the child settles (its settlement wakes this run). A step that
 * timed out cancels its child.
 */
async function settledChild(env: StepEnvironment, childId: string, signal: AbortSignal, what: string): Promise<RunRecord> {
  const child = await env.deps.runtime.runs.settled(env.run.tenantId, childId, signal);
  if (signal.aborted) {
    if (!env.context.signal.aborted) await env.deps.runtime.runs.cancel(env.run.tenantId, childId).catch(() => undefined);
    throw signal.reason instanceof Error ? signal.reason : new StepError('timeout', `${what} did not finish in time`);
  }
  if (PAUSED_RUN_STATUSES.includes(child.status)) throw new EffectPendingError(what);
  return child;
}

function childFailure(child: RunRecord, what: string): Error {
  const reason = typeof child.error?.message === 'string' ? `: ${child.error.message}` : '';
  if (child.status === 'budget_exceeded') return new HubError('BUDGET_EXCEEDED', `${what} ran out of budget${reason}`);
  return new StepError(`child_${child.status}`, `${what} ended ${child.status} (run ${child.id})${reason}`);
}

/** An `agent` step: a child run of the tenant's agent, started with the rendered input. Output `{text, json?, run_id}`. */
export async function runAgentStep(
  env: StepEnvironment,
  step: AgentStep,
  scope: ExpressionScope,
  key: string,
  stepKey: string,
  attempt: number,
  signal: AbortSignal,
): Promise<JsonObject> {
  const message = renderText(step.input, scope);
  const childId = childIdOf(env, stepKey);
  const what = `agent ${step.agent}`;
  return env.context.keyedEffect(
    key,
    { kind: 'agent', name: key, idempotent: true, input: { agent: step.agent, run_id: childId } },
    async () => {
      const agent = await env.deps.runtime.agents.resolve(env.run.tenantId, step.agent, step.version);
      await env.deps.runtime.engine.enqueue({
        id: childId,
        tenantId: env.run.tenantId,
        kind: AGENT_RUN_KIND,
        subject: agent.name,
        version: agent.version,
        parentRunId: env.run.id,
        threadId: null,
        input: {
          v: 1,
          key_id: env.input.key_id,
          messages: [{ role: 'user', content: message }],
          ancestor_budgets: env.childBudgets,
          workflow: env.run.subject,
        },
        state: { v: 1 },
        metadata: { parent_run_id: env.run.id, workflow: env.run.subject, step: stepKey },
      });
      if (attempt > 1) await env.deps.runtime.runs.retry(env.run.tenantId, childId);
      const child = await settledChild(env, childId, signal, what);
      if (child.status !== 'completed') throw childFailure(child, what);
      const output = child.output ?? {};
      return {
        text: typeof output.text === 'string' ? output.text : '',
        ...(output.json !== undefined ? { json: output.json } : {}),
        run_id: child.id,
      } as JsonObject;
    },
  );
}

/** A `workflow` step: a sub-workflow as a child run (its spending counts against this run's limit). Output `{output, run_id}`. */
export async function runSubWorkflowStep(
  env: StepEnvironment,
  step: SubWorkflowStep,
  scope: ExpressionScope,
  key: string,
  stepKey: string,
  attempt: number,
  signal: AbortSignal,
): Promise<JsonObject> {
  const input = render(step.input, scope);
  const childId = childIdOf(env, stepKey);
  const what = `workflow ${step.workflow}`;
  return env.context.keyedEffect(
    key,
    { kind: 'workflow', name: key, idempotent: true, input: { workflow: step.workflow, run_id: childId } },
    async () => {
      const target = await env.deps.loadVersion(env.run.tenantId, step.workflow, step.version);
      if (!target)
        throw new StepError(
          'workflow_not_found',
          `there is no workflow \`${step.workflow}\`${step.version ? ` version ${step.version}` : ''}`,
        );
      const problem = target.document.spec.inputs ? schemaProblem(target.document.spec.inputs, input) : undefined;
      if (problem) throw new StepError('invalid_input', `the input of ${what} does not match its inputs: ${problem}`);
      await env.deps.runtime.engine.enqueue({
        id: childId,
        tenantId: env.run.tenantId,
        kind: WORKFLOW_RUN_KIND,
        subject: step.workflow,
        version: target.version,
        parentRunId: env.run.id,
        threadId: null,
        input: { v: 1, key_id: env.input.key_id, input: input ?? {}, ancestor_budgets: env.childBudgets, trigger: 'workflow' },
        state: { v: 1 },
        metadata: { parent_run_id: env.run.id, workflow: env.run.subject, step: stepKey },
      });
      if (attempt > 1) await env.deps.runtime.runs.retry(env.run.tenantId, childId);
      const child = await settledChild(env, childId, signal, what);
      if (child.status !== 'completed') throw childFailure(child, what);
      return { output: (child.output?.result ?? null) as JsonValue, run_id: child.id };
    },
  );
}
