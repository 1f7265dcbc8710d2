import { HubError, type JsonObject } from '../../core/index.js';
import { EffectPendingError, LeaseLostError, NeedsAttentionError, RecordedEffectError, RunCancelledError } from '../../runs/index.js';
import { bodyOf, type LoopStep, type MapStep, type ParallelStep, type WorkflowStep } from '../document.js';
import { ExpressionError, type ExpressionScope, evaluate, holds } from '../expressions.js';
import { runAgentStep, runSubWorkflowStep } from './child-steps.js';
import { schemaProblem } from './json-check.js';
import { runLlmStep } from './model-step.js';
import { runHumanStep, runWaitStep } from './pause-steps.js';
import type { TraceEntry } from './run-input.js';
import { StepError, StepFailedError, type StepFailure, WorkflowPause } from './signals.js';
import type { StepEnvironment } from './step-environment.js';
import { runToolStep } from './tool-step.js';

/** What later steps read of a step: `steps.<id>.status`, `.output`, `.error`. */
export interface StepState {
  status: TraceEntry['status'];
  output: unknown;
  error: StepFailure | null;
}

export interface Scope extends ExpressionScope {
  input: unknown;
  steps: Record<string, StepState>;
}

/** How one step ended, and where to go from it (a branch's case, an error or timeout path). */
interface StepResult {
  state: StepState;
  goto?: string | undefined;
}

/** No workflow visits more steps in one body than this (validation refuses cycles outside loops; this is the guard). */
const MAX_VISITS_PER_BODY = 10_000;
const MAX_MAP_ITEMS = 10_000;
const TIMED_KINDS = new Set<WorkflowStep['kind']>(['llm', 'tool', 'agent', 'workflow']);

/**
 * Walks a workflow's steps. Everything a step does outside the run is a keyed effect (its key names the step
 * where it stands: `quotes[3].ask`, `refine#2.draft`, `check@2` for a retry), so another attempt of the run
 * replays finished steps from the record, whatever order concurrent branches finished in, and continues where
 * the last attempt stopped. Control steps are pure functions of the scope and are simply evaluated again.
 */
export class WorkflowInterpreter {
  private readonly env: StepEnvironment;
  /** Every step's status by key, kept in the run's state for the console. */
  readonly trace: Record<string, TraceEntry> = {};

  constructor(env: StepEnvironment) {
    this.env = env;
  }

  /** Runs a body (steps in order unless one names `next`); the output of the last step that ran. */
  async runBody(steps: readonly WorkflowStep[], scope: Scope, prefix: string): Promise<unknown> {
    const position = new Map(steps.map((step, index) => [step.id, index]));
    let index = 0;
    let last: unknown = null;
    for (let visits = 0; index < steps.length; visits++) {
      if (visits >= MAX_VISITS_PER_BODY)
        throw new StepFailedError(prefix || 'workflow', failure('too_many_steps', 'the body ran too many steps'));
      const step = steps[index] as WorkflowStep;
      const result = await this.runStep(step, scope, prefix);
      scope.steps[step.id] = result.state;
      if (result.state.status !== 'skipped') last = result.state.output;
      const target = result.goto ?? (step.end ? undefined : step.next);
      if (step.end && result.goto === undefined) break;
      if (target === undefined) {
        index++;
        continue;
      }
      const at = position.get(target);
      if (at === undefined) {
        throw new StepFailedError(`${prefix}${step.id}`, failure('unknown_step', `step ${target} is not in the same body as ${step.id}`));
      }
      index = at;
    }
    return last;
  }

  private async runStep(step: WorkflowStep, scope: Scope, prefix: string): Promise<StepResult> {
    const stepKey = `${prefix}${step.id}`;
    const note = (state: StepState): StepResult['state'] => {
      this.trace[stepKey] = { id: step.id, kind: step.kind, status: state.status, ...(state.error ? { error: state.error } : {}) };
      return state;
    };
    try {
      if (step.if && !holds(step.if, scope)) return { state: note({ status: 'skipped', output: null, error: null }) };
    } catch (error) {
      return this.failed(step, stepKey, failureOf(error), note);
    }
    const attempts = step.retry?.max_attempts ?? 1;
    for (let attempt = 1; ; attempt++) {
      const key = attempt === 1 ? stepKey : `${stepKey}@${attempt}`;
      try {
        const done = await this.withTimeout(step, (signal) => this.perform(step, scope, key, stepKey, attempt, signal));
        if ('status' in done) return { state: note({ status: done.status, output: null, error: null }), goto: done.goto };
        if (step.output_schema && step.kind !== 'llm') {
          const problem = schemaProblem(step.output_schema, done.output);
          if (problem) throw new StepError('invalid_output', `the output does not match the step's output schema: ${problem}`);
        }
        return { state: note({ status: 'completed', output: done.output, error: null }), goto: done.goto };
      } catch (error) {
        if (error instanceof WorkflowPause || error instanceof EffectPendingError) {
          this.trace[stepKey] = { id: step.id, kind: step.kind, status: 'waiting' };
          // A child run paused for a person: this run waits too, until the child's settlement wakes it.
          throw error instanceof WorkflowPause ? error : new WorkflowPause([]);
        }
        if (isFatal(error, this.env.context.signal)) throw error;
        const failed = failureOf(error);
        if (attempt < attempts && retries(step, failed.code)) {
          // A replayed failure is not waited for again: only a retry that is about to really run waits its backoff.
          if (!this.env.context.hasRecord(`${stepKey}@${attempt + 1}`)) await sleep(backoffMs(step, attempt), this.env.context.signal);
          continue;
        }
        return this.failed(step, stepKey, failed, note, error);
      }
    }
  }

