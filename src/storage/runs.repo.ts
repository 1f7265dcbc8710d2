import { type Picos, picos } from '../core/index.js';
import type { Database, Queryable } from './database.js';
import { asBigInt, asDate, asNumber, asOptionalDate, fromJsonb, toJsonb } from './values.js';

export type RunStatus =
  | 'queued'
  | 'running'
  | 'waiting'
  | 'waiting_approval'
  | 'handed_off'
  | 'needs_attention'
  | 'completed'
  | 'failed'
  | 'cancelled'
  | 'budget_exceeded'
  | 'max_turns';

/** Statuses a replica works on (under a lease). */
export const ACTIVE_RUN_STATUSES: readonly RunStatus[] = ['queued', 'running'];
/** Statuses that wait (for a person, a time, a child run): no lease, no memory, no connection. */
export const PAUSED_RUN_STATUSES: readonly RunStatus[] = ['waiting', 'waiting_approval', 'handed_off', 'needs_attention'];
/** Statuses a run never leaves. */
export const FINAL_RUN_STATUSES: readonly RunStatus[] = ['completed', 'failed', 'cancelled', 'budget_exceeded', 'max_turns'];

export type JsonRecord = Record<string, unknown>;

export interface RunRecord {
  id: string;
  tenantId: string;
  /** Which engine handler runs it (`agent`, `workflow`). */
  kind: string;
  /** What it runs: the agent's or workflow's name. */
  subject: string;
  version: number;
  status: RunStatus;
  parentRunId: string | null;
  threadId: string | null;
  input: JsonRecord;
  /** The run kind's own versioned state. */
  state: JsonRecord;
  output: JsonRecord | null;
  error: JsonRecord | null;
  metadata: JsonRecord;
  leaseOwner: string | null;
  leaseExpiresAt: Date | null;
  /** How many times a replica took the run up (1 unless it was resumed). */
  attempts: number;
  cancelRequested: boolean;
  createdAt: Date;
  updatedAt: Date;
  finishedAt: Date | null;
}

export type NewRun = Pick<RunRecord, 'id' | 'tenantId' | 'kind' | 'subject' | 'version' | 'input' | 'state' | 'metadata'> &
  Partial<Pick<RunRecord, 'parentRunId' | 'threadId'>>;

interface RunRow {
  id: string;
  tenant_id: string;
  kind: string;
  subject: string;
  version: unknown;
  status: RunStatus;
  parent_run_id: string | null;
  thread_id: string | null;
  input: unknown;
  state: unknown;
  output: unknown;
  error: unknown;
  metadata: unknown;
  lease_owner: string | null;
  lease_expires_at: unknown;
  attempts: unknown;
  cancel_requested: boolean;
  created_at: unknown;
  updated_at: unknown;
  finished_at: unknown;
}

export const RUN_COLUMNS =
  'id, tenant_id, kind, subject, version, status, parent_run_id, thread_id, input, state, output, error, metadata, ' +
  'lease_owner, lease_expires_at, attempts, cancel_requested, created_at, updated_at, finished_at';

const optionalJson = (value: unknown): JsonRecord | null =>
  value === null || value === undefined ? null : (fromJsonb(value) as JsonRecord);

export const toRunRecord = (row: RunRow): RunRecord => ({
  id: row.id,
  tenantId: row.tenant_id,
  kind: row.kind,
  subject: row.subject,
  version: asNumber(row.version),
  status: row.status,
  parentRunId: row.parent_run_id,
  threadId: row.thread_id,
  input: fromJsonb(row.input) as JsonRecord,
  state: fromJsonb(row.state) as JsonRecord,
  output: optionalJson(row.output),
  error: optionalJson(row.error),
  metadata: fromJsonb(row.metadata) as JsonRecord,
  leaseOwner: row.lease_owner,
  leaseExpiresAt: asOptionalDate(row.lease_expires_at),
  attempts: asNumber(row.attempts),
  cancelRequested: row.cancel_requested,
  createdAt: asDate(row.created_at),
  updatedAt: asDate(row.updated_at),
  finishedAt: asOptionalDate(row.finished_at),
});

