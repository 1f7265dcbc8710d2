import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, loadavg, release, totalmem } from 'node:os';
import { join } from 'node:path';

export interface MachineFacts {
  cpuModel: string;
  cores: number;
  memoryGiB: number;
  kernel: string;
  node: string;
  versions: Record<string, string>;
  commit: string;
  /** 1-minute load average when the run started and ended (others may share these cores). */
  loadAverage: { start: number; end: number | null };
  pinning: string;
}

function packageVersion(rootDir: string, name: string): string {
  try {
    return (JSON.parse(readFileSync(join(rootDir, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return 'not installed';
  }
}

function gitCommit(rootDir: string): string {
  try {
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: rootDir, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain'], { cwd: rootDir, encoding: 'utf8' }).trim()
      ? ' (with uncommitted changes)'
      : '';
    return head + dirty;
  } catch {
    return 'unknown';
  }
}

export function machineFacts(rootDir: string, pinning: string): MachineFacts {
  const manifest = JSON.parse(readFileSync(join(rootDir, 'package.json'), 'utf8')) as { version: string };
  const names = ['fastify', 'undici', 'autocannon', '@portkey-ai/gateway', '@electric-sql/pglite', 'pg', 'ioredis', 'pino', 'zod'];
  return {
    cpuModel: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    kernel: release(),
    node: process.version,
    versions: { tokenhub: manifest.version, ...Object.fromEntries(names.map((name) => [name, packageVersion(rootDir, name)])) },
    commit: gitCommit(rootDir),
    loadAverage: { start: Math.round((loadavg()[0] ?? 0) * 100) / 100, end: null },
    pinning,
  };
}
