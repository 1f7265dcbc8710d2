import type { LedgerEntry, LedgerWriter, QueryOptions } from '../storage/index.js';
import type { Journal, SealedSegment } from './journal.js';
import { isRowError, ledgerEntryProblem } from './ledger-entry-check.js';
import type { LedgerQuarantine, QuarantinedEntry } from './ledger-quarantine.js';
import type { EconomyLogger } from './logger.js';

export interface FlusherStatus {
  /** Sealed segments waiting for the ledger. */
  pendingSegments: number;
  pendingEntries: number;
  lastError: string | null;
  /** Since when flushing has failed (ms since epoch), null while it works. */
  failingSince: number | null;
  /** Entries the ledger refused for good, kept in the quarantine file. */
  quarantined: number;
  quarantinePath: string;
}

/**
 * Entries waiting for the ledger beyond which the flush stops yielding to requests: below it, ledger
 * writes are background work (PGlite's thread runs them at its lowest priority, so a busy core serves
 * requests first and writes the ledger in its idle time); above it, a sustained overload would grow the
 * backlog (and the memory holding it) without bound, so the flush takes its fair share of the core again.
 */
export const URGENT_BACKLOG = 20_000;

/**
 * Moves journal entries into the ledger off the request path: every `intervalMs` it seals the
 * journal's open segment, inserts its entries in batches (idempotent by request id) and deletes the
 * segment file once the ledger has them. While the database is down, segments wait on disk and are
 * retried; nothing is dropped. An entry the database refuses for good (a data error, not an outage) is
 * moved to the quarantine file instead, so it cannot hold back the entries of every tenant behind it.
 */
export class LedgerFlusher {
  private readonly journal: Journal;
  private readonly writer: LedgerWriter;
  private readonly logger: EconomyLogger;
  private readonly pending: SealedSegment[] = [];
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private readonly quarantine: LedgerQuarantine;
  private lastError: string | null = null;
  private failingSince: number | null = null;
  private readonly urgentBacklog: number;

  constructor(options: {
    journal: Journal;
    writer: LedgerWriter;
    logger: EconomyLogger;
    quarantine: LedgerQuarantine;
    recovered?: SealedSegment[];
    /** Default URGENT_BACKLOG. */
    urgentBacklog?: number;
  }) {
    this.urgentBacklog = options.urgentBacklog ?? URGENT_BACKLOG;
    this.journal = options.journal;
    this.writer = options.writer;
    this.logger = options.logger;
    this.quarantine = options.quarantine;
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
      pendingEntries: this.pendingEntries(),
      lastError: this.lastError,
      failingSince: this.failingSince,
      quarantined: this.quarantine.size,
      quarantinePath: this.quarantine.path,
    };
  }

  private pendingEntries(): number {
    return this.pending.reduce((sum, segment) => sum + segment.entries.length, 0) + this.journal.unsealedCount;
  }

  /** Stops the timer and moves the journal's last entries into the ledger (best effort: on failure they stay on disk for the next start). */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running?.catch(() => {});
    this.pending.push(await this.journal.close());
    // Shutting down: nothing to yield to.
    await this.writePending(true).catch(() => {});
  }

  private async flushOnce(): Promise<void> {
    // While the ledger is behind, let the open segment grow rather than pile up small files.
    if (this.pending.length === 0 && this.journal.unsealedCount > 0) this.pending.push(await this.journal.seal());
    await this.writePending();
  }

  private async writePending(urgent = false): Promise<void> {
    while (this.pending.length > 0) {
      const segment = this.pending[0];
      if (!segment) break;
      try {
        await this.writeSegment(segment, { background: !urgent && this.pendingEntries() < this.urgentBacklog });
        await this.journal.discard(segment);
        this.pending.shift();
        this.lastError = null;
        this.failingSince = null;
      } catch (error) {
        // Logged once when the failure starts and when its reason changes, not at every retry.
        const message = (error as Error).message;
        if (message !== this.lastError) {
          this.logger.error({ err: error, segment: segment.path, entries: segment.entries.length }, 'ledger flush failed; will retry');
        }
        this.lastError = message;
        this.failingSince ??= Date.now();
        throw error;
      }
    }
  }

  /** Writes a segment's entries; the ones the database refuses for good go to the quarantine. */
  private async writeSegment(segment: SealedSegment, options: QueryOptions): Promise<void> {
    const refused: QuarantinedEntry[] = [];
    const writable: LedgerEntry[] = [];
    for (const entry of segment.entries) {
      const problem = ledgerEntryProblem(entry);
      if (problem) refused.push({ entry, reason: problem });
      else writable.push(entry);
    }
    try {
      if (writable.length > 0) await this.writer.append(writable, options);
    } catch (error) {
      if (!isRowError(error)) throw error;
      // One bad row fails its whole statement: write them one by one to find it (inserts are idempotent).
      for (const entry of writable) {
        try {
          await this.writer.append([entry]);
        } catch (rowError) {
          if (!isRowError(rowError)) throw rowError;
          refused.push({ entry, reason: (rowError as Error).message });
        }
      }
    }
    if (refused.length === 0) return;
    await this.quarantine.keep(refused, segment.path);
    for (const { entry, reason } of refused) {
      this.logger.error(
        { requestId: entry.requestId, tenantId: entry.tenantId, reason, quarantine: this.quarantine.path },
        'ledger refused a usage entry; kept in the quarantine file',
      );
    }
  }
}
