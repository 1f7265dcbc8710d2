import { Pool } from 'undici';
import { percentiles, round, SampleBuffer } from '../stats.js';
import type { PacedJob, PacedResult } from '../types.js';

const nowNs = (): bigint => process.hrtime.bigint();

/**
 * Open-loop load at a fixed rate (wrk2 style): request i is due at start + i/rate whether or not earlier
 * ones have answered, and its latency counts from that due time, so a stalled server cannot hide its
 * queueing (coordinated omission). Timer ticks are ~1 ms; every request already due is sent on a tick.
 */
export async function runPaced(job: PacedJob): Promise<PacedResult> {
  const target = new URL(job.request.url);
  const pool = new Pool(target.origin, { connections: job.connections, pipelining: 1, keepAliveTimeout: 60_000 });
  const total = Math.max(1, Math.round(job.rate * job.durationS));
  const intervalNs = 1e9 / job.rate;
  const latency = new SampleBuffer();
  const ttfb = new SampleBuffer();
  const headers = { ...job.request.headers, 'content-type': 'application/json' };
  let next = 0;
  let inFlight = 0;
  let ok = 0;
  let non2xx = 0;
  let errors = 0;
  let dropped = 0;
  let firstError: string | null = null;
  const pending = new Set<Promise<void>>();
  const start = nowNs() + 5_000_000n;

  const fire = async (dueNs: bigint): Promise<void> => {
    try {
      const response = await pool.request({ method: 'POST', path: target.pathname, headers, body: job.request.body });
      let first = true;
      for await (const _chunk of response.body) {
        if (first && job.stream) ttfb.push(Number(nowNs() - dueNs) / 1000);
        first = false;
      }
      if (response.statusCode >= 200 && response.statusCode < 300) {
        ok++;
        latency.push(Number(nowNs() - dueNs) / 1000);
      } else {
        non2xx++;
        firstError ??= `HTTP ${response.statusCode}`;
      }
    } catch (error) {
      errors++;
      firstError ??= error instanceof Error ? error.message : String(error);
    }
  };

  await new Promise<void>((resolve) => {
    const tick = (): void => {
      const now = nowNs();
      while (next < total) {
        const due = start + BigInt(Math.round(next * intervalNs));
        if (due > now) break;
        next++;
        if (inFlight >= job.maxInFlight) {
          dropped++;
          continue;
        }
        inFlight++;
        const promise = fire(due).finally(() => {
          inFlight--;
          pending.delete(promise);
        });
        pending.add(promise);
      }
      if (next < total) setTimeout(tick, 1);
      else resolve();
    };
    setTimeout(tick, 5);
  });
  await Promise.race([Promise.allSettled([...pending]), new Promise((resolve) => setTimeout(resolve, 15_000))]);
  const wallS = Number(nowNs() - start) / 1e9;
  await pool.destroy();
  return {
    kind: 'paced',
    offeredRps: job.rate,
    achievedRps: round(ok / wallS),
    sent: total - dropped,
    ok,
    non2xx,
    errors,
    dropped,
    latencyUs: percentiles(latency.values()),
    ttfbUs: job.stream ? percentiles(ttfb.values()) : null,
    wallS: round(wallS, 2),
    firstError,
  };
}
