import { type Picos, picos } from '../core/index.js';
import type { Database } from './database.js';
import { asBigInt, asNumber } from './values.js';

/** `agent` and `run` group agent traffic only (the ledger rows that carry an agent and a run). */
export type UsageGroupBy = 'model' | 'key' | 'project' | 'day' | 'hour' | 'none' | 'agent' | 'run';

export interface UsageFilter {
  projectId?: string;
  keyId?: string;
  model?: string;
  /** Agent traffic of this agent (read from the ledger). */
  agent?: string;
  /** Agent traffic of this run (read from the ledger). */
  runId?: string;
  /** Inclusive; rollups are hourly, so this is rounded down to the hour (exact when read from the ledger). */
  from?: Date;
  /** Exclusive; rounded up to the hour (exact when read from the ledger). */
  to?: Date;
}

export interface UsageTotals {
  /** The value of the group-by dimension ('all' when not grouped); null for the admin's own traffic. */
  group: string | null;
  requests: number;
  inputTokens: number;
  outputTokens: number;
  cachedTokens: number;
  costPicos: Picos;
}

/** The scope a budget's spend is summed over. */
export interface SpendScope {
  tenantId: string;
  projectId?: string | null;
  keyId?: string | null;
}

const GROUP_EXPRESSIONS: Record<Exclude<UsageGroupBy, 'agent' | 'run'>, string> = {
  model: 'model',
  key: "nullif(key_id, '')",
  project: "nullif(project_id, '')",
  day: `to_char(hour at time zone 'UTC', 'YYYY-MM-DD')`,
  hour: `to_char(hour at time zone 'UTC', 'YYYY-MM-DD"T"HH24:00:00"Z"')`,
  none: `'all'`,
};

// The ledger's own columns: it stores null where the rollup stores ''.
const LEDGER_GROUP_EXPRESSIONS: Record<UsageGroupBy, string> = {
  model: 'model_served',
  key: 'key_id',
  project: 'project_id',
  day: `to_char(created_at at time zone 'UTC', 'YYYY-MM-DD')`,
  hour: `to_char(created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:00:00"Z"')`,
  none: `'all'`,
  agent: 'agent',
  run: 'run_id',
};

const HOUR_MS = 3_600_000;
const floorHour = (date: Date): Date => new Date(Math.floor(date.getTime() / HOUR_MS) * HOUR_MS);
const ceilHour = (date: Date): Date => new Date(Math.ceil(date.getTime() / HOUR_MS) * HOUR_MS);

interface TotalsRow {
  grp: string | null;
  requests: unknown;
  input_tokens: unknown;
  output_tokens: unknown;
  cached_tokens: unknown;
  cost_picos: unknown;
}

/**
 * Usage from the hourly rollups. `tenantId` null reads across tenants (admin API only); otherwise
 * every query carries the tenant filter.
 */
export class UsageRepository {
  private readonly db: Database;
  readonly tenantId: string | null;

  constructor(db: Database, tenantId: string | null) {
    this.db = db;
    this.tenantId = tenantId;
  }

  /**
   * Grouped by agent or run, or filtered by either, usage is read from the ledger rows of agent traffic (the
   * rollups have no agent column; agent traffic is a small part of all traffic and indexed by run and agent).
   */
  async summarize(filter: UsageFilter, groupBy: UsageGroupBy): Promise<UsageTotals[]> {
    if (groupBy === 'agent' || groupBy === 'run' || filter.agent !== undefined || filter.runId !== undefined) {
      return this.summarizeAgentTraffic(filter, groupBy);
    }
    const group = GROUP_EXPRESSIONS[groupBy];
    const rows = await this.db.query<TotalsRow>(
      `select ${group} as grp, sum(requests)::text as requests, sum(input_tokens)::text as input_tokens,
              sum(output_tokens)::text as output_tokens, sum(cached_tokens)::text as cached_tokens, sum(cost_picos)::text as cost_picos
       from usage_hourly
       where ($1::text is null or tenant_id = $1) and ($2::text is null or project_id = $2) and ($3::text is null or key_id = $3)
         and ($4::text is null or model = $4) and ($5::timestamptz is null or hour >= $5) and ($6::timestamptz is null or hour < $6)
       group by 1
       order by 1`,
      [
        this.tenantId,
        filter.projectId ?? null,
        filter.keyId ?? null,
        filter.model ?? null,
        filter.from ? floorHour(filter.from) : null,
        filter.to ? ceilHour(filter.to) : null,
      ],
    );
    return rows.map(totalsOf);
  }

