import { type Picos, picos } from '../core/index.js';
import type { Database } from './database.js';
import { asBigInt, asNumber } from './values.js';

export type UsageGroupBy = 'model' | 'key' | 'project' | 'day' | 'hour' | 'none';

export interface UsageFilter {
  projectId?: string;
  keyId?: string;
  model?: string;
  /** Inclusive; rollups are hourly, so this is rounded down to the hour. */
  from?: Date;
  /** Exclusive; rounded up to the hour. */
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

const GROUP_EXPRESSIONS: Record<UsageGroupBy, string> = {
  model: 'model',
  key: "nullif(key_id, '')",
  project: "nullif(project_id, '')",
  day: `to_char(hour at time zone 'UTC', 'YYYY-MM-DD')`,
  hour: `to_char(hour at time zone 'UTC', 'YYYY-MM-DD"T"HH24:00:00"Z"')`,
  none: `'all'`,
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

  async summarize(filter: UsageFilter, groupBy: UsageGroupBy): Promise<UsageTotals[]> {
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
    return rows.map((row) => ({
      group: row.grp,
      requests: asNumber(row.requests),
      inputTokens: asNumber(row.input_tokens),
      outputTokens: asNumber(row.output_tokens),
      cachedTokens: asNumber(row.cached_tokens),
      costPicos: picos(asBigInt(row.cost_picos)),
    }));
  }
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

/** What one run has spent so far, from its ledger rows (seeds the run's own budget counter). */
export async function spentOnRun(db: Database, tenantId: string, runId: string): Promise<Picos> {
  const rows = await db.query<{ spent: unknown }>(
    `select coalesce(sum(cost_picos), 0)::text as spent from ledger where tenant_id = $1 and run_id = $2`,
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

/** A run's usage, exactly its ledger rows. */
export async function runUsage(db: Database, tenantId: string, runId: string): Promise<RunUsage> {
  const rows = await db.query<{ input: unknown; output: unknown; cost: unknown; calls: unknown }>(
    `select coalesce(sum(input_tokens), 0)::text as input, coalesce(sum(output_tokens), 0)::text as output,
            coalesce(sum(cost_picos), 0)::text as cost, count(*)::int as calls
     from ledger where tenant_id = $1 and run_id = $2`,
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
