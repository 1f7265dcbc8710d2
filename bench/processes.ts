import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { createServer } from 'node:net';

/** Cores: the gateway under test gets core 0; the load generator, the upstream and this orchestrator share core 1. */
export const GATEWAY_CORE = 0;
export const CLIENT_CORE = 1;

const hasTaskset = spawnSync('taskset', ['-p', String(process.pid)], { stdio: 'ignore' }).status === 0;

export function pinningNote(): string {
  return hasTaskset
    ? `taskset: gateway on core ${GATEWAY_CORE}; load generator, fake upstream and orchestrator on core ${CLIENT_CORE}; PostgreSQL and Redis unpinned`
    : 'taskset unavailable: processes not pinned';
}

/** Pins this process (and its threads) to the client core. */
export function pinSelf(): void {
  if (hasTaskset) spawnSync('taskset', ['-a', '-cp', String(CLIENT_CORE), String(process.pid)], { stdio: 'ignore' });
}

const children = new Set<ChildProcess>();

export interface SpawnOptions {
  core: number;
  logFile: string;
  env?: NodeJS.ProcessEnv;
  ipc?: boolean;
}

/** Starts `node ...args` pinned to a core (taskset execs, so the pid is node's); its output goes to a log file. */
export function spawnNode(args: string[], options: SpawnOptions): ChildProcess {
  const command = hasTaskset ? 'taskset' : process.execPath;
  const commandArgs = hasTaskset ? ['-c', String(options.core), process.execPath, ...args] : args;
  const child = spawn(command, commandArgs, {
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe', ...(options.ipc ? (['ipc'] as const) : [])],
  });
  const log = createWriteStream(options.logFile, { flags: 'a' });
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

/** Stops a child: SIGTERM, then SIGKILL after the grace period. */
export async function stopChild(child: ChildProcess, graceMs = 5_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

export async function stopAll(): Promise<void> {
  await Promise.all([...children].map((child) => stopChild(child, 3_000)));
}

/** Every child dies with us: on normal exit, Ctrl-C, SIGTERM and uncaught errors. */
export function killChildrenOnExit(cleanup: () => Promise<void>): void {
  process.on('exit', () => {
    for (const child of children) child.kill('SIGKILL');
  });
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`\nbench: ${signal}, stopping children\n`);
    void Promise.allSettled([stopAll(), cleanup()]).finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Polls `url` until it answers 2xx (or the child dies, or the deadline passes). */
export async function waitForHttp(
  url: string,
  child: ChildProcess,
  timeoutMs: number,
  headers: Record<string, string> = {},
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`process exited (${child.exitCode}) before ${url} answered`);
    try {
      const response = await fetch(url, { headers, signal: AbortSignal.timeout(1_000) });
      if (response.ok) return;
      last = `HTTP ${response.status}`;
    } catch (error) {
      last = error instanceof Error ? error.message : String(error);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${url} did not answer within ${timeoutMs} ms (${last})`);
}