  private async summarizeAgentTraffic(filter: UsageFilter, groupBy: UsageGroupBy): Promise<UsageTotals[]> {
    const rows = await this.db.query<TotalsRow>(
      `select ${LEDGER_GROUP_EXPRESSIONS[groupBy]} as grp, count(*)::text as requests, sum(input_tokens)::text as input_tokens,
              sum(output_tokens)::text as output_tokens, sum(cached_tokens)::text as cached_tokens, sum(cost_picos)::text as cost_picos
       from ledger
       where run_id is not null and agent is not null
         and ($1::text is null or tenant_id = $1) and ($2::text is null or project_id = $2) and ($3::text is null or key_id = $3)
         and ($4::text is null or model_served = $4) and ($5::timestamptz is null or created_at >= $5) and ($6::timestamptz is null or created_at < $6)
         and ($7::text is null or agent = $7) and ($8::text is null or run_id = $8)
       group by 1
       order by 1`,
      [
        this.tenantId,
        filter.projectId ?? null,
        filter.keyId ?? null,
        filter.model ?? null,
        filter.from ?? null,
        filter.to ?? null,
        filter.agent ?? null,
        filter.runId ?? null,
      ],
    );
    return rows.map(totalsOf);
  }
}

function totalsOf(row: TotalsRow): UsageTotals {
  return {
    group: row.grp,
    requests: asNumber(row.requests),
    inputTokens: asNumber(row.input_tokens),
    outputTokens: asNumber(row.output_tokens),
    cachedTokens: asNumber(row.cached_tokens),
    costPicos: picos(asBigInt(row.cost_picos)),
  };
}

/**
 * What a budget's scope has spent in [from, to) according to the ledger rollups: the starting
 * point of the spend counters after a restart. Periods are whole UTC hours, so this is exact.
 */
export async function spentInPeriod(db: Database, scope: SpendScope, from: Date | null, to: Date | null): Promise<Picos> {
  const rows = await db.query<{ spent: unknown }>(
    `select coalesce(sum(cost_picos), 0)::text as spent from usage_hourly
     where tenant_id = $1 and ($2::text is null or project_id = $2) and ($3::text is null or key_id = $3)
       and ($4::timestamptz is null or hour >= $4) and ($5::timestamptz is null or hour < $5)`,
    [scope.tenantId, scope.projectId ?? null, scope.keyId ?? null, from, to],
  );
  return picos(asBigInt(rows[0]?.spent));
}

/** A run and every run it started, at any depth (child runs of agent tools). */
const RUN_TREE = `with recursive tree as (
    select id from runs where tenant_id = $1 and id = $2
    union all
    select child.id from runs child join tree on child.parent_run_id = tree.id
  )`;

/** What a run and the runs it started have spent so far, from their ledger rows (seeds the run's budget counter). */
export async function spentOnRun(db: Database, tenantId: string, runId: string): Promise<Picos> {
  const rows = await db.query<{ spent: unknown }>(
    `${RUN_TREE}
     select coalesce(sum(cost_picos), 0)::text as spent from ledger
     where tenant_id = $1 and (run_id = $2 or run_id in (select id from tree))`,
    [tenantId, runId],
  );
  return picos(asBigInt(rows[0]?.spent));
}

export interface RunUsage {
  inputTokens: number;
  outputTokens: number;
  costPicos: Picos;
  /** Ledger rows (model calls) of the run. */
  calls: number;
}

/** A run's usage: exactly its ledger rows and those of the runs it started (agent tools). */
export async function runUsage(db: Database, tenantId: string, runId: string): Promise<RunUsage> {
  const rows = await db.query<{ input: unknown; output: unknown; cost: unknown; calls: unknown }>(
    `${RUN_TREE}
     select coalesce(sum(input_tokens), 0)::text as input, coalesce(sum(output_tokens), 0)::text as output,
            coalesce(sum(cost_picos), 0)::text as cost, count(*)::int as calls
     from ledger where tenant_id = $1 and (run_id = $2 or run_id in (select id from tree))`,
    [tenantId, runId],
  );
  const row = rows[0];
  return {
    inputTokens: Number(row?.input ?? 0),
    outputTokens: Number(row?.output ?? 0),
    costPicos: picos(asBigInt(row?.cost)),
    calls: Number(row?.calls ?? 0),
  };
}
