import { type Command, InvalidArgumentError } from 'commander';
import type { ApiKey, Budget, CreatedKey, CreateKeyRequest, KeyScope, ListResponse } from '../admin/contract.js';
import { usdToPicos } from '../core/index.js';
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
    .option('--scopes <scopes>', 'comma-separated: inference, agents:write, agents:run (default inference)')
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
      if (options.scopes)
        body.scopes = String(options.scopes)
          .split(',')
          .map((scope) => scope.trim())
          .filter(Boolean) as KeyScope[];
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
    .description('list the keys of a tenant with their rate limits, budgets and what is left of them')
    .requiredOption('--tenant <id>', 'tenant id')
    .action(async (options: HubOptions & { tenant: string }) => {
      const target = adminTarget(options);
      const tenant = encodeURIComponent(options.tenant);
      const [keys, budgets] = await Promise.all([
        adminRequest<ListResponse<ApiKey>>(target, 'GET', `/admin/v1/keys?tenant_id=${tenant}`),
        adminRequest<ListResponse<Budget>>(target, 'GET', `/admin/v1/budgets?tenant_id=${tenant}`),
      ]);
      const rows = keys.data.map((key) => withBudgets(key, budgets.data));
      if (options.json) process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
      else
        printTable(rows.map(tableRow), [
          'id',
          'name',
          'key_prefix',
          'project_id',
          'models',
          'scopes',
          'limits',
          'budgets',
          'remaining_usd',
          'revoked_at',
        ]);
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

/** A key with every budget its requests are charged to (its own, its project's, its tenant's) and the least left of them. */
export interface KeyWithBudgets extends ApiKey {
  budgets: Budget[];
  /** What the key can still spend: the smallest `remaining_usd` of its budgets; null when none applies. */
  remaining_usd: string | null;
}

function withBudgets(key: ApiKey, budgets: Budget[]): KeyWithBudgets {
  const applying = budgets.filter(
    (budget) =>
      (budget.scope === 'key' && budget.key_id === key.id) ||
      (budget.scope === 'project' && key.project_id !== null && budget.project_id === key.project_id) ||
      budget.scope === 'tenant',
  );
  const remaining = applying.map((budget) => budget.remaining_usd).sort((a, b) => Number(usdToPicos(a) - usdToPicos(b)))[0] ?? null;
  return { ...key, budgets: applying, remaining_usd: remaining };
}

function tableRow(key: KeyWithBudgets): Record<string, unknown> {
  const limits = [
    key.rate_limits.rpm !== undefined ? `rpm ${key.rate_limits.rpm}` : undefined,
    key.rate_limits.tpm !== undefined ? `tpm ${key.rate_limits.tpm}` : undefined,
    key.rate_limits.max_concurrency !== undefined ? `concurrency ${key.rate_limits.max_concurrency}` : undefined,
  ].filter((limit) => limit !== undefined);
  return {
    ...key,
    limits: limits.length > 0 ? limits.join(' ') : null,
    // e.g. "key 4.98/5 month, tenant 80/100 total": left/limit period, per budget.
    budgets:
      key.budgets.length > 0
        ? key.budgets.map((budget) => `${budget.scope} ${budget.remaining_usd}/${budget.limit_usd} ${budget.period}`).join(', ')
        : null,
  };
}
