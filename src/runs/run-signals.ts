import type { JsonRecord, RunStepRecord } from '../storage/index.js';

/** The replica lost the run's lease (another one took it over): stop at once and change nothing. */
export class LeaseLostError extends Error {
  constructor(runId: string) {
    super(`lease on run ${runId} was lost`);
    this.name = 'LeaseLostError';
  }
}

/** The run was cancelled through the API while it ran. */
export class RunCancelledError extends Error {
  constructor(runId: string) {
    super(`run ${runId} was cancelled`);
    this.name = 'RunCancelledError';
  }
}

/**
 * An effect is not done: it waits on something outside this run (a child run paused for a person). The
 * step stays recorded as started, and an idempotent one runs again when the run resumes.
 */
export class EffectPendingError extends Error {
  constructor(what: string) {
    super(`${what} is not done yet`);
    this.name = 'EffectPendingError';
  }
}

/**
 * A non-idempotent effect was cut off (started, never recorded as finished) by a crash: whether it
 * happened is unknown, so it is not repeated. The run waits in `needs_attention` for a person.
 */
export class NeedsAttentionError extends Error {
  readonly step: RunStepRecord;

  constructor(step: RunStepRecord) {
    super(`step ${step.seq} (${step.kind} ${step.name}) was interrupted and is not idempotent: a person must decide whether it ran`);
    this.name = 'NeedsAttentionError';
    this.step = step;
  }

  detail(): JsonRecord {
    return {
      code: 'interrupted_effect',
      message: this.message,
      step: {
        seq: this.step.seq,
        kind: this.step.kind,
        name: this.step.name,
        input: this.step.input,
        idempotency_key: this.step.idempotencyKey,
      },
    };
  }
}
