import type { Command } from 'commander';
import type { ListResponse, UsageRow } from '../admin/contract.js';
import { addHubOptions, adminRequest, adminTarget, printTable } from './admin-client.js';

/** `tokenhub usage` against a running hub. */
export function registerUsageCommand(program: Command): void {
  addHubOptions(program.command('usage'))
    .description('usage and cost from the ledger, grouped')
    .option('--tenant <id>', 'tenant id')
    .option('--project <id>', 'project id')
    .option('--key <id>', 'key id')
    .option('--model <name>', 'model name')
    .option('--from <time>', 'ISO 8601 start (inclusive)')
    .option('--to <time>', 'ISO 8601 end (exclusive)')
    .option('--group-by <field>', 'model | key | project | day | hour', 'model')
    .action(async (options: Record<string, string | boolean | undefined>) => {
      const query = new URLSearchParams();
      const map: Record<string, string> = {
        tenant: 'tenant_id',
        project: 'project_id',
        key: 'key_id',
        model: 'model',
        from: 'from',
        to: 'to',
        groupBy: 'group_by',
      };
      for (const [option, parameter] of Object.entries(map)) {
        const value = options[option];
        if (typeof value === 'string') query.set(parameter, value);
      }
      const usage = await adminRequest<ListResponse<UsageRow>>(
        adminTarget(options as { url?: string; adminKey?: string }),
        'GET',
        `/admin/v1/usage?${query.toString()}`,
      );
      if (options.json) process.stdout.write(`${JSON.stringify(usage.data, null, 2)}\n`);
      else
        printTable(usage.data as unknown as Record<string, unknown>[], [
          'group',
          'requests',
          'prompt_tokens',
          'completion_tokens',
          'cached_tokens',
          'cost_usd',
        ]);
    });
}
