import { type Picos, picos } from '../core/index.js';
import type { Database } from './database.js';
import { asBigInt, asNumber } from './values.js';

/** The window the measures are read over: `from` inclusive, `to` exclusive, optionally one agent. */
export interface InboxStatsWindow {
  from: Date;
  to: Date;
  agent?: string;
}

/** Rows are grouped by agent and by the UTC day (`YYYY-MM-DD`), or by agent alone over the window (`day` null). */
export type InboxStatsBucket = 'day' | 'window';

export interface ConversationCounts {
  agent: string;
  day: string | null;
  conversations: number;
  closedByAgent: number;
  resolved: number;
  /** Input plus output tokens of the resolved conversations' ledger rows. */
  resolvedTokens: number;
  resolvedCostPicos: Picos;
}

export interface TaskCounts {
  agent: string | null;
  day: string | null;
  kind: 'handoff' | 'approval';
  reason: string;
  tasks: number;
  approved: number;
  rejected: number;
  slaBreaches: number;
}

export interface HandoffTimes {
  agent: string | null;
  day: string | null;
  firstResponseMedianS: number | null;
  firstResponseP90S: number | null;
  firstResponseSamples: number;
  handlingMedianS: number | null;
  handlingSamples: number;
}

const bucketOf = (bucket: InboxStatsBucket, column: string): string =>
  bucket === 'day' ? `to_char(${column} at time zone 'UTC', 'YYYY-MM-DD')` : 'null::text';

const optionalSeconds = (value: unknown): number | null => (value === null || value === undefined ? null : asNumber(value));

/**
 * The division-of-labour measures of one tenant's agents and inbox, read from `runs`, `inbox_tasks` and the
 * ledger. A conversation is a thread (or, for a run without one, that run) of one agent: its top-level agent
 * runs and the hand-off tasks opened for it; it starts at the earliest of those and is counted on that day.
 * Task measures fall on the day the task was created. Every query carries the tenant filter.
 */
export class InboxStatsRepository {
  private readonly db: Database;
  readonly tenantId: string;

  constructor(db: Database, tenantId: string) {
    this.db = db;
    this.tenantId = tenantId;
  }

  /**
   * Conversations started in the window, those with no hand-off task (closed by the agent), those resolved
   * (closed by the agent, or whose latest hand-off task is resolved) and the resolved ones' spend: every
   * ledger row of the agent in that thread (or run), whenever it was written.
   */
  async conversations(window: InboxStatsWindow, bucket: InboxStatsBucket): Promise<ConversationCounts[]> {
    const rows = await this.db.query<{
      agent: string;
      day: string | null;
      conversations: unknown;
      closed_by_agent: unknown;
      resolved: unknown;
      tokens: unknown;
      cost_picos: unknown;
    }>(
      `with sources as (
         select subject as agent, thread_id, case when thread_id is null then id end as run_id, created_at
         from runs
         where tenant_id = $1 and kind = 'agent' and parent_run_id is null and created_at < $3 and ($4::text is null or subject = $4)
         union all
         select agent, thread_id, case when thread_id is null then run_id end, created_at
         from inbox_tasks
         where tenant_id = $1 and kind = 'handoff' and agent is not null and (thread_id is not null or run_id is not null)
           and created_at < $3 and ($4::text is null or agent = $4)
       ),
       conversations as (
         select agent, thread_id, run_id, min(created_at) as started_at
         from sources
         group by agent, thread_id, run_id
         having min(created_at) >= $2
       ),
       handoffs as (
         select agent, thread_id, case when thread_id is null then run_id end as run_id,
                (array_agg(status order by created_at desc, id desc))[1] as latest_status
         from inbox_tasks
         where tenant_id = $1 and kind = 'handoff' and agent is not null and ($4::text is null or agent = $4)
         group by 1, 2, 3
       ),
       judged as (
         select c.agent, c.thread_id, c.run_id, c.started_at, h.agent is null as closed_by_agent,
                (h.agent is null or h.latest_status = 'resolved') as resolved
         from conversations c
         left join handoffs h on h.agent = c.agent and h.thread_id is not distinct from c.thread_id and h.run_id is not distinct from c.run_id
       )
       select j.agent, ${bucketOf(bucket, 'j.started_at')} as day,
              count(*)::text as conversations,
              count(*) filter (where j.closed_by_agent)::text as closed_by_agent,
              count(*) filter (where j.resolved)::text as resolved,
              coalesce(sum(spend.tokens), 0)::text as tokens,
              coalesce(sum(spend.cost_picos), 0)::text as cost_picos
       from judged j
       left join lateral (
         select sum(l.input_tokens + l.output_tokens) as tokens, sum(l.cost_picos) as cost_picos
         from ledger l
         where l.tenant_id = $1 and l.agent = j.agent
           and ((j.thread_id is not null and l.thread_id = j.thread_id) or (j.thread_id is null and l.run_id = j.run_id))
       ) spend on j.resolved
       group by 1, 2
       order by 1, 2`,
      [this.tenantId, window.from, window.to, window.agent ?? null],
    );
    return rows.map((row) => ({
      agent: row.agent,
      day: row.day,
      conversations: asNumber(row.conversations),
      closedByAgent: asNumber(row.closed_by_agent),
      resolved: asNumber(row.resolved),
      resolvedTokens: asNumber(row.tokens),
      resolvedCostPicos: picos(asBigInt(row.cost_picos)),
    }));
  }

