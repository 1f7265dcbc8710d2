import type { Command } from 'commander';
import type { ListResponse } from '../admin/contract.js';
import type { UserDto } from '../identity/index.js';
import { addHubOptions, adminRequest, adminTarget, CliError, printTable } from './admin-client.js';

type HubOptions = { url?: string; adminKey?: string; json?: boolean };

const ROLES = ['owner', 'developer', 'operator', 'viewer'];

/** All of stdin, less the one line break a shell or `echo` ends it with. */
async function readStdin(): Promise<string> {
  if (process.stdin.isTTY) throw new CliError('--password-stdin reads the password from stdin: pipe it in');
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}

/** `tokenhub users create|list`: the people of a tenant, through the admin API. */
export function registerUsersCommand(program: Command): void {
  const users = program.command('users').description("manage a tenant's people on a running hub");

  addHubOptions(users.command('create'))
    .description('add a person with a role; their personal key is printed once')
    .requiredOption('--tenant <id>', 'tenant id')
    .requiredOption('--email <email>', 'their email (they sign in with it)')
    .requiredOption('--name <name>', 'their name, as customers see it on replies')
    .requiredOption('--role <role>', ROLES.join(' | '))
    .option('--password-stdin', 'read a console password from stdin (never from the command line)')
    .action(async (options: HubOptions & { tenant: string; email: string; name: string; role: string; passwordStdin?: boolean }) => {
      if (!ROLES.includes(options.role)) throw new CliError(`--role must be one of ${ROLES.join(', ')}`);
      const password = options.passwordStdin ? await readStdin() : undefined;
      const created = await adminRequest<UserDto & { key: string; key_id: string }>(adminTarget(options), 'POST', '/admin/v1/users', {
        tenant_id: options.tenant,
        email: options.email,
        name: options.name,
        role: options.role,
        ...(password !== undefined ? { password } : {}),
      });
      if (options.json) process.stdout.write(`${JSON.stringify(created, null, 2)}\n`);
      else process.stdout.write(`created user ${created.id} (${created.email}, ${created.role})\nkey (shown once): ${created.key}\n`);
    });

  addHubOptions(users.command('list'))
    .description('list the people of a tenant')
    .requiredOption('--tenant <id>', 'tenant id')
    .option('--role <role>', `only this role: ${ROLES.join(' | ')}`)
    .action(async (options: HubOptions & { tenant: string; role?: string }) => {
      const query = new URLSearchParams({ tenant_id: options.tenant, ...(options.role ? { role: options.role } : {}) });
      const list = await adminRequest<ListResponse<UserDto>>(adminTarget(options), 'GET', `/admin/v1/users?${query}`);
      if (options.json) process.stdout.write(`${JSON.stringify(list.data, null, 2)}\n`);
      else
        printTable(list.data as unknown as Record<string, unknown>[], [
          'id',
          'email',
          'name',
          'role',
          'has_password',
          'disabled',
          'created_at',
        ]);
    });
}
