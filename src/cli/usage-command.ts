import type { Command } from 'commander';
import type { ListResponse, UsageRow, UsageSeries } from '../admin/contract.js';
import { addHubOptions, adminRequest, adminTarget, printTable } from './admin-client.js';

const TOTAL_COLUMNS = ['group', 'requests', 'prompt_tokens', 'completion_tokens', 'cached_tokens', 'cost_usd', 'errors'];
const SERIES_COLUMNS = [
  'bucket',
  'group',
  'requests',
  'errors',
  'prompt_tokens',
  'completion_tokens',
  'cost_usd',
  'latency_p50_ms',
  'latency_p99_ms',
];

const roundedLatency = (value: number | null): number | null => (value === null ? null : Math.round(value * 10) / 10);

/**
 * `tokenhub usage` against a running hub: totals per group, or with `--interval` the time series the console's
 * overview draws (the same call, so the same numbers), with its totals as the last line.
 */
export function registerUsageCommand(program: Command): void {
  addHubOptions(program.command('usage'))
    .description('usage and cost from the usage rollups: totals per group, or a time series with --interval')
    .option('--tenant <id>', 'tenant id')
    .option('--project <id>', 'project id')
    .option('--key <id>', 'key id')
    .option('--model <name>', 'model name')
    .option('--agent <name>', 'agent name')
    .option('--from <time>', 'ISO 8601 start (inclusive; rounded down to the hour)')
    .option('--to <time>', 'ISO 8601 end (exclusive; rounded up to the hour)')
    .option('--group-by <field>', 'model | key | project | agent | none, or without --interval also day | hour | run', 'model')
    .option('--interval <width>', 'hour | day | month: a time series (needs --from)')
    .option('--top <n>', 'only the n groups that spent the most')
    .action(async (options: Record<string, string | boolean | undefined>) => {
      const query = new URLSearchParams();
      const map: Record<string, string> = {
        tenant: 'tenant_id',
        project: 'project_id',
        key: 'key_id',
        model: 'model',
        agent: 'agent',
        from: 'from',
        to: 'to',
        groupBy: 'group_by',
        interval: 'interval',
        top: 'top',
      };
      for (const [option, parameter] of Object.entries(map)) {
        const value = options[option];
        if (typeof value === 'string') query.set(parameter, value);
      }
      const target = adminTarget(options as { url?: string; adminKey?: string });
      if (typeof options.interval === 'string') {
        const series = await adminRequest<UsageSeries>(target, 'GET', `/admin/v1/usage?${query.toString()}`);
        if (options.json) {
          process.stdout.write(`${JSON.stringify(series, null, 2)}\n`);
          return;
        }
        const rows = series.data.map((point) => ({
          ...point,
          group: point.other ? '(other)' : point.group,
          latency_p50_ms: roundedLatency(point.latency_p50_ms),
          latency_p99_ms: roundedLatency(point.latency_p99_ms),
        }));
        const totals = {
          ...series.totals,
          bucket: 'total',
          group: `${series.from} – ${series.to}`,
          latency_p50_ms: roundedLatency(series.totals.latency_p50_ms),
          latency_p99_ms: roundedLatency(series.totals.latency_p99_ms),
        };
        printTable([...rows, totals] as unknown as Record<string, unknown>[], SERIES_COLUMNS);
        return;
      }
      const usage = await adminRequest<ListResponse<UsageRow>>(target, 'GET', `/admin/v1/usage?${query.toString()}`);
      if (options.json) process.stdout.write(`${JSON.stringify(usage.data, null, 2)}\n`);
      else printTable(usage.data as unknown as Record<string, unknown>[], TOTAL_COLUMNS);
    });
}
