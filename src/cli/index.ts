#!/usr/bin/env node
import { Command, InvalidArgumentError } from 'commander';
import { ConfigError } from '../config/index.js';
import { SecretBoxError } from '../core/index.js';
import { CliError } from './admin-client.js';
import { registerAppsCommand } from './apps-command.js';
import { registerEvalCommand } from './eval-command.js';
import { registerInboxCommand } from './inbox-command.js';
import { registerKeysCommand } from './keys-command.js';
import { registerModelsCommand } from './models-inspect.js';
import { StartError } from './start-error.js';
import { startProgress } from './start-progress.js';
import { registerTenantsCommand } from './tenants-command.js';
import { registerUpstreamCommands } from './upstreams-command.js';
import { registerUsageCommand } from './usage-command.js';
import { registerUsersCommand } from './users-command.js';
import { registerWorkflowsCommand } from './workflows-command.js';

function port(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 0 || parsed > 65535) throw new InvalidArgumentError('must be a port number 0-65535');
  return parsed;
}

const program = new Command('tokenhub').description('TokenHub: creates, delivers and applies AI tokens');

program
  .command('start')
  .description('serve the hub (embedded PGlite under ./.tokenhub unless TOKENHUB_DATABASE_URL is set)')
  .option('-c, --config <file>', 'YAML config file')
  .option('-p, --port <port>', 'port to listen on (default 8080)', port)
  .option('--host <host>', 'address to bind (default 127.0.0.1)')
  .option('--data-dir <dir>', 'data directory (default ./.tokenhub)')
  .action(async (options: { config?: string; port?: number; host?: string; dataDir?: string }) => {
    try {
      // Loaded on demand: the admin subcommands should not pay for the server's dependency graph.
      const { start } = await import('../main.js');
      await start({
        ...(options.config ? { configFile: options.config } : {}),
        ...(options.port !== undefined ? { port: options.port } : {}),
        ...(options.host ? { host: options.host } : {}),
        ...(options.dataDir ? { dataDir: options.dataDir } : {}),
        progress: startProgress(),
      });
    } catch (error) {
      if (error instanceof StartError) {
        process.stderr.write(`tokenhub: ${error.message}\n`);
        process.exit(error.exitCode);
      }
      if (error instanceof ConfigError || error instanceof SecretBoxError) {
        process.stderr.write(`${error.message}\n`);
        process.exit(2);
      }
      throw error;
    }
  });

registerTenantsCommand(program);
registerKeysCommand(program);
registerUsageCommand(program);
registerUsersCommand(program);
registerInboxCommand(program);
registerWorkflowsCommand(program);
registerUpstreamCommands(program, registerModelsCommand(program));
registerEvalCommand(program);

const demo = registerAppsCommand(program).command('demo').description('play a shipped app end to end on a fresh in-process hub');
demo
  .command('support')
  .description('the support app: a return closed by the agent, an angry customer handed to a person, and the cost')
  .action(async () => {
    // Loaded on demand, like `start`: it builds a whole hub.
    const { runSupportDemo } = await import('./demo-support.js');
    await runSupportDemo();
  });
demo
  .command('site-builder')
  .description("the site-builder: a tea shop's site planned, approved, built (a failed check sent back), published, and its cost")
  .option('--keep', 'keep the hub running afterwards, to open the published site')
  .action(async (options: { keep?: boolean }) => {
    const { runSiteBuilderDemo } = await import('./demo-apps.js');
    await runSiteBuilderDemo({ keep: options.keep === true });
  });
demo
  .command('supplier-match')
  .description("the supplier match: a seller's request shortlisted, RFQs approved, replies compared, and the cost")
  .action(async () => {
    const { runSupplierMatchDemo } = await import('./demo-apps.js');
    await runSupplierMatchDemo();
  });

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (!(error instanceof CliError)) throw error;
  process.stderr.write(`tokenhub: ${error.message}\n`);
  process.exit(1);
}
