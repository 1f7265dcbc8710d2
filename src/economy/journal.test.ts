import { spawn } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { ledgerEntry } from '../../test/support/ledger-entry.js';
import type { LedgerEntry } from '../storage/index.js';
import { Journal } from './journal.js';

const entry = (requestId: string): LedgerEntry => ledgerEntry(requestId);

const dirs: string[] = [];
const tempDir = async () => {
  const dir = await mkdtemp(join(tmpdir(), 'th-journal-'));
  dirs.push(dir);
  return dir;
};
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

describe('journal', () => {
  it.each(['process', 'machine'] as const)(
    'recovers every acknowledged entry after the process stops without flushing, exactly as written (%s durability)',
    async (durability) => {
      const dir = await tempDir();
      const { journal } = await Journal.open(dir, { durability });
      await Promise.all(Array.from({ length: 100 }, (_, index) => journal.append(entry(`r${index}`))));
      const sealed = await journal.seal();
      expect(sealed.entries).toHaveLength(100);
      await journal.append(entry('after-seal'));

      const reopened = await Journal.open(dir);
      const recovered = reopened.recovered.flatMap((segment) => segment.entries);
      expect(recovered).toHaveLength(101);
      expect(recovered[0]).toEqual(entry('r0'));
      for (const segment of reopened.recovered) await reopened.journal.discard(segment);
      await reopened.journal.close();
      await journal.close();
    },
  );

  it.each(['process', 'machine'] as const)(
    'loses no acknowledged entry when the writer is killed with SIGKILL (%s durability)',
    async (durability) => {
      const dir = await tempDir();
      const fixture = fileURLToPath(new URL('./__fixtures__/journal-writer.ts', import.meta.url));
      const child = spawn(process.execPath, ['--import', 'tsx', fixture, dir, durability], { stdio: ['ignore', 'pipe', 'inherit'] });
      const acknowledged: string[] = [];
      let buffered = '';
      child.stdout.setEncoding('utf8');
      child.stdout.on('data', (chunk: string) => {
        buffered += chunk;
        const lines = buffered.split('\n');
        buffered = lines.pop() ?? '';
        acknowledged.push(...lines);
      });
      await expect.poll(() => acknowledged.length, { timeout: 20_000, interval: 20 }).toBeGreaterThan(2_000);
      child.kill('SIGKILL');
      await new Promise((resolve) => child.once('exit', resolve));

      const { journal, recovered } = await Journal.open(dir);
      const ids = new Set(recovered.flatMap((segment) => segment.entries.map((recoveredEntry) => recoveredEntry.requestId)));
      const missing = acknowledged.filter((id) => !ids.has(id));
      expect(missing).toEqual([]);
      await journal.close();
      expect((await readdir(dir)).length).toBeGreaterThan(0);
    },
  );
});
