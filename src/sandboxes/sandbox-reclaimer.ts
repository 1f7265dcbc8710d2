import type { Database } from '../storage/index.js';
import { SandboxSweepRepository } from '../storage/index.js';
import type { SandboxService } from './sandbox-service.js';

export interface ReclaimerLogger {
  warn(object: Record<string, unknown>, message: string): void;
}

/**
 * Every replica sweeps: sandboxes idle past their timeout are ended (their process or VM freed, their storage
 * billed), and storage that has gone an hour unbilled is billed. Ending is idempotent, so two replicas
 * sweeping the same sandbox end it once.
 */
export class SandboxReclaimer {
  private readonly sweep: SandboxSweepRepository;
  private readonly service: SandboxService;
  private readonly logger: ReclaimerLogger;
  private readonly everyMs: number;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(options: { db: Database; service: SandboxService; logger: ReclaimerLogger; everyMs?: number }) {
    this.sweep = new SandboxSweepRepository(options.db);
    this.service = options.service;
    this.logger = options.logger;
    this.everyMs = options.everyMs ?? 5_000;
  }

  start(): void {
    this.timer ??= setInterval(() => {
      this.running ??= this.tick()
        .then(() => {})
        .finally(() => {
          this.running = undefined;
        });
    }, this.everyMs);
    this.timer.unref();
  }

  /** One sweep: returns how many sandboxes it ended. */
  async tick(now = new Date()): Promise<number> {
    let ended = 0;
    try {
      for (const record of await this.sweep.expired(now, 100)) {
        await this.service.delete(record.tenantId, record.id, 'expired');
        ended += 1;
      }
      await this.service.billDueStorage(this.sweep);
    } catch (error) {
      this.logger.warn({ err: error }, 'sandbox sweep failed; it runs again shortly');
    }
    return ended;
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }
}
