import { readFile } from 'node:fs/promises';
import { type Command, InvalidArgumentError } from 'commander';
import { parse as parseYaml, stringify as toYaml } from 'yaml';
import type { ListResponse } from '../admin/contract.js';
import type { AppliedWorkflowDto, WorkflowDto, WorkflowRunDto, WorkflowRunSummaryDto, WorkflowVersionDto } from '../workflows/index.js';
import { type AdminTarget, addHubOptions, adminRequest, adminTarget, CliError, printTable } from './admin-client.js';

type HubOptions = { url?: string; adminKey?: string; json?: boolean; tenant: string };
type TenantOptions = { url?: string; apiKey?: string; json?: boolean };

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

/** Runs bill a tenant's key, so the run commands call the tenant API with one (sent like the admin key). */
function tenantTarget(options: TenantOptions): AdminTarget {
  const key = options.apiKey ?? process.env.TOKENHUB_API_KEY;
  if (!key) throw new CliError('a tenant API key is required: --api-key or TOKENHUB_API_KEY');
  return { url: (options.url ?? process.env.TOKENHUB_URL ?? 'http://127.0.0.1:8080').replace(/\/+$/, ''), adminKey: key };
}

const withTenantKey = (command: Command): Command =>
  command
    .option('--url <url>', 'hub URL (default $TOKENHUB_URL or http://127.0.0.1:8080)')
    .option('--api-key <key>', "a tenant's API key with agents:run (default $TOKENHUB_API_KEY)")
    .option('--json', 'print raw JSON');

function jsonOption(value: string): unknown {
  try {
    return JSON.parse(value);
  } catch (error) {
    throw new InvalidArgumentError(`must be JSON: ${(error as Error).message}`);
  }
}

function positive(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1) throw new InvalidArgumentError('must be a whole number from 1');
  return parsed;
}

const write = (text: string): void => {
  process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
};
const json = (value: unknown): void => write(JSON.stringify(value, null, 2));

/** Statuses a run ends in without having done its work: the command then exits 1. */
const UNSUCCESSFUL = new Set(['failed', 'cancelled', 'budget_exceeded', 'needs_attention', 'max_turns']);

const plural = (count: number, noun: string): string => `${count} ${noun}${count === 1 ? '' : 's'}`;

const compact = (value: unknown): string => {
  const line = JSON.stringify(value);
  return line.length <= 100 ? line : `\n${JSON.stringify(value, null, 2).replace(/^/gm, '  ')}`;
};

const errorText = (error: Record<string, unknown>): string =>
  `${typeof error.code === 'string' ? `${error.code}: ` : ''}${String(error.message ?? JSON.stringify(error))}`;

/** A run as people read it: status and usage, output or error, what it waits on, then a line per step. */
function printRun(run: WorkflowRunDto): void {
  const { usage } = run;
  write(`run ${run.id}: workflow ${run.workflow} version ${run.version}, ${run.status}`);
  write(
    `usage: ${plural(usage.model_calls, 'model call')}, ${usage.input_tokens} input + ${usage.output_tokens} output tokens, $${usage.cost_usd}`,
  );
  if (run.output !== null) write(`output: ${compact(run.output)}`);
  if (run.error) write(`error: ${errorText(run.error)}`);
  for (const pending of run.pending ?? []) write(`waiting on: ${pending.call_id} (${pending.mode}) "${pending.title}"`);
  if (run.wake_at) write(`wakes at: ${run.wake_at}`);
  if (run.steps.length === 0) return;
  write('');
  printTable(
    run.steps.map((step) => ({ ...step, error: step.error ? errorText(step.error) : null })),
    ['key', 'kind', 'status', 'attempt', 'cost_usd', 'duration_ms', 'error'],
  );
}

function finish(run: WorkflowRunDto, options: TenantOptions): void {
  if (options.json) json(run);
  else printRun(run);
  if (UNSUCCESSFUL.has(run.status)) {
    process.stderr.write(`tokenhub: run ${run.id} ended ${run.status}${run.error ? `: ${errorText(run.error)}` : ''}\n`);
    process.exitCode = 1;
  }
}

