import type { JsonRecord, RunRecord, RunStatus } from '../storage/index.js';
import type { RunContext } from './run-context.js';

/** How a handler leaves a run: a final status, or a pause that waits for a person. */
export interface RunOutcome {
  status: Exclude<RunStatus, 'queued' | 'running'>;
  output?: JsonRecord;
  error?: JsonRecord;
  /** The state to keep (a paused run resumes from it). */
  state?: JsonRecord;
}

/**
 * Runs one kind of run (agent runs, workflow runs). `execute` may be called again for the same run after
 * a crash or a deploy: it must reach every side effect through `context.effect`, in a deterministic
 * order given the results of earlier effects, so that a resumed run replays the finished ones from the
 * record instead of doing them twice.
 */
export interface RunHandler {
  readonly kind: string;
  execute(run: RunRecord, context: RunContext): Promise<RunOutcome>;
}