/**
 * Queues a new run. A run of that id that exists already is returned as it stands instead, with `created`
 * false (a parent replaying the effect that started its child run finds the child it started before).
 */
export async function insertRun(db: Queryable, run: NewRun, now: Date): Promise<{ run: RunRecord; created: boolean }> {
  const rows = await db.query<RunRow>(
    `insert into runs (id, tenant_id, kind, subject, version, status, parent_run_id, thread_id, input, state, metadata, created_at, updated_at)
     values ($1, $2, $3, $4, $5, 'queued', $6, $7, $8::jsonb, $9::jsonb, $10::jsonb, $11, $11)
     on conflict (id) do nothing
     returning ${RUN_COLUMNS}`,
    [
      run.id,
      run.tenantId,
      run.kind,
      run.subject,
      run.version,
      run.parentRunId ?? null,
      run.threadId ?? null,
      toJsonb(run.input),
      toJsonb(run.state),
      toJsonb(run.metadata),
      now,
    ],
  );
  if (rows[0]) return { run: toRunRecord(rows[0]), created: true };
  const existing = await db.query<RunRow>(`select ${RUN_COLUMNS} from runs where id = $1 and tenant_id = $2`, [run.id, run.tenantId]);
  if (!existing[0]) throw new Error(`run ${run.id} exists under another tenant`);
  return { run: toRunRecord(existing[0]), created: false };
}

/**
 * One tenant's runs, as the API reads and steers them. Every query carries the tenant filter, so
 * another tenant's run id reads as absent.
 */
export class RunsRepository {
  private readonly db: Database;
  readonly tenantId: string;

  constructor(db: Database, tenantId: string) {
    this.db = db;
    this.tenantId = tenantId;
  }

  async get(id: string): Promise<RunRecord | undefined> {
    const rows = await this.db.query<RunRow>(`select ${RUN_COLUMNS} from runs where tenant_id = $1 and id = $2`, [this.tenantId, id]);
    return rows[0] ? toRunRecord(rows[0]) : undefined;
  }

  async list(options: { subject?: string; status?: RunStatus; limit: number; before?: Date }): Promise<RunRecord[]> {
    const rows = await this.db.query<RunRow>(
      `select ${RUN_COLUMNS} from runs
       where tenant_id = $1 and ($2::text is null or subject = $2) and ($3::text is null or status = $3)
         and ($4::timestamptz is null or created_at < $4)
       order by created_at desc limit $5`,
      [this.tenantId, options.subject ?? null, options.status ?? null, options.before ?? null, options.limit],
    );
    return rows.map(toRunRecord);
  }

  /**
   * Asks for a run to stop. A queued or paused run is cancelled at once; a running one is flagged, and its
   * lease holder stops it at its next heartbeat. Returns the run as it then stands (undefined: not found).
   */
  async cancel(id: string, now: Date): Promise<RunRecord | undefined> {
    const rows = await this.db.query<RunRow>(
      `update runs set
         status = case when status = 'running' then status else 'cancelled' end,
         cancel_requested = true,
         finished_at = case when status = 'running' then finished_at else $3 end,
         updated_at = $3
       where tenant_id = $1 and id = $2 and status in ('queued', 'running', 'waiting', 'waiting_approval', 'handed_off', 'needs_attention')
       returning ${RUN_COLUMNS}`,
      [this.tenantId, id, now],
    );
    return rows[0] ? toRunRecord(rows[0]) : await this.get(id);
  }

