import { mkdirSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { StartError } from './start-error.js';

export const LOCK_FILE = 'tokenhub.lock';

export interface DataDirLock {
  /** Removes the lock file if it is still this process's. Safe to call more than once. */
  release(): void;
}

/**
 * Takes the data directory for this process: a `tokenhub.lock` file holding the owner's pid, created
 * exclusively. A lock whose pid is no longer running (a crash, `kill -9`, a container restarted as pid 1)
 * is taken over. Two processes on one PGlite directory would corrupt it (PGlite aborts with
 * `RuntimeError: Aborted()`), and two journals in one directory would interleave.
 */
export function lockDataDir(dataDir: string, pid: number = process.pid): DataDirLock {
  mkdirSync(dataDir, { recursive: true });
  const path = join(dataDir, LOCK_FILE);
  if (!tryCreate(path, pid)) {
    const owner = ownerOf(path);
    if (owner !== undefined && owner !== pid && isRunning(owner)) {
      throw new StartError(`data directory ${dataDir} is in use by pid ${owner} (stop it first, or start with another --data-dir)`);
    }
    // Stale: its owner is gone. Should another start take it over in the same instant, the loser sees its pid.
    unlinkSync(path);
    if (!tryCreate(path, pid)) {
      throw new StartError(`data directory ${dataDir} is in use by pid ${ownerOf(path) ?? 'unknown'}`);
    }
  }
  let released = false;
  const release = (): void => {
    if (released) return;
    released = true;
    process.removeListener('exit', release);
    if (ownerOf(path) === pid) rmSync(path, { force: true });
  };
  // process.exit() after a failed start or a drain still removes it; kill -9 leaves a stale one, taken over next time.
  process.once('exit', release);
  return { release };
}

function tryCreate(path: string, pid: number): boolean {
  try {
    writeFileSync(path, `${pid}\n`, { flag: 'wx' });
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
}

function ownerOf(path: string): number | undefined {
  try {
    const pid = Number.parseInt(readFileSync(path, 'utf8').trim(), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
