import type { Command } from 'commander';
import { addHubOptions, adminRequest, adminTarget, printTable } from './admin-client.js';

type HubOptions = { url?: string; adminKey?: string; json?: boolean };
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
 * `tokenhub apps install support --tenant T --model M [--name N]` and `tokenhub apps list` against a running
 * hub. Returns the `apps` command so other subcommands (the demo) can join it.
 */
export function registerAppsCommand(program: Command): Command {
  const apps = program.command('apps').description('install and inspect shipped apps (support) on a running hub');
  addHubOptions(apps.command('install'))
    .argument('<app>', 'the app to install: support')
    .requiredOption('--tenant <id>', 'tenant id')
    .requiredOption('--model <name>', 'the model the agent runs on (any model the hub routes)')
    .option('--name <name>', 'installation name, also the agent name (default support)')
    .action(async (app: string, options: HubOptions & { tenant: string; model: string; name?: string }) => {
      if (app !== 'support') throw new Error(`unknown app "${app}": the shipped apps are: support`);
      const installed = await adminRequest<{ installation: Installation; agent: string }>(
        adminTarget(options),
        'POST',
        '/admin/v1/apps/support/install',
        {
          tenant_id: options.tenant,
          model: options.model,
          ...(options.name ? { name: options.name } : {}),
        },
      );
      if (options.json) {
        process.stdout.write(`${JSON.stringify(installed, null, 2)}\n`);
        return;
      }
      process.stdout.write(
        `installed support as ${installed.installation.id}: agent ${installed.agent} on ${options.model}\n` +
          (installed.installation.chat_url ? `chat page: ${installed.installation.chat_url}\n` : ''),
      );
    });
  addHubOptions(apps.command('list'))
    .option('--tenant <id>', 'only this tenant')
    .action(async (options: HubOptions & { tenant?: string }) => {
      const query = options.tenant ? `?tenant_id=${encodeURIComponent(options.tenant)}` : '';
      const list = await adminRequest<{ data: Installation[] }>(adminTarget(options), 'GET', `/admin/v1/apps/support${query}`);
      if (options.json) process.stdout.write(`${JSON.stringify(list.data, null, 2)}\n`);
      else printTable(list.data as unknown as Record<string, unknown>[], ['id', 'app', 'tenant_id', 'name', 'agent', 'chat_url']);
    });
  return apps;
}
