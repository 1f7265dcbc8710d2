import { HubError } from '../../core/index.js';

/** Frees a slot; safe to call more than once. */
export type ReleaseSlot = () => void;

interface Waiter {
  grant(release: ReleaseSlot): void;
  fail(error: unknown): void;
}

/**
 * Decode slots of one loaded model: up to `parallel` requests hold a context sequence at once, up to
 * `maxQueue` more wait in FIFO order, and anything beyond is refused at once (503) rather than piling up
 * unbounded work behind a CPU-bound engine. A waiter whose signal aborts leaves the queue immediately.
 */
export class SlotQueue {
  private readonly parallel: number;
  private readonly maxQueue: number;
  private readonly label: string;
  private readonly waiters: Waiter[] = [];
  private held = 0;
  private readonly onIdle: () => void;

  constructor(options: { parallel: number; maxQueue: number; label: string; onIdle?: () => void }) {
    this.parallel = options.parallel;
    this.maxQueue = options.maxQueue;
    this.label = options.label;
    this.onIdle = options.onIdle ?? (() => {});
  }

  get active(): number {
    return this.held;
  }

  get queued(): number {
    return this.waiters.length;
  }

  acquire(signal: AbortSignal): Promise<ReleaseSlot> {
    if (signal.aborted) return Promise.reject(signal.reason ?? new HubError('CLIENT_CLOSED', 'client closed the request'));
    if (this.held < this.parallel) {
      this.held++;
      return Promise.resolve(this.releaser());
    }
    if (this.waiters.length >= this.maxQueue) {
      return Promise.reject(
        new HubError(
          'OVERLOADED',
          `local model ${this.label} is busy: ${this.parallel} request(s) decoding and ${this.waiters.length} queued (max_queue ${this.maxQueue}); retry later`,
          { retryAfterSeconds: 1 },
        ),
      );
    }
    return new Promise<ReleaseSlot>((resolve, reject) => {
      const onAbort = (): void => {
        const index = this.waiters.indexOf(waiter);
        if (index !== -1) this.waiters.splice(index, 1);
        reject(signal.reason ?? new HubError('CLIENT_CLOSED', 'client closed the request'));
      };
      const waiter: Waiter = {
        grant: (release) => {
          signal.removeEventListener('abort', onAbort);
          resolve(release);
        },
        fail: (error) => {
          signal.removeEventListener('abort', onAbort);
          reject(error);
        },
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.waiters.push(waiter);
    });
  }

  /** Refuses every waiter (the model is closing). */
  rejectAll(error: unknown): void {
    for (const waiter of this.waiters.splice(0)) waiter.fail(error);
  }

  private releaser(): ReleaseSlot {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiters.shift();
      // The slot passes straight to the next waiter, so a newcomer can never overtake the queue.
      if (next) next.grant(this.releaser());
      else {
        this.held--;
        if (this.held === 0) this.onIdle();
      }
    };
  }
}
