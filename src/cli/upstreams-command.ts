import { type Command, InvalidArgumentError } from 'commander';
import type {
  CreateModelRequest,
  CreateProviderRequest,
  ListResponse,
  RoutedModel,
  SecretRotation,
  UpstreamProvider,
} from '../admin/contract.js';
import { addHubOptions, adminRequest, adminTarget, CliError, printTable } from './admin-client.js';

type HubOptions = { url?: string; adminKey?: string; json?: boolean };

const print = (options: HubOptions, value: unknown, text: string): void => {
  process.stdout.write(options.json ? `${JSON.stringify(value, null, 2)}\n` : `${text}\n`);
};

function positiveInt(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed <= 0) throw new InvalidArgumentError('must be a positive integer');
  return parsed;
}

/** `name: value` pairs, repeatable. */
function header(value: string, previous: Record<string, string> = {}): Record<string, string> {
  const colon = value.indexOf(':');
  if (colon <= 0) throw new InvalidArgumentError('must be "Name: value"');
  return { ...previous, [value.slice(0, colon).trim()]: value.slice(colon + 1).trim() };
}

/** `provider/model[*weight]`, repeatable. */
function target(value: string, previous: CreateModelRequest['targets'] = []): CreateModelRequest['targets'] {
  const match = /^([^/]+)\/(.+?)(?:\*(\d+(?:\.\d+)?))?$/.exec(value);
  if (!match?.[1] || !match[2]) throw new InvalidArgumentError('must be provider/model or provider/model*weight');
  return [...previous, { provider: match[1], model: match[2], ...(match[3] ? { weight: Number(match[3]) } : {}) }];
}

/**
 * `tokenhub providers …`, `tokenhub models list|create|delete` and `tokenhub secrets rotate` against a
 * running hub. An API key is read from an environment variable, never from the command line, so it
 * stays out of shell history and process lists.
 */
