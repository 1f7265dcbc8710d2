import { type Command, InvalidArgumentError } from 'commander';
import {
  activateAgent,
  appendCase,
  caseFromThread,
  EvalHubClient,
  type EvalReport,
  EvalRunError,
  gateDecision,
  parseAgentUnderTest,
  readReport,
  reportMarkdown,
  runEval,
  writeReport,
} from '../evals/index.js';
import { addHubOptions, adminTarget, CliError } from './admin-client.js';
import { registerSupplierMatchEval } from './eval-supplier-match.js';

type HubOptions = { url?: string; adminKey?: string; json?: boolean };

interface RunOptions extends HubOptions {
  suite: string;
  agent: string;
  userModel: string;
  trials: number;
  tasks?: string[];
  concurrency: number;
  maxTurns: number;
  tenant?: string;
  out?: string;
}

const positiveInteger = (value: string): number => {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1) throw new InvalidArgumentError('must be a positive integer');
  return parsed;
};

const fraction = (value: string): number => {
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed < 0 || parsed > 1) throw new InvalidArgumentError('must be a number from 0 to 1');
  return parsed;
};

const taskList = (value: string): string[] =>
  value
    .split(',')
    .map((id) => id.trim())
    .filter(Boolean);

/** The options of a suite run, shared by `eval run` and `eval gate`. */
function addRunOptions(command: Command, required: boolean): Command {
  const option = required ? command.requiredOption.bind(command) : command.option.bind(command);
  option('--user-model <model>', "the simulated customer's model (through the hub)");
  return command
    .option('--suite <name|file>', 'suite: tau-retail or a JSON file of τ² tasks', 'tau-retail')
    .option('--trials <k>', 'trials per task', positiveInteger, 1)
    .option('--tasks <ids>', 'comma-separated task ids (default: all)', taskList)
    .option('--concurrency <n>', 'trials at once', positiveInteger, 4)
    .option('--max-turns <n>', 'customer messages per trial', positiveInteger, 30)
    .option('--tenant <id>', 'tenant of the eval and of the agent (default: the tenant named "eval")')
    .option('--out <dir>', 'where report.json, report.md and pass-k.svg go (default ./eval-results/<eval id>)');
}

async function runAndWrite(options: RunOptions): Promise<EvalReport> {
  const target = adminTarget(options);
  const report = await runEval({
    hub: target,
    suite: options.suite,
    agent: parseAgentUnderTest(options.agent),
    userModel: options.userModel,
    trials: options.trials,
    concurrency: options.concurrency,
    maxTurns: options.maxTurns,
    ...(options.tasks ? { tasks: options.tasks } : {}),
    ...(options.tenant ? { tenantId: options.tenant } : {}),
  });
  const files = await writeReport(options.out ?? `eval-results/${report.eval_id}`, report);
  process.stderr.write(`wrote ${files.join(', ')}\n`);
  return report;
}

/** Eval failures (a missing suite, a refused request) read as CLI errors: one line, exit 1. */
const plainly =
  <A extends unknown[]>(action: (...args: A) => Promise<void>) =>
  async (...args: A): Promise<void> => {
    try {
      await action(...args);
    } catch (error) {
      if (error instanceof EvalRunError) throw new CliError(error.message);
      throw error;
    }
  };

/** `tokenhub eval run|gate|add-case` against a running hub (see docs/evals.md). */
export function registerEvalCommand(program: Command): void {
  const evals = program.command('eval').description('measure agents on τ²-style suites, gate their versions, grow suites');
  registerSupplierMatchEval(evals);

  addRunOptions(addHubOptions(evals.command('run')), true)
    .description('run a suite: each task × trial on a fresh store, against a simulated customer; writes the report')
    .requiredOption('--agent <agent>', 'agent under test: name, name@version, or model:<model> (the support app on that model)')
    .action(
      plainly(async (options: RunOptions) => {
        const report = await runAndWrite(options);
        process.stdout.write(
          options.json ? `${JSON.stringify(report, null, 2)}\n` : reportMarkdown(report).split('\n').slice(0, 8).join('\n'),
        );
        process.stdout.write('\n');
      }),
    );

  addRunOptions(addHubOptions(evals.command('gate')), false)
    .description('run the suite (or read --report) and activate the agent version only when pass^1 clears --min-pass1')
    .requiredOption('--agent <name[@version]>', 'the agent version to gate (default version: its latest)')
    .requiredOption('--min-pass1 <p>', 'the least pass^1 that activates (0–1)', fraction)
    .option('--report <file>', 'a report.json to judge instead of running the suite')
    .action(
      plainly(async (options: RunOptions & { minPass1: number; report?: string }) => {
        const agent = parseAgentUnderTest(options.agent);
        if ('model' in agent) throw new CliError('eval gate activates an agent version: give --agent name or name@version.');
        if (!options.report && !options.userModel) throw new CliError('--user-model is required unless --report is given.');
        const report = options.report ? await readReport(options.report) : await runAndWrite(options);
        const decision = gateDecision(report, options.minPass1);
        if (!decision.pass) throw new CliError(`gate closed: ${decision.message}; ${agent.name} not activated`);
        const client = new EvalHubClient(adminTarget(options));
        const tenantId = options.tenant ?? report.tenant_id;
        const version = agent.version ?? Number(/@(\d+)$/.exec(report.agent)?.[1]);
        if (!Number.isInteger(version))
          throw new CliError(`cannot tell which version of ${agent.name} to activate: give --agent ${agent.name}@<version>.`);
        await activateAgent(client, tenantId, agent.name, version);
        process.stdout.write(`gate open: ${decision.message}; activated ${agent.name} version ${version}\n`);
      }),
    );

  addHubOptions(evals.command('add-case'))
    .description("add a case to a suite file from a conversation (a thread): the customer's messages and the writes its runs made")
    .requiredOption('--suite <file>', 'suite file (created when absent)')
    .requiredOption('--task-id <id>', 'the new task id')
    .requiredOption('--thread <id>', 'the thread, e.g. of a resolved inbox task')
    .requiredOption('--tenant <id>', 'the tenant of the thread')
    .action(
      plainly(async (options: HubOptions & { suite: string; taskId: string; thread: string; tenant: string }) => {
        const client = new EvalHubClient(adminTarget(options));
        const task = await caseFromThread(client, { tenantId: options.tenant, threadId: options.thread, taskId: options.taskId });
        const total = await appendCase(options.suite, task);
        process.stdout.write(
          options.json
            ? `${JSON.stringify(task, null, 2)}\n`
            : `added task ${task.id} (${task.evaluation_criteria?.actions?.length ?? 0} expected actions) to ${options.suite}: ${total} tasks\n`,
        );
      }),
    );
}