  /** Tasks created in the window by kind and reason: how many, approvals decided each way, SLA breaches. */
  async tasks(window: InboxStatsWindow, bucket: InboxStatsBucket): Promise<TaskCounts[]> {
    const rows = await this.db.query<{
      agent: string | null;
      day: string | null;
      kind: 'handoff' | 'approval';
      reason: string;
      tasks: unknown;
      approved: unknown;
      rejected: unknown;
      sla_breaches: unknown;
    }>(
      `select agent, ${bucketOf(bucket, 'created_at')} as day, kind, reason,
              count(*)::text as tasks,
              count(*) filter (where kind = 'approval' and status = 'resolved' and resolution = 'approved')::text as approved,
              count(*) filter (where kind = 'approval' and status = 'resolved' and resolution like 'rejected%')::text as rejected,
              count(*) filter (where sla_breached_at is not null)::text as sla_breaches
       from inbox_tasks
       where tenant_id = $1 and created_at >= $2 and created_at < $3 and ($4::text is null or agent = $4)
       group by 1, 2, 3, 4
       order by 1, 2, 3, 4`,
      [this.tenantId, window.from, window.to, window.agent ?? null],
    );
    return rows.map((row) => ({
      agent: row.agent,
      day: row.day,
      kind: row.kind,
      reason: row.reason,
      tasks: asNumber(row.tasks),
      approved: asNumber(row.approved),
      rejected: asNumber(row.rejected),
      slaBreaches: asNumber(row.sla_breaches),
    }));
  }

  /**
   * Of hand-off tasks created in the window: seconds from creation to the first reply of a person (median,
   * p90), and from the last claim to closing for those resolved or handed back (median).
   */
  async handoffTimes(window: InboxStatsWindow, bucket: InboxStatsBucket): Promise<HandoffTimes[]> {
    const rows = await this.db.query<{
      agent: string | null;
      day: string | null;
      first_response_median: unknown;
      first_response_p90: unknown;
      first_response_samples: unknown;
      handling_median: unknown;
      handling_samples: unknown;
    }>(
      `with timed as (
         select agent, created_at,
                extract(epoch from (first_response_at - created_at))::double precision as first_response_s,
                case when status in ('resolved', 'returned') and claimed_at is not null
                  then extract(epoch from (closed_at - claimed_at))::double precision end as handling_s
         from inbox_tasks
         where tenant_id = $1 and kind = 'handoff' and created_at >= $2 and created_at < $3 and ($4::text is null or agent = $4)
       )
       select agent, ${bucketOf(bucket, 'created_at')} as day,
              percentile_cont(0.5) within group (order by first_response_s) as first_response_median,
              percentile_cont(0.9) within group (order by first_response_s) as first_response_p90,
              count(first_response_s)::text as first_response_samples,
              percentile_cont(0.5) within group (order by handling_s) as handling_median,
              count(handling_s)::text as handling_samples
       from timed
       group by 1, 2
       order by 1, 2`,
      [this.tenantId, window.from, window.to, window.agent ?? null],
    );
    return rows.map((row) => ({
      agent: row.agent,
      day: row.day,
      firstResponseMedianS: optionalSeconds(row.first_response_median),
      firstResponseP90S: optionalSeconds(row.first_response_p90),
      firstResponseSamples: asNumber(row.first_response_samples),
      handlingMedianS: optionalSeconds(row.handling_median),
      handlingSamples: asNumber(row.handling_samples),
    }));
  }
}
