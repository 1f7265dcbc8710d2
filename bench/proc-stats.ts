import { readFileSync, writeFileSync } from 'node:fs';

const TICKS_PER_SECOND = 100;

/** User + system CPU time of a process, in microseconds (from /proc/PID/stat, clock ticks of 10 ms). */
export function cpuMicros(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const user = Number(fields[11]);
  const system = Number(fields[12]);
  return ((user + system) * 1e6) / TICKS_PER_SECOND;
}

function statusKb(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
  return match ? Number(match[1]) : 0;
}

export const rssMiB = (pid: number): number => statusKb(pid, 'VmRSS') / 1024;
export const peakRssMiB = (pid: number): number => statusKb(pid, 'VmHWM') / 1024;

/** Resets VmHWM to the current RSS (clear_refs 5), so the next peak belongs to the next test. */
export function resetPeakRss(pid: number): boolean {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

/** Samples RSS every `everyMs` until stopped; returns the highest sample, in MiB. */
export function sampleRss(pid: number, everyMs = 100): { stop(): number } {
  let highest = rssMiB(pid);
  const timer = setInterval(() => {
    try {
      highest = Math.max(highest, rssMiB(pid));
    } catch {
      // the process is gone; keep what was seen
    }
  }, everyMs);
  return {
    stop() {
      clearInterval(timer);
      return highest;
    },
  };
}