/**
 * `tokenhub workflows apply|list|get|versions|activate|delete`: a tenant's workflow definitions, through the admin API;
 * `run|runs|run-get`: its runs, with a tenant key (a run bills it); `test`: a document against the scripted provider.
 */
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

  withTenantKey(workflows.command('run'))
    .description('run a workflow and print its steps (sync: when it ends or waits for a person; background: at once)')
    .argument('<name>', 'workflow name')
    .option('--input <json>', "the run's input, a JSON value (default {})", jsonOption)
    .option('--mode <mode>', 'sync or background (default sync)', (value: string) => {
      if (value !== 'sync' && value !== 'background') throw new InvalidArgumentError('must be sync or background');
      return value;
    })
    .option('--version <n>', 'run this version, not the active one', version)
    .action(async (name: string, options: TenantOptions & { input?: unknown; mode?: string; version?: number }) => {
      const run = await adminRequest<WorkflowRunDto>(tenantTarget(options), 'POST', `/v1/workflows/${encodeURIComponent(name)}/runs`, {
        input: options.input ?? {},
        mode: options.mode ?? 'sync',
        ...(options.version !== undefined ? { version: options.version } : {}),
      });
      finish(run, options);
    });

  withTenantKey(workflows.command('runs'))
    .description("list the tenant's workflow runs, newest first")
    .option('--workflow <name>', 'only the runs of this workflow')
    .option('--status <status>', 'only runs in this status (several: comma-separated)')
    .option('--limit <n>', 'at most this many (default 50, at most 200)', positive)
    .option('--cursor <id>', 'the page after this run (printed when there are more)')
    .action(async (options: TenantOptions & { workflow?: string; status?: string; limit?: number; cursor?: string }) => {
      const query = new URLSearchParams({
        ...(options.workflow ? { workflow: options.workflow } : {}),
        ...(options.status ? { status: options.status } : {}),
        ...(options.limit !== undefined ? { limit: String(options.limit) } : {}),
        ...(options.cursor ? { cursor: options.cursor } : {}),
      });
      const page = await adminRequest<{ data: WorkflowRunSummaryDto[]; has_more: boolean; next_cursor: string | null }>(
        tenantTarget(options),
        'GET',
        `/v1/workflow-runs${query.size > 0 ? `?${query}` : ''}`,
      );
      if (options.json) return json(page);
      printTable(
        page.data.map((run) => ({ ...run, cost_usd: run.usage.cost_usd, error: run.error ? errorText(run.error) : null })),
        ['id', 'workflow', 'version', 'status', 'steps', 'cost_usd', 'created_at', 'error'],
      );
      if (page.has_more && page.next_cursor) write(`more: --cursor ${page.next_cursor}`);
    });

  withTenantKey(workflows.command('run-get'))
    .description('print a workflow run with every step (status, attempt, cost, duration, error)')
    .argument('<id>', 'run id')
    .action(async (id: string, options: TenantOptions) => {
      finish(await adminRequest<WorkflowRunDto>(tenantTarget(options), 'GET', `/v1/workflow-runs/${encodeURIComponent(id)}`), options);
    });

  workflows
    .command('test')
    .description(
      "run a workflow document's cases on an in-process hub (PGlite in a temporary folder) whose models answer from a script;" +
        ' exit 1 when a case fails, 2 when a file is unusable',
    )
    .addHelpText(
      'after',
      `
The script file (YAML):
  models: [gpt-4o-mini]                # the models the workflow names (or { name, pricing })
  agents:                              # optional: the agents its agent steps name
    - { name: triage, model: gpt-4o-mini, instructions: "You triage." }
  script:                              # the scripted provider's steps: when/text/tool_calls/error/repeat
    - { when: { last_user_message_contains: "Classify" }, text: '{"intent":"refund"}' }
  cases:
    - name: refund path
      input: { message: "refund please" }
      script: [...]                    # optional: this case's own script
      decisions:                       # human steps, by step key (or step id)
        check: { decision: approve, values: { photos_ok: true } }
      expect:
        status: completed              # the default
        output: { intent: refund }     # partial deep match; error: likewise
        steps:
          classify: { status: completed, output: { json: { intent: refund } } }

A wait step of up to 5 s is waited out; a longer one fails its case (time is not fast-forwarded).`,
    )
    .argument('<file>', 'the workflow document (YAML or JSON)')
    .requiredOption('--script <file>', 'the script file: models, agents, the script and the cases')
    .option('--json', 'print the report as JSON')
    .action(async (file: string, options: { script: string; json?: boolean }) => {
      // Loaded on demand, like `start`: it builds a whole hub.
      const { reportLines, runWorkflowTests } = await import('./workflow-test-harness.js');
      const outcome = await runWorkflowTests({ documentFile: file, scriptFile: options.script });
      if (outcome.exitCode === 2) {
        process.stderr.write(`tokenhub: ${outcome.error}\n`);
      } else if (options.json) json(outcome.report);
      else write(reportLines(outcome.report).join('\n'));
      process.exitCode = outcome.exitCode;
    });
}