  /**
   * Changes a paused run's state under a row lock, so concurrent decisions (two approvals at once) never
   * overwrite each other; `decide` sees the run as it stands and says the new state and whether the run
   * goes back in the queue. Undefined when the run is not (or no longer) in `status`.
   */
  async updatePaused(
    id: string,
    status: RunStatus,
    decide: (run: RunRecord) => { state: JsonRecord; requeue: boolean },
    now: Date,
  ): Promise<RunRecord | undefined> {
    return this.db.transaction(async (tx) => {
      const rows = await tx.query<RunRow>(`select ${RUN_COLUMNS} from runs where tenant_id = $1 and id = $2 and status = $3 for update`, [
        this.tenantId,
        id,
        status,
      ]);
      if (!rows[0]) return undefined;
      const { state, requeue } = decide(toRunRecord(rows[0]));
      const updated = await tx.query<RunRow>(
        `update runs set state = $3::jsonb, status = case when $4::boolean then 'queued' else status end, updated_at = $5
         where tenant_id = $1 and id = $2 returning ${RUN_COLUMNS}`,
        [this.tenantId, id, toJsonb(state), requeue, now],
      );
      return toRunRecord(updated[0] as RunRow);
    });
  }

  /**
   * Runs a failed run again from its record: the step that failed last is forgotten (so it runs again) and
   * every finished one replays, so the run continues with what it had done (an agent's conversation and tool
   * results). Undefined when the run is not failed.
   */
  async retryFailed(id: string, now: Date): Promise<RunRecord | undefined> {
    return this.db.transaction(async (tx) => {
      const rows = await tx.query<RunRow>(
        `update runs set status = 'queued', error = null, output = null, finished_at = null, cancel_requested = false, updated_at = $3
         where tenant_id = $1 and id = $2 and status = 'failed' returning ${RUN_COLUMNS}`,
        [this.tenantId, id, now],
      );
      if (!rows[0]) return undefined;
      await tx.query(
        `delete from run_steps where run_id = $1 and status = 'failed'
           and seq = (select max(seq) from run_steps where run_id = $1)`,
        [id],
      );
      return toRunRecord(rows[0]);
    });
  }

  /**
   * Puts a paused run back in the queue with its new state (e.g. an approval decided), if it is still in
   * `from`. Returns undefined when it is not (already resumed by someone else, cancelled, not found).
   */
  async resume(id: string, from: readonly RunStatus[], state: JsonRecord, now: Date): Promise<RunRecord | undefined> {
    const rows = await this.db.query<RunRow>(
      `update runs set status = 'queued', state = $3::jsonb, updated_at = $4
       where tenant_id = $1 and id = $2 and status = any($5::text[])
       returning ${RUN_COLUMNS}`,
      [this.tenantId, id, toJsonb(state), now, [...from]],
    );
    return rows[0] ? toRunRecord(rows[0]) : undefined;
  }
}

/**
 * Queues the paused runs of `kind` whose `state.wake_at` (an ISO time) has come: a wait that ended, a
 * person's deadline that passed. Safe on every replica at once (each run is queued by one update). The ids.
 */
export async function wakeDueRuns(db: Queryable, kind: string, now: Date): Promise<string[]> {
  const rows = await db.query<{ id: string }>(
    `update runs set status = 'queued', updated_at = $2
     where kind = $1 and status in ('waiting', 'waiting_approval') and state ? 'wake_at' and (state ->> 'wake_at') <= $3
     returning id`,
    [kind, now, now.toISOString()],
  );
  return rows.map((row) => row.id);
}

/** The runs a run started that have not ended (a cancelled workflow cancels them too). */
export async function unfinishedChildRuns(db: Queryable, tenantId: string, parentId: string): Promise<string[]> {
  const rows = await db.query<{ id: string }>(
    `select id from runs where tenant_id = $1 and parent_run_id = $2
       and status not in ('completed', 'failed', 'cancelled', 'budget_exceeded', 'max_turns')`,
    [tenantId, parentId],
  );
  return rows.map((row) => row.id);
}

