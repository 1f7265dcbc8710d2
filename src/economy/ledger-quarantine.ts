import { type FileHandle, mkdir, open, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { LedgerEntry } from '../storage/index.js';

export interface QuarantinedEntry {
  entry: LedgerEntry;
  reason: string;
}

const FILE = 'quarantine.jsonl';

/**
 * Where ledger entries that the database refuses for good are kept: one JSON line each (the journal
 * entry plus why it was refused), fsynced before the journal segment that held it is discarded, so
 * nothing is lost and one bad entry never blocks the entries of every other tenant behind it.
 */
export class LedgerQuarantine {
  readonly path: string;
  private count: number;

  private constructor(path: string, count: number) {
    this.path = path;
    this.count = count;
  }

  static async open(dir: string): Promise<LedgerQuarantine> {
    await mkdir(dir, { recursive: true });
    const path = join(dir, FILE);
    const existing = (await readdir(dir)).includes(FILE) ? await readFile(path, 'utf8') : '';
    return new LedgerQuarantine(path, existing.split('\n').filter((line) => line.length > 0).length);
  }

  /** Entries held since the quarantine file was created (across restarts). */
  get size(): number {
    return this.count;
  }

  async keep(entries: readonly QuarantinedEntry[], segment: string): Promise<void> {
    if (entries.length === 0) return;
    const at = new Date().toISOString();
    const lines = entries
      .map(({ entry, reason }) => {
        const line = { quarantinedAt: at, reason, segment, entry };
        return `${JSON.stringify(line, (_key, value: unknown) => (typeof value === 'bigint' ? value.toString() : value))}\n`;
      })
      .join('');
    let handle: FileHandle | undefined;
    try {
      handle = await open(this.path, 'a');
      await handle.write(lines);
      await handle.datasync();
    } finally {
      await handle?.close();
    }
    this.count += entries.length;
  }
}
