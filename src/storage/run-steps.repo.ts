import type { Database } from './database.js';
import type { JsonRecord } from './runs.repo.js';
import { asDate, asNumber, asOptionalDate, fromJsonb, toJsonb } from './values.js';

export type RunStepStatus = 'started' | 'finished' | 'failed';

export interface RunStepRecord {
  runId: string;
  /** Order of the step in its run: the n-th effect the run performs. */
  seq: number;
  /** `model`, `tool`, … */
  kind: string;
  name: string;
  status: RunStepStatus;
  idempotent: boolean;
  /** Stable across retries of this step (sent as `Idempotency-Key` to HTTP tools). */
  idempotencyKey: string;
  input: JsonRecord | null;
  output: JsonRecord | null;
  error: JsonRecord | null;
  attempts: number;
  startedAt: Date;
  finishedAt: Date | null;
}

interface StepRow {
  run_id: string;
  seq: unknown;
  kind: string;
  name: string;
  status: RunStepStatus;
  idempotent: boolean;
  idempotency_key: string;
  input: unknown;
  output: unknown;
  error: unknown;
  attempts: unknown;
  started_at: unknown;
  finished_at: unknown;
}

const COLUMNS = 'run_id, seq, kind, name, status, idempotent, idempotency_key, input, output, error, attempts, started_at, finished_at';

const json = (value: unknown): JsonRecord | null => (value === null || value === undefined ? null : (fromJsonb(value) as JsonRecord));

const toStep = (row: StepRow): RunStepRecord => ({
  runId: row.run_id,
  seq: asNumber(row.seq),
  kind: row.kind,
  name: row.name,
  status: row.status,
  idempotent: row.idempotent,
  idempotencyKey: row.idempotency_key,
  input: json(row.input),
  output: json(row.output),
  error: json(row.error),
  attempts: asNumber(row.attempts),
  startedAt: asDate(row.started_at),
  finishedAt: asOptionalDate(row.finished_at),
});

/** The steps of runs. Reached through a run the caller already found for its tenant (or holds the lease on). */
export class RunStepsRepository {
  private readonly db: Database;

  constructor(db: Database) {
    this.db = db;
  }

  async forRun(runId: string): Promise<RunStepRecord[]> {
    const rows = await this.db.query<StepRow>(`select ${COLUMNS} from run_steps where run_id = $1 order by seq`, [runId]);
    return rows.map(toStep);
  }

  /**
   * Records a step as started before its effect runs, only while `owner` holds the run's lease (undefined
   * otherwise: the effect must not run). A retry of the same step counts an attempt.
   */
  async start(
    step: Pick<RunStepRecord, 'runId' | 'seq' | 'kind' | 'name' | 'idempotent' | 'idempotencyKey' | 'input'>,
    owner: string,
    now: Date,
  ): Promise<RunStepRecord | undefined> {
    const rows = await this.db.query<StepRow>(
      `insert into run_steps (run_id, seq, kind, name, status, idempotent, idempotency_key, input, started_at)
       select $1, $2, $3, $4, 'started', $5, $6, $7::jsonb, $8
       where exists (select 1 from runs where id = $1 and lease_owner = $9 and status = 'running')
       on conflict (run_id, seq) do update set status = 'started', attempts = run_steps.attempts + 1, started_at = $8,
         error = null, finished_at = null
       returning ${COLUMNS}`,
      [
        step.runId,
        step.seq,
        step.kind,
        step.name,
        step.idempotent,
        step.idempotencyKey,
        step.input ? toJsonb(step.input) : null,
        now,
        owner,
      ],
    );
    return rows[0] ? toStep(rows[0]) : undefined;
  }

  async finish(runId: string, seq: number, output: JsonRecord, now: Date): Promise<void> {
    await this.db.query(`update run_steps set status = 'finished', output = $3::jsonb, finished_at = $4 where run_id = $1 and seq = $2`, [
      runId,
      seq,
      toJsonb(output),
      now,
    ]);
  }

  async fail(runId: string, seq: number, error: JsonRecord, now: Date): Promise<void> {
    await this.db.query(`update run_steps set status = 'failed', error = $3::jsonb, finished_at = $4 where run_id = $1 and seq = $2`, [
      runId,
      seq,
      toJsonb(error),
      now,
    ]);
  }
}
