import { readFile } from 'node:fs/promises';
import { type Command, InvalidArgumentError } from 'commander';
import { parse as parseYaml, stringify as toYaml } from 'yaml';
import type { ListResponse } from '../admin/contract.js';
import type { AppliedWorkflowDto, WorkflowDto, WorkflowVersionDto } from '../workflows/index.js';
import { addHubOptions, adminRequest, adminTarget, CliError, printTable } from './admin-client.js';

type HubOptions = { url?: string; adminKey?: string; json?: boolean; tenant: string };

const workflowPath = (options: HubOptions, name?: string, action?: string): string =>
  `/admin/v1/workflows${name ? `/${encodeURIComponent(name)}` : ''}${action ? `/${action}` : ''}?${new URLSearchParams({ tenant_id: options.tenant })}`;

function version(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1) throw new InvalidArgumentError('must be a version number (1, 2, …)');
  return parsed;
}

/** A YAML or JSON file (JSON is YAML), parsed here; the hub migrates and validates what it holds. */
async function readDocument(file: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new CliError(`cannot read ${file}: ${(error as Error).message}`);
  }
  try {
    return parseYaml(text, { maxAliasCount: 100 });
  } catch (error) {
    throw new CliError(`${file} is not valid YAML or JSON: ${(error as Error).message.split('\n')[0]}`);
  }
}

const write = (text: string): void => {
  process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
};
const json = (value: unknown): void => write(JSON.stringify(value, null, 2));

/** `tokenhub workflows apply|list|get|versions|activate|delete`: a tenant's workflow definitions, through the admin API. */
export function registerWorkflowsCommand(program: Command): void {
  const workflows = program.command('workflows').description("manage a tenant's workflows on a running hub");
  const withTenant = (command: Command): Command => addHubOptions(command).requiredOption('--tenant <id>', 'tenant id');

  withTenant(workflows.command('apply'))
    .description('import a workflow document (YAML or JSON): a new workflow, or a new version of the one of that name')
    .argument('<file>', 'the document')
    .action(async (file: string, options: HubOptions) => {
      const applied = await adminRequest<AppliedWorkflowDto>(adminTarget(options), 'POST', workflowPath(options), await readDocument(file));
      if (options.json) return json(applied);
      const state = applied.result === 'unchanged' ? 'already active' : 'now active';
      write(`${applied.result} workflow ${applied.name}: version ${applied.version} (${state})`);
    });

  withTenant(workflows.command('list'))
    .description("list a tenant's workflows")
    .action(async (options: HubOptions) => {
      const list = await adminRequest<ListResponse<WorkflowDto>>(adminTarget(options), 'GET', workflowPath(options));
      if (options.json) return json(list.data);
      printTable(list.data as unknown as Record<string, unknown>[], [
        'name',
        'active_version',
        'latest_version',
        'description',
        'updated_at',
      ]);
    });

  withTenant(workflows.command('get'))
    .description("print a workflow's active document as YAML (--json: the workflow with its document)")
    .argument('<name>', 'workflow name')
    .action(async (name: string, options: HubOptions) => {
      const workflow = await adminRequest<WorkflowDto>(adminTarget(options), 'GET', workflowPath(options, name));
      if (options.json) return json(workflow);
      write(`# ${workflow.name}: version ${workflow.active_version} of ${workflow.latest_version}\n${toYaml(workflow.document)}`);
    });

  withTenant(workflows.command('versions'))
    .description("list a workflow's versions, oldest first")
    .argument('<name>', 'workflow name')
    .action(async (name: string, options: HubOptions) => {
      const list = await adminRequest<ListResponse<WorkflowVersionDto>>(
        adminTarget(options),
        'GET',
        workflowPath(options, name, 'versions'),
      );
      if (options.json) return json(list.data);
      printTable(
        list.data.map((entry) => ({ ...entry, steps: entry.document.spec.steps.length })),
        ['version', 'active', 'steps', 'created_at'],
      );
    });

  withTenant(workflows.command('activate'))
    .description('serve an earlier (or later) version of a workflow')
    .argument('<name>', 'workflow name')
    .argument('<version>', 'the version to serve', version)
    .action(async (name: string, target: number, options: HubOptions) => {
      const workflow = await adminRequest<WorkflowDto>(adminTarget(options), 'POST', workflowPath(options, name, 'activate'), {
        version: target,
      });
      if (options.json) return json(workflow);
      write(`workflow ${workflow.name} now serves version ${workflow.active_version} (latest ${workflow.latest_version})`);
    });

  withTenant(workflows.command('delete'))
    .description('delete a workflow with all its versions')
    .argument('<name>', 'workflow name')
    .action(async (name: string, options: HubOptions) => {
      await adminRequest<null>(adminTarget(options), 'DELETE', workflowPath(options, name));
      write(`deleted workflow ${name}`);
    });
}
