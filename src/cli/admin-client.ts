import type { Command } from 'commander';

export interface AdminTarget {
  url: string;
  adminKey: string;
}

/** Global options shared by the commands that talk to a running hub. */
export function addHubOptions(command: Command): Command {
  return command
    .option('--url <url>', 'hub URL (default $TOKENHUB_URL or http://127.0.0.1:8080)')
    .option('--admin-key <key>', 'admin key (default $TOKENHUB_ADMIN_KEY)')
    .option('--json', 'print raw JSON');
}

export function adminTarget(options: { url?: string; adminKey?: string }): AdminTarget {
  const adminKey = options.adminKey ?? process.env.TOKENHUB_ADMIN_KEY;
  if (!adminKey) throw new CliError('an admin key is required: --admin-key or TOKENHUB_ADMIN_KEY');
  return { url: (options.url ?? process.env.TOKENHUB_URL ?? 'http://127.0.0.1:8080').replace(/\/+$/, ''), adminKey };
}

export class CliError extends Error {}

/** Calls the admin API; an error answer becomes a CliError with the hub's own message. */
export async function adminRequest<T>(target: AdminTarget, method: string, path: string, body?: unknown): Promise<T> {
  let response: Response;
  try {
    response = await fetch(`${target.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${target.adminKey}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  } catch (error) {
    throw new CliError(`cannot reach the hub at ${target.url}: ${(error as Error).message}`);
  }
  const text = await response.text();
  if (!response.ok) {
    let message = text;
    try {
      message = (JSON.parse(text) as { error?: { message?: string } }).error?.message ?? text;
    } catch {
      // plain text error
    }
    throw new CliError(`${method} ${path} → ${response.status}: ${message}`);
  }
  return (text ? JSON.parse(text) : null) as T;
}

/** Prints rows as an aligned plain-text table. */
export function printTable(rows: Record<string, unknown>[], columns: string[]): void {
  const cells = rows.map((row) => columns.map((column) => formatCell(row[column])));
  const widths = columns.map((column, index) => Math.max(column.length, ...cells.map((line) => line[index]?.length ?? 0)));
  const line = (values: string[]): string =>
    values
      .map((value, index) => value.padEnd(widths[index] ?? 0))
      .join('  ')
      .trimEnd();
  process.stdout.write(`${line(columns)}\n`);
  for (const row of cells) process.stdout.write(`${line(row)}\n`);
}

function formatCell(value: unknown): string {
  if (value === null || value === undefined) return '-';
  if (Array.isArray(value)) return value.join(',');
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}
