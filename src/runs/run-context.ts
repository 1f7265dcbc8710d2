import type { Clock } from '../core/index.js';
import type { JsonRecord, RunLeases, RunRecord, RunStepRecord, RunStepsRepository } from '../storage/index.js';
import type { RunEvents } from './run-events.js';
import { EffectPendingError, LeaseLostError, NeedsAttentionError } from './run-signals.js';

export interface EffectOptions {
  /** `model`, `tool`, … */
  kind: string;
  name: string;
  /** Safe to repeat with the same idempotency key (default false: an interrupted call is never repeated). */
  idempotent?: boolean;
  input?: JsonRecord;
}

export interface EffectCall {
  /** The same on every attempt of this step: pass it on (e.g. `Idempotency-Key`) so the far side can dedupe. */
  idempotencyKey: string;
  /** Aborted when the run is cancelled or its lease is lost. */
  signal: AbortSignal;
}

/** An effect that failed when it first ran; a resumed run sees the same failure again instead of retrying it. */
export class RecordedEffectError extends Error {
  readonly detail: JsonRecord;
  /** The failure's error code, when it had one (e.g. a `HubError`'s catalog code). */
  get code(): string | undefined {
    return typeof this.detail.code === 'string' ? this.detail.code : undefined;
  }

  constructor(detail: JsonRecord) {
    super(typeof detail.message === 'string' ? detail.message : 'effect failed');
    this.name = 'RecordedEffectError';
    this.detail = detail;
  }
}

export interface RunContextDeps {
  run: RunRecord;
  owner: string;
  /** The steps recorded by earlier attempts of this run. */
  recorded: readonly RunStepRecord[];
  steps: RunStepsRepository;
  leases: RunLeases;
  events: RunEvents;
  clock: Clock;
  signal: AbortSignal;
}

/**
 * What a handler gets to run one attempt of a run: effects with exactly-once semantics across crashes,
 * events, and state saves — all only while this replica holds the run's lease.
 *
 * Effects are numbered in the order the handler performs them. On a resumed run, an effect whose step
 * finished returns its recorded output without running; one that failed throws its recorded error; one
 * that was cut off is retried with the same idempotency key when idempotent, and otherwise stops the run
 * for a person (`NeedsAttentionError`).
 */
export class RunContext {
  readonly run: RunRecord;
  readonly signal: AbortSignal;
  private readonly deps: RunContextDeps;
  private readonly recorded: Map<number, RunStepRecord>;
  private readonly byKey: Map<string, RunStepRecord>;
  private seq = 0;
  private lastSeq: number;
  private replaying = true;

  constructor(deps: RunContextDeps) {
    this.deps = deps;
    this.run = deps.run;
    this.signal = deps.signal;
    this.recorded = new Map(deps.recorded.map((step) => [step.seq, step]));
    this.byKey = new Map(deps.recorded.map((step) => [step.idempotencyKey, step]));
    this.lastSeq = deps.recorded.reduce((last, step) => Math.max(last, step.seq), 0);
  }

  /**
   * Whether everything so far came from the record (the handler is replaying what an earlier attempt did):
   * once an effect really runs, this is false for the rest of the attempt. Handlers announce events only
   * when live, so a resumed run does not repeat its events.
   */
  get replayingRecord(): boolean {
    return this.replaying;
  }

  /** Whether this attempt resumes a run that a replica worked on before. */
  get resumed(): boolean {
    return this.run.attempts > 1;
  }

  async effect<T extends JsonRecord>(options: EffectOptions, perform: (call: EffectCall) => Promise<T>): Promise<T> {
    this.throwIfStopped();
    const seq = ++this.seq;
    const prior = this.recorded.get(seq);
    return this.perform(seq, prior?.idempotencyKey ?? `${this.run.id}:${seq}`, prior, options, perform);
  }

  /**
   * An effect named by a key unique in the run (a workflow's step key, `quotes[3].ask`) instead of by its
   * place in the order: for handlers that run effects concurrently, whose order of start differs between
   * attempts. A handler uses either `effect` or `keyedEffect`, not both. The key is the idempotency key's tail.
   */
  async keyedEffect<T extends JsonRecord>(key: string, options: EffectOptions, perform: (call: EffectCall) => Promise<T>): Promise<T> {
    this.throwIfStopped();
    const idempotencyKey = `${this.run.id}:${key}`;
    const prior = this.byKey.get(idempotencyKey);
    const seq = prior?.seq ?? ++this.lastSeq;
    return this.perform(seq, idempotencyKey, prior, options, perform);
  }

  /** Whether an earlier attempt recorded the keyed effect (started, finished or failed). */
  hasRecord(key: string): boolean {
    return this.byKey.has(`${this.run.id}:${key}`);
  }

  private async perform<T extends JsonRecord>(
    seq: number,
    idempotencyKey: string,
    prior: RunStepRecord | undefined,
    options: EffectOptions,
    perform: (call: EffectCall) => Promise<T>,
  ): Promise<T> {
    if (prior) {
      if (prior.kind !== options.kind || prior.name !== options.name) {
        throw new Error(
          `run ${this.run.id} replayed step ${seq} as ${options.kind} ${options.name}, but it was ${prior.kind} ${prior.name}`,
        );
      }
      if (prior.status === 'finished') return (prior.output ?? {}) as T;
      if (prior.status === 'failed') throw new RecordedEffectError(prior.error ?? {});
      if (!prior.idempotent) throw new NeedsAttentionError(prior);
    }
    this.replaying = false;
    const idempotent = options.idempotent ?? false;
    const started = await this.deps.steps.start(
      { runId: this.run.id, seq, kind: options.kind, name: options.name, idempotent, idempotencyKey, input: options.input ?? null },
      this.deps.owner,
      this.now(),
    );
    if (!started) throw new LeaseLostError(this.run.id);
    this.byKey.set(idempotencyKey, started);
    let output: T;
    try {
      output = await perform({ idempotencyKey, signal: this.signal });
    } catch (error) {
      this.throwIfStopped();
      // Not done yet (it waits on something outside the run): the step stays started and runs again on resume.
      if (error instanceof EffectPendingError) throw error;
      const code = (error as { code?: unknown }).code;
      await this.deps.steps.fail(
        this.run.id,
        seq,
        { message: (error as Error).message ?? String(error), ...(typeof code === 'string' ? { code } : {}) },
        this.now(),
      );
      throw error;
    }
    await this.deps.steps.finish(this.run.id, seq, output, this.now());
    return output;
  }

  async emit(type: string, data: JsonRecord): Promise<void> {
    await this.deps.events.append(this.run.id, type, data, this.now());
  }

  /** Keeps the handler's state (what a resumed or paused run continues from). */
  async saveState(state: JsonRecord): Promise<void> {
    this.throwIfStopped();
    if (!(await this.deps.leases.saveState(this.run.id, this.deps.owner, state, this.now()))) throw new LeaseLostError(this.run.id);
  }

  private throwIfStopped(): void {
    if (this.signal.aborted) throw this.signal.reason instanceof Error ? this.signal.reason : new LeaseLostError(this.run.id);
  }

  private now(): Date {
    return new Date(this.deps.clock.now());
  }
}
