import { type Command, InvalidArgumentError } from 'commander';
import type { TaskDto } from '../inbox/index.js';
import { type AdminTarget, adminRequest, CliError, printTable } from './admin-client.js';

type PersonOptions = { url?: string; key?: string; json?: boolean };

const STATUSES = ['open', 'claimed', 'resolved', 'returned', 'cancelled', 'all'];

/** The inbox is worked by people: their personal key, sent like any key (the admin key is refused there). */
function personTarget(options: PersonOptions): AdminTarget {
  const key = options.key ?? process.env.TOKENHUB_API_KEY;
  if (!key) throw new CliError('a personal key is required: --key or TOKENHUB_API_KEY');
  return { url: (options.url ?? process.env.TOKENHUB_URL ?? 'http://127.0.0.1:8080').replace(/\/+$/, ''), adminKey: key };
}

function withPersonOptions(command: Command): Command {
  return command
    .option('--url <url>', 'hub URL (default $TOKENHUB_URL or http://127.0.0.1:8080)')
    .option('--key <key>', 'your personal key (default $TOKENHUB_API_KEY)')
    .option('--json', 'print raw JSON');
}

function leaseSeconds(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 30 || parsed > 28_800) throw new InvalidArgumentError('must be 30–28800 seconds');
  return parsed;
}

const taskPath = (id: string, action: string): string => `/v1/inbox/tasks/${encodeURIComponent(id)}/${action}`;

function printTask(task: TaskDto, options: PersonOptions, verb: string): void {
  if (options.json) process.stdout.write(`${JSON.stringify(task, null, 2)}\n`);
  else
    process.stdout.write(
      `${verb} ${task.id} (${task.status}${task.status === 'claimed' && task.lease_expires_at ? `, lease until ${task.lease_expires_at}` : ''})\n`,
    );
}

/** `tokenhub inbox list|claim|reply|resolve`: working the human inbox with a personal key. */
export function registerInboxCommand(program: Command): void {
  const inbox = program.command('inbox').description('work the human inbox with your personal key');

  withPersonOptions(inbox.command('list'))
    .description("list your tenant's inbox tasks, oldest first")
    .option('--status <status>', `${STATUSES.join(' | ')}`, 'open')
    .option('--queue <queue>', 'only this queue')
    .option('--kind <kind>', 'handoff | approval')
    .option('--mine', 'only tasks you hold')
    .option('--limit <n>', 'at most this many (1–100)', '50')
    .action(async (options: PersonOptions & { status: string; queue?: string; kind?: string; mine?: boolean; limit: string }) => {
      if (!STATUSES.includes(options.status)) throw new CliError(`--status must be one of ${STATUSES.join(', ')}`);
      const query = new URLSearchParams({ limit: options.limit });
      if (options.status !== 'all') query.set('status', options.status);
      if (options.queue) query.set('queue', options.queue);
      if (options.kind) query.set('kind', options.kind);
      if (options.mine) query.set('assignee', 'me');
      const page = await adminRequest<{ data: TaskDto[]; has_more: boolean }>(personTarget(options), 'GET', `/v1/inbox/tasks?${query}`);
      if (options.json) {
        process.stdout.write(`${JSON.stringify(page.data, null, 2)}\n`);
        return;
      }
      printTable(page.data as unknown as Record<string, unknown>[], [
        'id',
        'kind',
        'status',
        'priority',
        'queue',
        'reason',
        'agent',
        'assignee',
        'due_at',
        'subject',
      ]);
      if (page.has_more) process.stdout.write(`(more: raise --limit or narrow with --queue/--kind)\n`);
    });

  withPersonOptions(inbox.command('claim'))
    .description('claim a task: you alone may act on it until the lease ends (claiming again renews)')
    .argument('<task>', 'task id')
    .option('--lease-seconds <n>', 'lease length (default 900)', leaseSeconds)
    .action(async (task: string, options: PersonOptions & { leaseSeconds?: number }) => {
      const body = options.leaseSeconds !== undefined ? { lease_seconds: options.leaseSeconds } : {};
      printTask(await adminRequest<TaskDto>(personTarget(options), 'POST', taskPath(task, 'claim'), body), options, 'claimed');
    });

  withPersonOptions(inbox.command('reply'))
    .description("reply in the customer's conversation of a task you hold")
    .argument('<task>', 'task id')
    .argument('<text>', 'the message, as the customer will read it')
    .action(async (task: string, text: string, options: PersonOptions) => {
      const message = await adminRequest<{ id: string; thread_id: string }>(personTarget(options), 'POST', taskPath(task, 'messages'), {
        content: text,
      });
      if (options.json) process.stdout.write(`${JSON.stringify(message, null, 2)}\n`);
      else process.stdout.write(`sent ${message.id} in ${message.thread_id}\n`);
    });

  withPersonOptions(inbox.command('resolve'))
    .description('resolve a task you hold, releasing its conversation')
    .argument('<task>', 'task id')
    .argument('<resolution>', 'what was done')
    .action(async (task: string, resolution: string, options: PersonOptions) => {
      printTask(await adminRequest<TaskDto>(personTarget(options), 'POST', taskPath(task, 'resolve'), { resolution }), options, 'resolved');
    });
}
