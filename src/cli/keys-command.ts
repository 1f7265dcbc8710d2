import { type Command, InvalidArgumentError } from 'commander';
import type { ApiKey, CreatedKey, CreateKeyRequest, ListResponse } from '../admin/contract.js';
import { addHubOptions, adminRequest, adminTarget, printTable } from './admin-client.js';

type HubOptions = { url?: string; adminKey?: string; json?: boolean };

function positiveInt(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed <= 0) throw new InvalidArgumentError('must be a positive integer');
  return parsed;
}

/** `tokenhub keys create|list|revoke` against a running hub. */
export function registerKeysCommand(program: Command): void {
  const keys = program.command('keys').description('manage virtual API keys on a running hub');

  addHubOptions(keys.command('create'))
    .description('create a virtual key (its secret is printed once)')
    .requiredOption('--tenant <id>', 'tenant id')
    .option('--project <id>', 'project id')
    .option('--name <name>', 'a name for the key')
    .option('--models <names>', 'comma-separated model names the key may use')
    .option('--rpm <n>', 'requests per minute', positiveInt)
    .option('--tpm <n>', 'tokens per minute', positiveInt)
    .option('--max-concurrency <n>', 'concurrent requests', positiveInt)
    .option('--budget-usd <amount>', 'a budget on the key, in USD')
    .option('--budget-period <period>', 'total | day | month', 'month')
    .action(async (options: HubOptions & Record<string, string | number | undefined>) => {
      const body: CreateKeyRequest = { tenant_id: String(options.tenant) };
      if (options.project) body.project_id = String(options.project);
      if (options.name) body.name = String(options.name);
      if (options.models)
        body.models = String(options.models)
          .split(',')
          .map((model) => model.trim())
          .filter(Boolean);
      const rateLimits: NonNullable<CreateKeyRequest['rate_limits']> = {};
      if (options.rpm !== undefined) rateLimits.rpm = Number(options.rpm);
      if (options.tpm !== undefined) rateLimits.tpm = Number(options.tpm);
      if (options.maxConcurrency !== undefined) rateLimits.max_concurrency = Number(options.maxConcurrency);
      if (Object.keys(rateLimits).length > 0) body.rate_limits = rateLimits;
      if (options.budgetUsd !== undefined) {
        body.budget = { limit_usd: String(options.budgetUsd), period: String(options.budgetPeriod) as 'total' | 'day' | 'month' };
      }
      const created = await adminRequest<CreatedKey>(adminTarget(options), 'POST', '/admin/v1/keys', body);
      if (options.json) process.stdout.write(`${JSON.stringify(created, null, 2)}\n`);
      else process.stdout.write(`created ${created.id}\nkey (shown once): ${created.key}\n`);
    });

  addHubOptions(keys.command('list'))
    .description('list the keys of a tenant')
    .requiredOption('--tenant <id>', 'tenant id')
    .action(async (options: HubOptions & { tenant: string }) => {
      const list = await adminRequest<ListResponse<ApiKey>>(
        adminTarget(options),
        'GET',
        `/admin/v1/keys?tenant_id=${encodeURIComponent(options.tenant)}`,
      );
      if (options.json) process.stdout.write(`${JSON.stringify(list.data, null, 2)}\n`);
      else
        printTable(list.data as unknown as Record<string, unknown>[], ['id', 'name', 'key_prefix', 'project_id', 'models', 'revoked_at']);
    });

  addHubOptions(keys.command('revoke'))
    .description('revoke a key (every replica stops accepting it within a second)')
    .argument('<id>', 'key id')
    .action(async (id: string, options: HubOptions) => {
      const revoked = await adminRequest<ApiKey>(adminTarget(options), 'DELETE', `/admin/v1/keys/${encodeURIComponent(id)}`);
      if (options.json) process.stdout.write(`${JSON.stringify(revoked, null, 2)}\n`);
      else process.stdout.write(`revoked ${id}\n`);
    });
}
