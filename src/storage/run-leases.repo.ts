import type { Database } from './database.js';
import { type JsonRecord, RUN_COLUMNS, type RunRecord, type RunStatus, toRunRecord } from './runs.repo.js';
import { toJsonb } from './values.js';

type RunRow = Parameters<typeof toRunRecord>[0];

/** How a lease holder leaves a run: finished, paused for a person, or given back for another replica. */
export interface RunTransition {
  status: RunStatus;
  state?: JsonRecord;
  output?: JsonRecord | null;
  error?: JsonRecord | null;
  /** Set for final statuses. */
  finishedAt?: Date | null;
}

/**
 * The worker's side of runs, across tenants: claiming runs under a lease (`FOR UPDATE SKIP LOCKED`, so
 * replicas polling at once never take the same run), heartbeats that extend it, and transitions that
 * only the current lease holder can make (a replica whose lease was taken over changes nothing).
 */
export class RunLeases {
  private readonly db: Database;

  constructor(db: Database) {
    this.db = db;
  }

  /** Takes up to `limit` runs that are queued, or running under a lease that expired (its replica died). */
  async claim(owner: string, limit: number, now: Date, leaseUntil: Date, kinds: readonly string[]): Promise<RunRecord[]> {
    if (limit <= 0) return [];
    const rows = await this.db.query<RunRow>(
      `with candidate as (
         select id from runs
         where status in ('queued', 'running') and (lease_expires_at is null or lease_expires_at < $2)
           and kind = any($5::text[])
         order by created_at
         limit $3
         for update skip locked
       )
       update runs set status = 'running', lease_owner = $1, lease_expires_at = $4, attempts = runs.attempts + 1, updated_at = $2
       from candidate where runs.id = candidate.id
       returning ${RUN_COLUMNS.split(', ')
         .map((column) => `runs.${column}`)
         .join(', ')}`,
      [owner, now, limit, leaseUntil, [...kinds]],
    );
    return rows.map(toRunRecord);
  }

  /** Extends the lease; null when it was lost (taken over, or the run left `running`), else whether a cancel was asked. */
  async heartbeat(runId: string, owner: string, leaseUntil: Date): Promise<{ cancelRequested: boolean } | null> {
    const rows = await this.db.query<{ cancel_requested: boolean }>(
      `update runs set lease_expires_at = $3 where id = $1 and lease_owner = $2 and status = 'running' returning cancel_requested`,
      [runId, owner, leaseUntil],
    );
    return rows[0] ? { cancelRequested: rows[0].cancel_requested } : null;
  }

  /** Saves the run kind's state mid-run (after a step), while holding the lease. */
  async saveState(runId: string, owner: string, state: JsonRecord, now: Date): Promise<boolean> {
    const rows = await this.db.query(
      `update runs set state = $3::jsonb, updated_at = $4 where id = $1 and lease_owner = $2 and status = 'running' returning id`,
      [runId, owner, toJsonb(state), now],
    );
    return rows.length > 0;
  }

  /** Leaves the run in `transition.status` and drops the lease; false when the lease was no longer ours. */
  async transition(runId: string, owner: string, transition: RunTransition, now: Date): Promise<RunRecord | undefined> {
    const rows = await this.db.query<RunRow>(
      `update runs set
         status = $3,
         state = coalesce($4::jsonb, state),
         output = case when $5::boolean then $6::jsonb else output end,
         error = case when $7::boolean then $8::jsonb else error end,
         finished_at = $9,
         lease_owner = null, lease_expires_at = null, updated_at = $10
       where id = $1 and lease_owner = $2 and status = 'running'
       returning ${RUN_COLUMNS}`,
      [
        runId,
        owner,
        transition.status,
        transition.state ? toJsonb(transition.state) : null,
        transition.output !== undefined,
        transition.output ? toJsonb(transition.output) : null,
        transition.error !== undefined,
        transition.error ? toJsonb(transition.error) : null,
        transition.finishedAt ?? null,
        now,
      ],
    );
    return rows[0] ? toRunRecord(rows[0]) : undefined;
  }

  /** Gives a run back (a replica shutting down): still running, its lease expired at once, so any replica takes it up. */
  async giveBack(runId: string, owner: string, now: Date): Promise<void> {
    await this.db.query(
      `update runs set lease_owner = null, lease_expires_at = null, updated_at = $3 where id = $1 and lease_owner = $2 and status = 'running'`,
      [runId, owner, now],
    );
  }
}