export function registerUpstreamCommands(program: Command, models: Command): void {
  const providers = program.command('providers').description('manage upstream providers on a running hub');

  addHubOptions(providers.command('list'))
    .description('list providers (from the config file and from the admin API)')
    .action(async (options: HubOptions) => {
      const list = await adminRequest<ListResponse<UpstreamProvider>>(adminTarget(options), 'GET', '/admin/v1/providers');
      if (options.json) print(options, list.data, '');
      else
        printTable(list.data as unknown as Record<string, unknown>[], [
          'id',
          'type',
          'source',
          'base_url',
          'has_api_key',
          'status',
          'models',
        ]);
    });

  addHubOptions(providers.command('create'))
    .description('create a provider; its API key is stored sealed under TOKENHUB_SECRET_KEY')
    .argument('<id>', 'provider id')
    .option('--type <type>', 'openai | anthropic', 'openai')
    .option('--preset <name>', 'vendor preset (openai, dashscope, deepseek, vllm, ollama, …)')
    .option('--base-url <url>', 'upstream base URL')
    .option('--api-key-env <variable>', 'environment variable holding the upstream API key')
    .option('--header <name:value>', 'extra upstream header (repeatable)', header)
    .option('--max-connections <n>', 'keep-alive pool size', positiveInt)
    .action(async (id: string, options: HubOptions & Record<string, unknown>) => {
      const body: CreateProviderRequest = { id, type: options.type === 'anthropic' ? 'anthropic' : 'openai' };
      if (options.type !== 'openai' && options.type !== 'anthropic') throw new CliError('--type must be openai or anthropic');
      if (typeof options.preset === 'string') body.preset = options.preset;
      if (typeof options.baseUrl === 'string') body.base_url = options.baseUrl;
      if (typeof options.apiKeyEnv === 'string') {
        const key = process.env[options.apiKeyEnv];
        if (!key) throw new CliError(`environment variable ${options.apiKeyEnv} is not set`);
        body.api_key = key;
      }
      if (options.header) body.headers = options.header as Record<string, string>;
      if (typeof options.maxConnections === 'number') body.max_connections = options.maxConnections;
      const created = await adminRequest<UpstreamProvider>(adminTarget(options), 'POST', '/admin/v1/providers', body);
      print(options, created, `created provider ${created.id} (${created.status})`);
    });

  addHubOptions(providers.command('set-key'))
    .description("replace a provider's API key (read from an environment variable)")
    .argument('<id>', 'provider id')
    .requiredOption('--api-key-env <variable>', 'environment variable holding the new API key')
    .action(async (id: string, options: HubOptions & { apiKeyEnv: string }) => {
      const key = process.env[options.apiKeyEnv];
      if (!key) throw new CliError(`environment variable ${options.apiKeyEnv} is not set`);
      const updated = await adminRequest<UpstreamProvider>(adminTarget(options), 'PATCH', `/admin/v1/providers/${encodeURIComponent(id)}`, {
        api_key: key,
      });
      print(options, updated, `provider ${id}: API key replaced`);
    });

  addHubOptions(providers.command('delete'))
    .description('delete a provider no model routes to')
    .argument('<id>', 'provider id')
    .action(async (id: string, options: HubOptions) => {
      const deleted = await adminRequest<UpstreamProvider>(adminTarget(options), 'DELETE', `/admin/v1/providers/${encodeURIComponent(id)}`);
      print(options, deleted, `deleted provider ${id}`);
    });

  addHubOptions(models.command('list'))
    .description('list model routes on a running hub')
    .action(async (options: HubOptions) => {
      const list = await adminRequest<ListResponse<RoutedModel>>(adminTarget(options), 'GET', '/admin/v1/models');
      const rows = list.data.map((model) => ({
        ...model,
        targets: model.targets.map((entry) => `${entry.provider}/${entry.model}*${entry.weight}`).join(' '),
      }));
      if (options.json) print(options, list.data, '');
      else printTable(rows as unknown as Record<string, unknown>[], ['name', 'kind', 'source', 'targets', 'fallbacks']);
    });

  addHubOptions(models.command('create'))
    .description('route a model name onto provider targets')
    .argument('<name>', 'the model name clients ask for')
    .requiredOption('--target <provider/model[*weight]>', 'a target (repeatable)', target)
    .option('--fallback <model>', 'a model tried when every target fails (repeatable)', (value: string, previous: string[] = []) => [
      ...previous,
      value,
    ])
    .option('--kind <kind>', 'chat | embedding', 'chat')
    .option('--input-usd-per-mtok <price>', 'input price, USD per million tokens')
    .option('--output-usd-per-mtok <price>', 'output price, USD per million tokens')
    .option('--max-output-tokens <n>', 'output cap reserved against budgets', positiveInt)
    .action(async (name: string, options: HubOptions & Record<string, unknown>) => {
      if (options.kind !== 'chat' && options.kind !== 'embedding') throw new CliError('--kind must be chat or embedding');
      const body: CreateModelRequest = { name, kind: options.kind, targets: options.target as CreateModelRequest['targets'] };
      if (options.fallback) body.fallbacks = options.fallback as string[];
      const input = options.inputUsdPerMtok;
      const output = options.outputUsdPerMtok;
      if ((input === undefined) !== (output === undefined)) throw new CliError('give both --input-usd-per-mtok and --output-usd-per-mtok');
      if (typeof input === 'string' && typeof output === 'string') body.pricing = { input_per_mtok: input, output_per_mtok: output };
      if (typeof options.maxOutputTokens === 'number') body.max_output_tokens = options.maxOutputTokens;
      const created = await adminRequest<RoutedModel>(adminTarget(options), 'POST', '/admin/v1/models', body);
      print(options, created, `created model ${created.name}`);
    });

  addHubOptions(models.command('delete'))
    .description('delete a model route no other model falls back to')
    .argument('<name>', 'model name')
    .action(async (name: string, options: HubOptions) => {
      const deleted = await adminRequest<RoutedModel>(adminTarget(options), 'DELETE', `/admin/v1/models/${encodeURIComponent(name)}`);
      print(options, deleted, `deleted model ${name}`);
    });

  const secrets = program.command('secrets').description('secrets stored by a running hub');
  addHubOptions(secrets.command('rotate'))
    .description('re-seal every stored provider secret under the current TOKENHUB_SECRET_KEY')
    .action(async (options: HubOptions) => {
      const rotation = await adminRequest<SecretRotation>(adminTarget(options), 'POST', '/admin/v1/secrets/rotate');
      print(options, rotation, `re-sealed ${rotation.resealed} of ${rotation.providers} provider secrets under key ${rotation.key_id}`);
    });
}
