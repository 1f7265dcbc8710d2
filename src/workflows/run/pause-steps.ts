import type { JsonObject } from '../../core/index.js';
import type { FormField, HumanStep, WaitStep } from '../document.js';
import { type ExpressionScope, evaluate, renderText } from '../expressions.js';
import { StepError, WorkflowPause } from './signals.js';
import type { StepEnvironment } from './step-environment.js';

/** How a step that waits ended: with an output, or (a person's deadline passed) by its timeout path. */
export type WaitedStep = { output: JsonObject } | { timedOut: true };

const iso = (time: number): string => new Date(time).toISOString();

/**
 * A `human` step: an inbox task (the run pauses in `waiting_approval`, holding no lease) answered by a decision
 * on any replica. When it was first asked is recorded, so its deadline (`timeout_s`) is the same on every attempt.
 * Output `{approved, comment, by}`, and `values` (the form's fields, defaults filled in) in form mode.
 */
export async function runHumanStep(env: StepEnvironment, step: HumanStep, scope: ExpressionScope, key: string): Promise<WaitedStep> {
  const asked = await env.context.keyedEffect(
    key,
    { kind: 'human', name: key, idempotent: true, input: { title: step.title } },
    async () => {
      const now = env.deps.clock.now();
      return { asked_at: iso(now), ...(step.timeout_s ? { due_at: iso(now + step.timeout_s * 1_000) } : {}) };
    },
  );
  const decision = env.state.decisions[key];
  if (decision) {
    const approved = decision.decision === 'approve';
    return {
      output: {
        approved,
        comment: decision.reason ?? null,
        by: decision.by ?? null,
        ...(step.mode === 'form' ? { values: approved ? formValues(step.fields ?? [], decision.values ?? {}) : {} } : {}),
      } as JsonObject,
    };
  }
  const due = typeof asked.due_at === 'string' ? Date.parse(asked.due_at) : undefined;
  if (due !== undefined && env.deps.clock.now() >= due) return { timedOut: true };
  throw new WorkflowPause(
    [
      {
        call_id: key,
        tool: `human:${step.id}`,
        arguments: {
          title: renderText(step.title, scope),
          ...(step.instructions ? { instructions: renderText(step.instructions, scope) } : {}),
          mode: step.mode,
          ...(step.fields ? { fields: step.fields } : {}),
          workflow: env.run.subject,
          ...(due !== undefined ? { due_at: iso(due) } : {}),
        },
        queue: step.queue,
        priority: step.priority,
      },
    ],
    due,
  );
}

/** A form's answer: each field's value or default, checked against its type; anything else is dropped. */
export function formValues(fields: readonly FormField[], given: Record<string, unknown>): JsonObject {
  const read = readForm(fields, given);
  if ('problem' in read) throw new StepError('invalid_form', `the form's field ${read.field} ${read.problem}`);
  return read.values;
}

/**
 * The one definition of a valid form answer, read when the run resumes (`formValues`) and when a decision is
 * submitted (`checkHumanDecision`): the values, or the first field that is missing or of the wrong type.
 */
export function readForm(
  fields: readonly FormField[],
  given: Record<string, unknown>,
): { values: JsonObject } | { field: string; problem: string } {
  const values: JsonObject = {};
  for (const field of fields) {
    const value = given[field.name] ?? field.default;
    if (value === undefined || value === null) {
      if (field.required) return { field: field.name, problem: 'is required' };
      values[field.name] = null;
      continue;
    }
    const problem = fieldProblem(field, value);
    if (problem) return { field: field.name, problem };
    values[field.name] = value as JsonObject[string];
  }
  return { values };
}

function fieldProblem(field: FormField, value: unknown): string | undefined {
  switch (field.type) {
    case 'string':
    case 'text':
      return typeof value === 'string' ? undefined : 'must be text';
    case 'number':
      return typeof value === 'number' && Number.isFinite(value) ? undefined : 'must be a number';
    case 'integer':
      return Number.isSafeInteger(value) ? undefined : 'must be a whole number';
    case 'boolean':
      return typeof value === 'boolean' ? undefined : 'must be true or false';
    case 'enum':
      return typeof value === 'string' && (field.options ?? []).includes(value)
        ? undefined
        : `must be one of ${(field.options ?? []).join(', ')}`;
  }
}

/**
 * A `wait` step: the time it waits until is recorded when first reached; until then the run pauses in `waiting`
 * (no lease) and the waking sweep queues it again when the time comes. Output `{waited_until}`.
 */
export async function runWaitStep(env: StepEnvironment, step: WaitStep, scope: ExpressionScope, key: string): Promise<JsonObject> {
  const planned = await env.context.keyedEffect(key, { kind: 'wait', name: key, idempotent: true }, async () => {
    const now = env.deps.clock.now();
    return { until: iso(step.seconds !== undefined ? now + step.seconds * 1_000 : untilTime(step.until ?? '', scope)) };
  });
  const until = Date.parse(String(planned.until));
  if (env.deps.clock.now() < until) throw new WorkflowPause([], until);
  return { waited_until: String(planned.until) };
}

/** `until`: an ISO time, a template, or a CEL expression giving a time. */
function untilTime(text: string, scope: ExpressionScope): number {
  const literal = Date.parse(text);
  const value = text.includes('${{') ? renderText(text, scope) : Number.isNaN(literal) ? evaluate(text, scope) : text;
  const time = typeof value === 'number' ? value : Date.parse(String(value));
  if (!Number.isFinite(time)) throw new StepError('invalid_time', `wait until ${JSON.stringify(value)}: not a time`);
  return time;
}
