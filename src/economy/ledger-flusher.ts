import type { LedgerWriter } from '../storage/index.js';
import type { Journal, SealedSegment } from './journal.js';
import type { EconomyLogger } from './logger.js';

export interface FlusherStatus {
  /** Sealed segments waiting for the ledger. */
  pendingSegments: number;
  pendingEntries: number;
  lastError: string | null;
}

/**
 * Moves journal entries into the ledger off the request path: every `intervalMs` it seals the
 * journal's open segment, inserts its entries in batches (idempotent by request id) and deletes the
 * segment file once the ledger has them. While the database is down, segments wait on disk and are
 * retried; nothing is dropped.
 */
export class LedgerFlusher {
  private readonly journal: Journal;
  private readonly writer: LedgerWriter;
  private readonly logger: EconomyLogger;
  private readonly pending: SealedSegment[] = [];
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private lastError: string | null = null;

  constructor(options: { journal: Journal; writer: LedgerWriter; logger: EconomyLogger; recovered?: SealedSegment[] }) {
    this.journal = options.journal;
    this.writer = options.writer;
    this.logger = options.logger;
    this.pending.push(...(options.recovered ?? []));
  }

  start(intervalMs: number): void {
    this.timer = setInterval(() => {
      this.flush().catch(() => {});
    }, intervalMs);
    this.timer.unref();
  }

  /** Seals the open segment (if it holds anything) and writes every pending segment to the ledger. */
  flush(): Promise<void> {
    // One flush at a time; a caller arriving mid-flush queues a fresh one, so it sees its own entries.
    const run = (this.running ?? Promise.resolve()).catch(() => {}).then(() => this.flushOnce());
    this.running = run;
    run
      .finally(() => {
        if (this.running === run) this.running = null;
      })
      .catch(() => {});
    return run;
  }

  status(): FlusherStatus {
    return {
      pendingSegments: this.pending.length,
      pendingEntries: this.pending.reduce((sum, segment) => sum + segment.entries.length, 0) + this.journal.unsealedCount,
      lastError: this.lastError,
    };
  }

  /** Stops the timer and moves the journal's last entries into the ledger (best effort: on failure they stay on disk for the next start). */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running?.catch(() => {});
    this.pending.push(await this.journal.close());
    await this.writePending().catch(() => {});
  }

  private async flushOnce(): Promise<void> {
    // While the ledger is behind, let the open segment grow rather than pile up small files.
    if (this.pending.length === 0 && this.journal.unsealedCount > 0) this.pending.push(await this.journal.seal());
    await this.writePending();
  }

  private async writePending(): Promise<void> {
    while (this.pending.length > 0) {
      const segment = this.pending[0];
      if (!segment) break;
      try {
        if (segment.entries.length > 0) await this.writer.append(segment.entries);
        await this.journal.discard(segment);
        this.pending.shift();
        this.lastError = null;
      } catch (error) {
        this.lastError = (error as Error).message;
        this.logger.error({ err: error, segment: segment.path, entries: segment.entries.length }, 'ledger flush failed; will retry');
        throw error;
      }
    }
  }
}