/** Queues a paused run (any tenant's) that waits in `waiting`, e.g. a workflow whose child run settled; false when it is not waiting. */
export async function wakeWaitingRun(db: Queryable, id: string, now: Date): Promise<boolean> {
  const rows = await db.query<{ id: string }>(
    `update runs set status = 'queued', updated_at = $2 where id = $1 and status = 'waiting' returning id`,
    [id, now],
  );
  return rows.length > 0;
}

/**
 * Queues the runs of `kind` that wait (no time set) on child runs that all settled for good since: the wake-up a
 * child's settlement sends can arrive while its parent is still on its way to `waiting`, and this catches it.
 */
export async function wakeSettledParents(db: Queryable, kind: string, waitingSince: Date, now: Date): Promise<string[]> {
  const rows = await db.query<{ id: string }>(
    `update runs parent set status = 'queued', updated_at = $3
     where parent.kind = $1 and parent.status = 'waiting' and not (parent.state ? 'wake_at') and parent.updated_at < $2
       and exists (select 1 from runs child where child.parent_run_id = parent.id)
       and not exists (
         select 1 from runs child where child.parent_run_id = parent.id
           and child.status not in ('completed', 'failed', 'cancelled', 'budget_exceeded', 'max_turns'))
     returning parent.id`,
    [kind, waitingSince, now],
  );
  return rows.map((row) => row.id);
}

/** A run as the runs list shows it: no input or state, with what it spent and how many steps it took. */
export interface RunSummaryRecord {
  id: string;
  subject: string;
  version: number;
  status: RunStatus;
  parentRunId: string | null;
  threadId: string | null;
  error: JsonRecord | null;
  createdAt: Date;
  finishedAt: Date | null;
  /** Its ledger rows and those of the runs it started (agent tools), as `runUsage` counts them. */
  usage: { inputTokens: number; outputTokens: number; costPicos: Picos; calls: number };
  steps: number;
}

export interface RunPageFilter {
  kind: string;
  subject?: string;
  statuses?: readonly RunStatus[];
  /** `created_at` in [from, to). */
  from?: Date;
  to?: Date;
  /** The last run of the previous page: this page starts after it (newest first). */
  after?: string;
  limit: number;
}

interface RunSummaryRow {
  id: string;
  subject: string;
  version: unknown;
  status: RunStatus;
  parent_run_id: string | null;
  thread_id: string | null;
  error: unknown;
  created_at: unknown;
  finished_at: unknown;
  input_tokens: unknown;
  output_tokens: unknown;
  cost_picos: unknown;
  calls: unknown;
  steps: unknown;
}

/**
 * One page of a tenant's runs, newest first (keyset on `created_at, id` through `runs_tenant_created_idx`),
 * each with its spend summed from the ledger rows of the run and the runs it started (through
 * `ledger_run_idx`, only for the runs of this page: the ledger is never scanned) and its step count (through
 * the `run_steps` primary key). Both are aggregates per run in a lateral subquery, so the planner cannot turn
 * them into a join over the whole table.
 * Undefined when `after` names no run of the tenant.
 */