  /**
   * A step that failed for good takes its error path, or fails the run. A container (map, parallel, loop) fails
   * when a step of its body does, so its own `retry` and `on_error` catch its body's failures; without them the
   * run's error still names the inner step that failed.
   */
  private failed(
    step: WorkflowStep,
    stepKey: string,
    failed: StepFailure,
    note: (state: StepState) => StepState,
    cause?: unknown,
  ): StepResult {
    const state = note({ status: 'failed', output: null, error: failed });
    if (step.on_error) return { state, goto: step.on_error };
    throw cause instanceof StepFailedError ? cause : new StepFailedError(stepKey, failed);
  }

  /** The step's own work; `status` instead of `output` when it ended by a declared path (timeout, exhaustion). */
  private async perform(
    step: WorkflowStep,
    scope: Scope,
    key: string,
    stepKey: string,
    attempt: number,
    signal: AbortSignal,
  ): Promise<{ output: unknown; goto?: string } | { status: 'timed_out' | 'exhausted'; goto?: string }> {
    const env = this.env;
    switch (step.kind) {
      case 'llm':
        return { output: await runLlmStep(env, step, scope, key, signal) };
      case 'tool':
        return { output: await runToolStep(env, step, scope, key, signal) };
      case 'agent':
        return { output: await runAgentStep(env, step, scope, key, stepKey, attempt, signal) };
      case 'workflow':
        return { output: await runSubWorkflowStep(env, step, scope, key, stepKey, attempt, signal) };
      case 'human': {
        const answered = await runHumanStep(env, step, scope, key);
        if ('output' in answered) return { output: answered.output };
        if (!step.on_timeout) throw new StepError('human_timeout', `nobody answered "${step.title}" within ${step.timeout_s} s`);
        return { status: 'timed_out', goto: step.on_timeout };
      }
      case 'wait':
        return { output: await runWaitStep(env, step, scope, key) };
      case 'branch': {
        const chosen = step.cases.find((candidate) => holds(candidate.when, scope));
        const goto = chosen?.next ?? step.default;
        return { output: { next: goto ?? null }, ...(goto ? { goto } : {}) };
      }
      case 'parallel':
        return { output: await this.parallel(step, scope, key) };
      case 'map':
        return { output: await this.map(step, scope, key) };
      case 'loop':
        return this.loop(step, scope, key);
    }
  }

  private async parallel(step: ParallelStep, scope: Scope, key: string): Promise<JsonObject> {
    const branches = step.branches.map((branch) => ({ branch, scope: { ...scope, steps: { ...scope.steps } } }));
    const outcomes = await joinAll(
      branches.map(({ branch, scope: own }) => this.runBody(bodyOf(branch.steps), own, `${key}.${branch.name}.`)),
    );
    const output: JsonObject = {};
    branches.forEach(({ branch, scope: own }, index) => {
      Object.assign(scope.steps, own.steps);
      output[branch.name] = outcomes[index] as JsonObject[string];
    });
    return output;
  }

  private async map(step: MapStep, scope: Scope, key: string): Promise<unknown[]> {
    const items = evaluate(step.items, scope);
    if (!Array.isArray(items)) throw new StepError('invalid_items', `items gave ${items === null ? 'null' : typeof items}, not a list`);
    if (items.length > MAX_MAP_ITEMS) throw new StepError('invalid_items', `items gave ${items.length} items; at most ${MAX_MAP_ITEMS}`);
    const body = bodyOf(step.steps);
    const results: unknown[] = new Array(items.length).fill(null);
    let next = 0;
    // Once an item failed (not merely paused), no further item starts: the map's outcome is decided.
    let failed = false;
    // A paused item holds its slot no longer: the worker goes on with the next item, and the pauses join at the end.
    const worker = async (): Promise<void> => {
      const paused: WorkflowPause[] = [];
      while (next < items.length && !failed) {
        const index = next++;
        const own: Scope = { ...scope, steps: { ...scope.steps }, item: items[index], index };
        try {
          results[index] = await this.runBody(body, own, `${key}[${index}].`);
        } catch (error) {
          if (!(error instanceof WorkflowPause)) {
            failed = true;
            throw error;
          }
          paused.push(error);
        }
      }
      if (paused.length > 0) throw WorkflowPause.join(paused);
    };
    await joinAll(Array.from({ length: Math.min(step.concurrency, items.length) }, worker));
    return results;
  }

