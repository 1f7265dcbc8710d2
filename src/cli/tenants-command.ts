import type { Command } from 'commander';
import type { ListResponse, Project, Tenant } from '../admin/contract.js';
import { addHubOptions, adminRequest, adminTarget, printTable } from './admin-client.js';

type HubOptions = { url?: string; adminKey?: string; json?: boolean };

/** `tokenhub tenants create|list` and `tokenhub projects create` against a running hub. */
export function registerTenantsCommand(program: Command): void {
  const tenants = program.command('tenants').description('manage tenants on a running hub');
  addHubOptions(tenants.command('create'))
    .argument('<name>', 'tenant name')
    .action(async (name: string, options: HubOptions) => {
      const tenant = await adminRequest<Tenant>(adminTarget(options), 'POST', '/admin/v1/tenants', { name });
      process.stdout.write(options.json ? `${JSON.stringify(tenant, null, 2)}\n` : `created tenant ${tenant.id} (${tenant.name})\n`);
    });
  addHubOptions(tenants.command('list')).action(async (options: HubOptions) => {
    const list = await adminRequest<ListResponse<Tenant>>(adminTarget(options), 'GET', '/admin/v1/tenants');
    if (options.json) process.stdout.write(`${JSON.stringify(list.data, null, 2)}\n`);
    else printTable(list.data as unknown as Record<string, unknown>[], ['id', 'name', 'created_at']);
  });

  const projects = program.command('projects').description('manage projects on a running hub');
  addHubOptions(projects.command('create'))
    .requiredOption('--tenant <id>', 'tenant id')
    .argument('<name>', 'project name')
    .action(async (name: string, options: HubOptions & { tenant: string }) => {
      const project = await adminRequest<Project>(adminTarget(options), 'POST', '/admin/v1/projects', { tenant_id: options.tenant, name });
      process.stdout.write(options.json ? `${JSON.stringify(project, null, 2)}\n` : `created project ${project.id} (${project.name})\n`);
    });
}
