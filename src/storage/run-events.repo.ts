import type { Database } from './database.js';
import type { JsonRecord } from './runs.repo.js';
import { asDate, asNumber, fromJsonb, toJsonb } from './values.js';

export interface RunEventRecord {
  runId: string;
  /** 1, 2, 3… per run: the SSE event id, so a client resumes with `Last-Event-ID`. */
  seq: number;
  type: string;
  data: JsonRecord;
  createdAt: Date;
}

interface EventRow {
  run_id: string;
  seq: unknown;
  type: string;
  data: unknown;
  created_at: unknown;
}

const toEvent = (row: EventRow): RunEventRecord => ({
  runId: row.run_id,
  seq: asNumber(row.seq),
  type: row.type,
  data: fromJsonb(row.data) as JsonRecord,
  createdAt: asDate(row.created_at),
});

/** Tries to append when two writers (the lease holder and an API call) race for the same next seq. */
const APPEND_ATTEMPTS = 5;

export class RunEventsRepository {
  private readonly db: Database;

  constructor(db: Database) {
    this.db = db;
  }

  /** Appends an event with the run's next sequence number. */
  async append(runId: string, type: string, data: JsonRecord, now: Date): Promise<RunEventRecord> {
    for (let attempt = 1; ; attempt++) {
      try {
        const rows = await this.db.query<EventRow>(
          `insert into run_events (run_id, seq, type, data, created_at)
           select $1, coalesce(max(seq), 0) + 1, $2, $3::jsonb, $4 from run_events where run_id = $1
           returning run_id, seq, type, data, created_at`,
          [runId, type, toJsonb(data), now],
        );
        return toEvent(rows[0] as EventRow);
      } catch (error) {
        const duplicate = (error as { code?: unknown }).code === '23505';
        if (!duplicate || attempt >= APPEND_ATTEMPTS) throw error;
      }
    }
  }

  /** Events after `afterSeq`, in order. */
  async since(runId: string, afterSeq: number, limit = 1_000): Promise<RunEventRecord[]> {
    const rows = await this.db.query<EventRow>(
      `select run_id, seq, type, data, created_at from run_events where run_id = $1 and seq > $2 order by seq limit $3`,
      [runId, afterSeq, limit],
    );
    return rows.map(toEvent);
  }
}