  private async loop(step: LoopStep, scope: Scope, key: string): Promise<{ output: unknown } | { status: 'exhausted'; goto?: string }> {
    const own: Scope = { ...scope, steps: { ...scope.steps } };
    let last: unknown = null;
    for (let iteration = 1; iteration <= step.max_iterations; iteration++) {
      own.iteration = iteration;
      last = await this.runBody(bodyOf(step.steps), own, `${key}#${iteration}.`);
      if (holds(step.until, own)) {
        Object.assign(scope.steps, own.steps);
        return { output: last };
      }
    }
    Object.assign(scope.steps, own.steps);
    if (!step.exhausted) throw new StepError('loop_exhausted', `the loop ran ${step.max_iterations} times and its condition never held`);
    return { status: 'exhausted', goto: step.exhausted };
  }

  private async withTimeout<T>(step: WorkflowStep, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const outer = this.env.context.signal;
    // Only a step that calls out is timed (its call is aborted); a person's deadline and a wait's time are their
    // own, and a container's steps carry their own timeouts (cutting a container short would leave them running).
    if (!step.timeout_s || !TIMED_KINDS.has(step.kind)) return work(outer);
    const controller = new AbortController();
    const timedOut = new StepError('timeout', `the step took longer than ${step.timeout_s} s`);
    const onAbort = (): void => controller.abort(outer.reason);
    outer.addEventListener('abort', onAbort, { once: true });
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        controller.abort(timedOut);
        reject(timedOut);
      }, step.timeout_s! * 1_000);
    });
    try {
      return await Promise.race([work(controller.signal), deadline]);
    } finally {
      clearTimeout(timer);
      outer.removeEventListener('abort', onAbort);
    }
  }
}

/**
 * Waits for every branch; when some paused and none failed, the run waits for all their reasons at once (so
 * two people can answer two branches in any order); a failure wins over a pause.
 */
async function joinAll<T>(work: readonly Promise<T>[]): Promise<T[]> {
  const settled = await Promise.allSettled(work);
  const failures = settled.flatMap((outcome) => (outcome.status === 'rejected' ? [outcome.reason as unknown] : []));
  const pauses = failures.filter((reason): reason is WorkflowPause => reason instanceof WorkflowPause);
  const other = failures.find((reason) => !(reason instanceof WorkflowPause));
  if (other !== undefined) throw other;
  if (pauses.length > 0) throw WorkflowPause.join(pauses);
  return settled.map((outcome) => (outcome as PromiseFulfilledResult<T>).value);
}

const failure = (code: string, message: string): StepFailure => ({ code, message });

/** Failures that end the attempt or the run as they are, never a step's error path. */
function isFatal(error: unknown, signal: AbortSignal): boolean {
  if (signal.aborted) return true;
  if (error instanceof LeaseLostError || error instanceof RunCancelledError || error instanceof NeedsAttentionError) return true;
  if (error instanceof HubError) return error.code === 'BUDGET_EXCEEDED';
  if (error instanceof RecordedEffectError) return error.code === 'BUDGET_EXCEEDED';
  return false;
}

/** A failure in the document's words: a lower-case code and a message. */
export function failureOf(error: unknown): StepFailure {
  if (error instanceof StepError) return failure(error.code, error.message);
  if (error instanceof StepFailedError) return failure(error.failure.code, error.message);
  if (error instanceof ExpressionError) return failure('expression_error', `${error.expression}: ${error.message}`);
  if (error instanceof HubError) return failure(String(error.details.code ?? error.code).toLowerCase(), error.message);
  if (error instanceof RecordedEffectError) return failure((error.code ?? 'step_failed').toLowerCase(), error.message);
  return failure('step_failed', (error as Error)?.message ?? String(error));
}

function retries(step: WorkflowStep, code: string): boolean {
  const on = step.retry?.on;
  return on === undefined || on.includes(code);
}

function backoffMs(step: WorkflowStep, attempt: number): number {
  const retry = step.retry;
  if (!retry) return 0;
  return Math.min(retry.max_backoff_ms, retry.backoff_ms * 2 ** (attempt - 1));
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
