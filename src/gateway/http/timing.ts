import { performance } from 'node:perf_hooks';

/**
 * Splits a request's wall time into the time TokenHub spent and the time it waited on the upstream,
 * for the `server-timing` header.
 */
export class RequestTiming {
  readonly startedAt = performance.now();
  private upstreamMs = 0;
  private waitingSince: number | null = null;

  beginUpstreamWait(): void {
    this.waitingSince ??= performance.now();
  }

  endUpstreamWait(): void {
    if (this.waitingSince === null) return;
    this.upstreamMs += performance.now() - this.waitingSince;
    this.waitingSince = null;
  }

  async waitOn<T>(promise: Promise<T>): Promise<T> {
    this.beginUpstreamWait();
    try {
      return await promise;
    } finally {
      this.endUpstreamWait();
    }
  }

  /**
   * Iterates `source`, counting the time spent waiting for each item as upstream time. A plain iterator rather
   * than an async generator: a stream's every chunk passes through here, and a generator costs several promise
   * steps per item.
   */
  waitOnIterable<T>(source: AsyncIterable<T>): AsyncIterable<T> {
    return {
      [Symbol.asyncIterator]: (): AsyncIterator<T> => {
        const iterator = source[Symbol.asyncIterator]();
        const arrived = (result: IteratorResult<T>): IteratorResult<T> => {
          this.endUpstreamWait();
          return result;
        };
        const failed = (error: unknown): never => {
          this.endUpstreamWait();
          throw error;
        };
        return {
          next: () => {
            this.beginUpstreamWait();
            return iterator.next().then(arrived, failed);
          },
          return: async (value?: unknown): Promise<IteratorResult<T>> => {
            this.endUpstreamWait();
            await iterator.return?.();
            return { done: true, value: value as T };
          },
        };
      },
    };
  }

  elapsedMs(): number {
    return performance.now() - this.startedAt;
  }

  upstreamWaitMs(): number {
    return this.upstreamMs;
  }

  header(): string {
    const total = this.elapsedMs();
    const hub = Math.max(0, total - this.upstreamMs);
    return `hub;dur=${hub.toFixed(3)}, upstream;dur=${this.upstreamMs.toFixed(3)}`;
  }
}
