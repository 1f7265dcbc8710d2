import { setMaxListeners } from 'node:events';
import { Pool } from 'undici';
import { round } from '../stats.js';
import type { StreamsJob, StreamsResult } from '../types.js';

/** Holds `count` streams open at once: each is read to its end; `peakOpen` is the most open together. */
export async function runOpenStreams(job: StreamsJob): Promise<StreamsResult> {
  const target = new URL(job.request.url);
  // A generous connect timeout: a gateway slow to accept overflows its listen backlog, and SYN retries take seconds.
  const pool = new Pool(target.origin, {
    connections: job.count + 16,
    pipelining: 1,
    keepAliveTimeout: 60_000,
    connect: { timeout: 30_000 },
  });
  const headers = { ...job.request.headers, 'content-type': 'application/json' };
  const signal = AbortSignal.timeout(job.timeoutMs);
  setMaxListeners(job.count + 16, signal);
  let open = 0;
  let peakOpen = 0;
  let opened = 0;
  let completed = 0;
  let failed = 0;
  let firstError: string | null = null;
  const started = performance.now();

  const one = async (): Promise<void> => {
    try {
      const response = await pool.request({ method: 'POST', path: target.pathname, headers, body: job.request.body, signal });
      if (response.statusCode !== 200) {
        failed++;
        firstError ??= `HTTP ${response.statusCode}: ${(await response.body.text()).slice(0, 200)}`;
        return;
      }
      opened++;
      open++;
      peakOpen = Math.max(peakOpen, open);
      try {
        for await (const _chunk of response.body) {
          // reading is all that is needed
        }
        completed++;
      } finally {
        open--;
      }
    } catch (error) {
      failed++;
      firstError ??= error instanceof Error ? error.message : String(error);
    }
  };

  const all: Promise<void>[] = [];
  const perMs = job.count / Math.max(1, job.rampMs);
  for (let started = 0; started < job.count; ) {
    const batch = Math.max(1, Math.round(perMs * 10));
    for (let index = 0; index < batch && started < job.count; index++, started++) all.push(one());
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  await Promise.allSettled(all);
  await pool.destroy().catch(() => {});
  return {
    kind: 'streams',
    count: job.count,
    opened,
    completed,
    failed,
    peakOpen,
    wallS: round((performance.now() - started) / 1000, 2),
    firstError,
  };
}
