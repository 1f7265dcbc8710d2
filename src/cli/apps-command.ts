import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { addHubOptions, adminRequest, adminTarget, printTable } from './admin-client.js';

type HubOptions = { url?: string; adminKey?: string; json?: boolean };
const SHIPPED_APPS = ['support', 'supplier-match', 'site-builder'] as const;
interface Installation {
  id: string;
  app: string;
  tenant_id: string;
  name: string;
  agent: string;
  chat_url: string | null;
  created_at: string;
}

/**
 * `tokenhub apps install support|supplier-match --tenant T --model M [--name N]` and `tokenhub apps list` against a running
 * hub. Returns the `apps` command so other subcommands (the demo) can join it.
 */
export function registerAppsCommand(program: Command): Command {
  const apps = program.command('apps').description('install and inspect shipped apps (support, supplier-match) on a running hub');
  addHubOptions(apps.command('install'))
    .argument('<app>', `the app to install: ${SHIPPED_APPS.join(', ')}`)
    .requiredOption('--tenant <id>', 'tenant id')
    .requiredOption('--model <name>', 'the model the agent runs on (any model the hub routes)')
    .option('--name <name>', 'installation name, also the agent name (default: the app name); supplier-match: the workflow name too')
    .option('--catalogue <file>', 'supplier-match: a real catalogue (.csv or .json) instead of the generated one')
    .option('--size <n>', 'supplier-match: suppliers in the generated catalogue (default 3000)')
    .option('--embedding-model <name>', 'supplier-match: an embedding model the hub routes, for semantic similarity in searches')
    .action(
      async (
        app: string,
        options: HubOptions & { tenant: string; model: string; name?: string; catalogue?: string; size?: string; embeddingModel?: string },
      ) => {
        if (!(SHIPPED_APPS as readonly string[]).includes(app))
          throw new Error(`unknown app "${app}": the shipped apps are: ${SHIPPED_APPS.join(', ')}`);
        if (app !== 'supplier-match' && (options.catalogue || options.size || options.embeddingModel))
          throw new Error('--catalogue, --size and --embedding-model are options of supplier-match');
        let extra: Record<string, unknown> = {};
        if (options.catalogue) {
          const text = await readFile(options.catalogue, 'utf8');
          extra = {
            catalogue: options.catalogue.toLowerCase().endsWith('.csv') ? { csv: text } : { suppliers: JSON.parse(text) as unknown },
          };
        } else if (options.size) {
          extra = { size: Number(options.size) };
        }
        const installed = await adminRequest<{ installation: Installation; agent: string; workflow?: string; suppliers?: number }>(
          adminTarget(options),
          'POST',
          `/admin/v1/apps/${app}/install`,
          {
            tenant_id: options.tenant,
            model: options.model,
            ...(options.name ? { name: options.name } : {}),
            ...(options.embeddingModel ? { embedding_model: options.embeddingModel } : {}),
            ...extra,
          },
        );
        if (options.json) {
          process.stdout.write(`${JSON.stringify(installed, null, 2)}\n`);
          return;
        }
        process.stdout.write(
          `installed ${app} as ${installed.installation.id}: agent ${installed.agent} on ${options.model}\n` +
            (installed.workflow
              ? `workflow: ${installed.workflow}${installed.suppliers === undefined ? '' : `, catalogue: ${installed.suppliers} suppliers`}\n`
              : '') +
            (installed.installation.chat_url ? `chat page: ${installed.installation.chat_url}\n` : ''),
        );
      },
    );
  addHubOptions(apps.command('list'))
    .option('--tenant <id>', 'only this tenant')
    .action(async (options: HubOptions & { tenant?: string }) => {
      const query = options.tenant ? `?tenant_id=${encodeURIComponent(options.tenant)}` : '';
      const lists = await Promise.all(
        SHIPPED_APPS.map((app) => adminRequest<{ data: Installation[] }>(adminTarget(options), 'GET', `/admin/v1/apps/${app}${query}`)),
      );
      const data = lists.flatMap((list) => list.data);
      if (options.json) process.stdout.write(`${JSON.stringify(data, null, 2)}\n`);
      else printTable(data as unknown as Record<string, unknown>[], ['id', 'app', 'tenant_id', 'name', 'agent', 'chat_url']);
    });
  return apps;
}
