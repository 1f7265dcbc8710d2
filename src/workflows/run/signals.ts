import type { PendingHumanStep } from './run-input.js';

/**
 * The run must wait: for people's decisions (`pending`), until a time (`wakeAt`), or for a child run paused
 * for a person (neither). Thrown up through the bodies; branches running at once join their pauses into one.
 */
export class WorkflowPause extends Error {
  readonly pending: PendingHumanStep[];
  readonly wakeAt: number | undefined;

  constructor(pending: PendingHumanStep[], wakeAt?: number) {
    super('the workflow waits');
    this.name = 'WorkflowPause';
    this.pending = pending;
    this.wakeAt = wakeAt;
  }

  static join(pauses: readonly WorkflowPause[]): WorkflowPause {
    const times = pauses.flatMap((pause) => (pause.wakeAt === undefined ? [] : [pause.wakeAt]));
    return new WorkflowPause(
      pauses.flatMap((pause) => pause.pending),
      times.length > 0 ? Math.min(...times) : undefined,
    );
  }
}

/** A step's failure as the document speaks of it: a lower-case code (`retry.on` lists them) and a message. */
export interface StepFailure {
  code: string;
  message: string;
}

/** A step of the workflow failed for good (after its retries, with no `on_error`): the run fails, naming it. */
export class StepFailedError extends Error {
  readonly step: string;
  readonly failure: StepFailure;

  constructor(step: string, failure: StepFailure) {
    super(`step ${step} failed: ${failure.message}`);
    this.name = 'StepFailedError';
    this.step = step;
    this.failure = failure;
  }
}

/** A failure a step's own code raises (`timeout`, `agent_failed`, `invalid_output`, …). */
export class StepError extends Error {
  readonly code: string;

  constructor(code: string, message: string) {
    super(message);
    this.name = 'StepError';
    this.code = code;
  }
}
