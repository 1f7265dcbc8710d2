import { dailyOfHourlyRows, hourlyOfLedgerRows, rollupColumns } from '../usage-rollup-sql.js';

/**
 * The usage rollups grow what the console's overview needs without reading the ledger: the agent of agent
 * traffic ('' for the rest) in the key, failed calls (`errors`), and a latency histogram of successful calls
 * (`core/latency-histogram.ts`). `usage_daily` is the same rollup per UTC day, maintained in the same
 * statement as the hourly one: a 90-day range reads 24× fewer rows (whole days from it, the partial days at
 * the ends from `usage_hourly`).
 *
 * The hourly rollup is rebuilt from the ledger, which is append-only and never pruned, so history gains its
 * agents, errors and latencies exactly as new rows will have them (one pass over the ledger, once).
 */
export const USAGE_ROLLUPS_DDL = `
  alter table usage_hourly
    add column agent text not null default '',
    add column errors bigint not null default 0,
    add column latency_histogram numeric not null default 0;
  alter table usage_hourly drop constraint usage_hourly_pkey;
  delete from usage_hourly;
  insert into usage_hourly (${rollupColumns('usage_hourly')}) ${hourlyOfLedgerRows('ledger')};
  alter table usage_hourly add primary key (tenant_id, project_id, key_id, model, agent, hour);
  create table usage_daily (
    day timestamptz not null,
    tenant_id text not null,
    project_id text not null,
    key_id text not null,
    model text not null,
    agent text not null,
    requests bigint not null,
    errors bigint not null,
    input_tokens bigint not null,
    output_tokens bigint not null,
    cached_tokens bigint not null,
    cost_picos numeric(38, 0) not null,
    latency_histogram numeric not null default 0,
    primary key (tenant_id, project_id, key_id, model, agent, day)
  );
  insert into usage_daily (${rollupColumns('usage_daily')}) ${dailyOfHourlyRows('usage_hourly')};
  create index usage_daily_tenant_day_idx on usage_daily (tenant_id, day);
  create index usage_daily_key_day_idx on usage_daily (key_id, day);
`;
