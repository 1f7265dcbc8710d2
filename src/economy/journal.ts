import { writeSync } from 'node:fs';
import { type FileHandle, mkdir, open, readdir, readFile, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { LedgerEntry } from '../storage/index.js';
import { decodeEntry, encodeEntry } from './journal-codec.js';

/** A closed journal file and the entries it holds durably. */
export interface SealedSegment {
  path: string;
  entries: LedgerEntry[];
}

interface PendingAppend {
  line: string;
  entry: LedgerEntry;
  resolve: () => void;
  reject: (error: unknown) => void;
}

interface OpenSegment {
  path: string;
  handle: FileHandle;
  entries: LedgerEntry[];
  /** `process` durability: bytes written since the last fdatasync, and the one in flight. */
  unsynced: boolean;
  syncing: Promise<void> | null;
}

/**
 * What an acknowledged append survives (see docs/economy.md):
 * - `process`: the line was handed to the kernel (a `write()` returned) before the append resolves, so it
 *   survives the hub's own death (crash, SIGKILL, OOM kill); fdatasync follows within `syncIntervalMs`,
 *   off the response path, so a power loss or kernel crash can lose the last few milliseconds.
 * - `machine`: fdatasync returned before the append resolves, so it survives power loss too.
 */
export type JournalDurability = 'process' | 'machine';

export interface JournalOptions {
  durability?: JournalDurability;
  /** `process` durability: the longest an acknowledged line waits for its fdatasync (default 5 ms). */
  syncIntervalMs?: number;
}

const DEFAULT_SYNC_INTERVAL_MS = 5;

const SEGMENT_PATTERN = /^segment-(\d+)\.jsonl$/;
const segmentName = (sequence: number): string => `segment-${sequence.toString().padStart(12, '0')}.jsonl`;

/**
 * The local append-only journal that makes settlement durable before the ledger has it.
 *
 * Group commit: `append` queues a line and returns a promise; one writer writes everything queued
 * with a single write (and, with `machine` durability, a single fdatasync), then resolves the whole
 * batch. Appends arriving while a write is in flight form the next batch, so the cost is one write
 * (and fsync) per batch, not per request. With `process` durability the fdatasync runs on a short
 * timer instead, off the response path; see `JournalDurability`. `seal` closes the current segment (for the flusher to move
 * into the ledger) and opens the next; sealed segments are deleted only once the ledger holds them.
 */
export class Journal {
  private readonly dir: string;
  private current: OpenSegment;
  private nextSequence: number;
  private queue: PendingAppend[] = [];
  private writing: Promise<void> | null = null;
  private sealRequests: ((segment: SealedSegment) => void)[] = [];
  private closing = false;
  /** After a failed write a torn line may end the file: the next batch starts on a fresh line. */
  private needsNewline = false;
  readonly durability: JournalDurability;
  private readonly syncIntervalMs: number;
  private syncTimer: NodeJS.Timeout | null = null;
  /** Set when a background fdatasync failed: the next batch is then synced before it is acknowledged. */
  private syncError: unknown = null;

  private constructor(dir: string, current: OpenSegment, nextSequence: number, options: JournalOptions) {
    this.dir = dir;
    this.current = current;
    this.nextSequence = nextSequence;
    this.durability = options.durability ?? 'process';
    this.syncIntervalMs = options.syncIntervalMs ?? DEFAULT_SYNC_INTERVAL_MS;
  }

  /** Opens the journal in `dir`, returning the segments a previous process left unflushed. */
  static async open(
    dir: string,
    options: JournalOptions = {},
  ): Promise<{ journal: Journal; recovered: SealedSegment[]; tornLines: number }> {
    await mkdir(dir, { recursive: true });
    const names = (await readdir(dir)).filter((name) => SEGMENT_PATTERN.test(name)).sort();
    const recovered: SealedSegment[] = [];
    let tornLines = 0;
    let lastSequence = 0;
    for (const name of names) {
      lastSequence = Math.max(lastSequence, Number(SEGMENT_PATTERN.exec(name)?.[1] ?? 0));
      const path = join(dir, name);
      const entries: LedgerEntry[] = [];
      for (const line of (await readFile(path, 'utf8')).split('\n')) {
        if (line.length === 0) continue;
        const entry = decodeEntry(line);
        if (entry) entries.push(entry);
        else tornLines++;
      }
      recovered.push({ path, entries });
    }
    const current = await Journal.createSegment(dir, lastSequence + 1);
    return { journal: new Journal(dir, current, lastSequence + 2, options), recovered, tornLines };
  }

  private static async createSegment(dir: string, sequence: number): Promise<OpenSegment> {
    const path = join(dir, segmentName(sequence));
    const handle = await open(path, 'a');
    // The new file's directory entry must be durable too, or a crash could lose the whole file.
    const directory = await open(dir, 'r');
    try {
      await directory.sync();
    } finally {
      await directory.close();
    }
    return { path, handle, entries: [], unsynced: false, syncing: null };
  }

  /**
   * Resolves once the entry is durable as `durability` says: written to the kernel (`process`) or
   * fdatasync'ed (`machine`); rejects if it could not be written.
   */
  append(entry: LedgerEntry): Promise<void> {
    if (this.closing) return Promise.reject(new Error('journal is closed'));
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ line: encodeEntry(entry), entry, resolve, reject });
      this.kick();
    });
  }

  /** Durable entries in the open segment, not yet handed to the flusher. */
  get unsealedCount(): number {
    return this.current.entries.length;
  }

  /** Closes the current segment after everything queued before this call is durable, and opens the next. */
  seal(): Promise<SealedSegment> {
    return new Promise((resolve) => {
      this.sealRequests.push(resolve);
      this.kick();
    });
  }

  /** Deletes a sealed segment once the ledger holds all its entries. */
  async discard(segment: SealedSegment): Promise<void> {
    await unlink(segment.path).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'ENOENT') throw error;
    });
  }

  /** Writes what is queued and seals the last segment; returns it for a final flush. */
  async close(): Promise<SealedSegment> {
    this.closing = true;
    if (this.syncTimer) clearTimeout(this.syncTimer);
    this.syncTimer = null;
    return this.seal();
  }

  private kick(): void {
    if (this.writing) return;
    this.writing = new Promise<void>((resolve) => setImmediate(resolve))
      .then(() => this.drain())
      .finally(() => {
        this.writing = null;
        if (this.queue.length > 0 || this.sealRequests.length > 0) this.kick();
      });
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue;
      this.queue = [];
      try {
        const buffer = Buffer.from((this.needsNewline ? '\n' : '') + batch.map((item) => item.line).join(''), 'utf8');
        this.needsNewline = false;
        // One synchronous write() per batch, into the page cache (a few µs): the threadpool's round trip per batch
        // cost more than the write (same-run A/B: +11–18 % RPS at 32 connections, docs/benchmarks.md). fdatasync stays async.
        let offset = 0;
        while (offset < buffer.length) offset += writeSync(this.current.handle.fd, buffer, offset, buffer.length - offset);
        if (this.durability === 'machine' || this.syncError !== null) {
          // After a background fdatasync failed, batches are synced in line until one succeeds again.
          await this.current.handle.datasync();
          this.syncError = null;
        } else {
          this.scheduleSync();
        }
        for (const item of batch) this.current.entries.push(item.entry);
        for (const item of batch) item.resolve();
      } catch (error) {
        this.needsNewline = true;
        for (const item of batch) item.reject(error);
      }
      // Seal between batches so a steady stream of appends cannot postpone it forever.
      if (this.sealRequests.length > 0) break;
    }
    if (this.sealRequests.length > 0) await this.rotate();
  }

  private async rotate(): Promise<void> {
    const requests = this.sealRequests;
    this.sealRequests = [];
    const sealed = this.current;
    if (!this.closing) {
      this.current = await Journal.createSegment(this.dir, this.nextSequence++);
    }
    const segment: SealedSegment = { path: sealed.path, entries: sealed.entries };
    const finish = async (): Promise<void> => {
      // A sealed segment is on disk before the flusher sees it, whatever the durability.
      await Journal.sync(sealed).catch(() => {});
      await sealed.handle.close();
    };
    if (this.durability === 'machine' || this.closing) {
      await finish();
      for (const resolve of requests) resolve(segment);
      return;
    }
    // Off the writer's path: appends queued meanwhile go to the new segment without waiting for this fsync.
    void finish()
      .catch(() => {})
      .finally(() => {
        for (const resolve of requests) resolve(segment);
      });
  }

  /** `process` durability: one fdatasync for everything written in the next `syncIntervalMs`. */
  private scheduleSync(): void {
    this.current.unsynced = true;
    if (this.syncTimer) return;
    this.syncTimer = setTimeout(() => {
      this.syncTimer = null;
      Journal.sync(this.current).catch((error: unknown) => {
        this.syncError ??= error;
      });
    }, this.syncIntervalMs);
    this.syncTimer.unref();
  }

  private static async sync(segment: OpenSegment): Promise<void> {
    while (segment.unsynced || segment.syncing) {
      if (segment.syncing) {
        await segment.syncing;
        continue;
      }
      segment.unsynced = false;
      segment.syncing = segment.handle.datasync().finally(() => {
        segment.syncing = null;
      });
    }
  }
}