export async function runPage(db: Queryable, tenantId: string, filter: RunPageFilter): Promise<RunSummaryRecord[] | undefined> {
  if (filter.after) {
    const cursor = await db.query<{ id: string }>('select id from runs where tenant_id = $1 and id = $2', [tenantId, filter.after]);
    if (!cursor[0]) return undefined;
  }
  const rows = await db.query<RunSummaryRow>(
    `with recursive page as (
       select id, subject, version, status, parent_run_id, thread_id, error, created_at, finished_at from runs
       where tenant_id = $1 and kind = $2 and ($3::text is null or subject = $3)
         and ($4::text[] is null or status = any($4::text[]))
         and ($5::timestamptz is null or created_at >= $5) and ($6::timestamptz is null or created_at < $6)
         and ($7::text is null or (created_at, id) < (select created_at, id from runs where tenant_id = $1 and id = $7))
       order by created_at desc, id desc
       limit $8
     ),
     tree as (
       select id as root, id from page
       union all
       select tree.root, child.id from runs child join tree on child.parent_run_id = tree.id
     ),
     spent as (
       select tree.root, sum(own.input_tokens) as input_tokens, sum(own.output_tokens) as output_tokens,
              sum(own.cost_picos) as cost_picos, sum(own.calls) as calls
       from tree cross join lateral (
         -- An aggregate per run, so the planner looks each run's rows up by ledger_run_idx instead of joining
         -- the tenant's whole ledger.
         select sum(input_tokens) as input_tokens, sum(output_tokens) as output_tokens, sum(cost_picos) as cost_picos,
                count(*) as calls
         from ledger where ledger.run_id = tree.id and ledger.tenant_id = $1
       ) own
       group by tree.root
     )
     select page.id, page.subject, page.version, page.status, page.parent_run_id, page.thread_id, page.error, page.created_at,
            page.finished_at, coalesce(spent.input_tokens, 0)::text as input_tokens, coalesce(spent.output_tokens, 0)::text as output_tokens,
            coalesce(spent.cost_picos, 0)::text as cost_picos, coalesce(spent.calls, 0)::int as calls, counted.steps
     from page left join spent on spent.root = page.id
       cross join lateral (select count(*)::int as steps from run_steps where run_steps.run_id = page.id) counted
     order by page.created_at desc, page.id desc`,
    [
      tenantId,
      filter.kind,
      filter.subject ?? null,
      filter.statuses && filter.statuses.length > 0 ? [...filter.statuses] : null,
      filter.from ?? null,
      filter.to ?? null,
      filter.after ?? null,
      filter.limit,
    ],
  );
  return rows.map((row) => ({
    id: row.id,
    subject: row.subject,
    version: asNumber(row.version),
    status: row.status,
    parentRunId: row.parent_run_id,
    threadId: row.thread_id,
    error: optionalJson(row.error),
    createdAt: asDate(row.created_at),
    finishedAt: asOptionalDate(row.finished_at),
    usage: {
      inputTokens: asNumber(row.input_tokens),
      outputTokens: asNumber(row.output_tokens),
      costPicos: picos(asBigInt(row.cost_picos)),
      calls: asNumber(row.calls),
    },
    steps: asNumber(row.steps),
  }));
}

/** What the model calls of one run cost, by the client request id each was made with (`<run id>:<step seq>`). */
export interface StepCallUsage {
  inputTokens: number;
  outputTokens: number;
  costPicos: Picos;
  latencyMs: number;
  /** Ledger rows of the step: more than one when a resumed run repeated an interrupted call. */
  calls: number;
  model: string;
}

/** The ledger rows of one run's own model calls (through `ledger_run_idx`), summed per client request id. */
export async function runCallUsage(db: Queryable, tenantId: string, runId: string): Promise<Map<string, StepCallUsage>> {
  const rows = await db.query<{
    client_request_id: string;
    input_tokens: unknown;
    output_tokens: unknown;
    cost_picos: unknown;
    latency_ms: unknown;
    calls: unknown;
    model: string;
  }>(
    `select client_request_id, sum(input_tokens)::text as input_tokens, sum(output_tokens)::text as output_tokens,
            sum(cost_picos)::text as cost_picos, sum(latency_ms)::text as latency_ms, count(*)::int as calls, max(model_served) as model
     from ledger where run_id = $2 and tenant_id = $1 and client_request_id is not null
     group by client_request_id`,
    [tenantId, runId],
  );
  return new Map(
    rows.map((row) => [
      row.client_request_id,
      {
        inputTokens: asNumber(row.input_tokens),
        outputTokens: asNumber(row.output_tokens),
        costPicos: picos(asBigInt(row.cost_picos)),
        latencyMs: asNumber(row.latency_ms),
        calls: asNumber(row.calls),
        model: row.model,
      },
    ]),
  );
}
