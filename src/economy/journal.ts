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
}

const SEGMENT_PATTERN = /^segment-(\d+)\.jsonl$/;
const segmentName = (sequence: number): string => `segment-${sequence.toString().padStart(12, '0')}.jsonl`;

/**
 * The local append-only journal that makes settlement durable before the ledger has it.
 *
 * Group commit: `append` queues a line and returns a promise; one writer writes everything queued
 * with a single write and a single fdatasync, then resolves the whole batch. Appends arriving while
 * an fsync is in flight form the next batch, so the cost is one fsync per batch, not per request,
 * and an acknowledged entry is on disk. `seal` closes the current segment (for the flusher to move
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

  private constructor(dir: string, current: OpenSegment, nextSequence: number) {
    this.dir = dir;
    this.current = current;
    this.nextSequence = nextSequence;
  }

  /** Opens the journal in `dir`, returning the segments a previous process left unflushed. */
  static async open(dir: string): Promise<{ journal: Journal; recovered: SealedSegment[]; tornLines: number }> {
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
    return { journal: new Journal(dir, current, lastSequence + 2), recovered, tornLines };
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
    return { path, handle, entries: [] };
  }

  /** Resolves once the entry is on disk (fdatasync'ed); rejects if it could not be written. */
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
        let offset = 0;
        while (offset < buffer.length) {
          const { bytesWritten } = await this.current.handle.write(buffer, offset, buffer.length - offset, null);
          offset += bytesWritten;
        }
        await this.current.handle.datasync();
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
    await sealed.handle.close();
    const segment: SealedSegment = { path: sealed.path, entries: sealed.entries };
    for (const resolve of requests) resolve(segment);
  }
}
