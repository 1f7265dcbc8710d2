import autocannon from 'autocannon';
import { percentiles, round, SampleBuffer } from '../stats.js';
import type { SaturateJob, SaturateResult } from '../types.js';

/**
 * Closed-loop saturation with autocannon. Latencies are taken from its `response` events (float ms)
 * because its own histogram keeps whole milliseconds, too coarse for a gateway's added microseconds.
 * With `amount` the run ends cleanly after that many responses; the duration is only a cap.
 */
export async function runSaturate(job: SaturateJob): Promise<SaturateResult> {
  const latency = new SampleBuffer();
  let ok = 0;
  let non2xx = 0;
  let cut = false;
  const started = performance.now();
  // autocannon ends a run on its one-second ticker, up to a second after the last response (measured: responses
  // over 1.05 s, the run "done" at 2.01 s), which halved some rates: a run lasts until its last response.
  let lastResponseAt = started;
  let firstResponseAt: number | null = null;
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      {
        url: job.request.url,
        method: 'POST',
        headers: { ...job.request.headers, 'content-type': 'application/json' },
        body: job.request.body,
        connections: job.connections,
        pipelining: 1,
        timeout: 15,
        ...(job.amount ? { amount: Math.max(job.amount, job.connections) } : { duration: job.durationS }),
      },
      (error: unknown, finished: autocannon.Result) =>
        error ? reject(error instanceof Error ? error : new Error(String(error))) : resolve(finished),
    );
    instance.on('response', (_client, statusCode, _bytes, responseTime) => {
      lastResponseAt = performance.now();
      firstResponseAt ??= lastResponseAt;
      if (statusCode >= 200 && statusCode < 300) {
        ok++;
        latency.push(responseTime * 1000);
      } else {
        non2xx++;
      }
    });
    if (job.amount) {
      const cap = setTimeout(() => {
        cut = true;
        instance.stop();
      }, job.durationS * 1000);
      instance.on('done', () => clearTimeout(cap));
    }
  });
  const wallS = (lastResponseAt - started) / 1000;
  // The rate over the responses themselves (first to last): the time before the first response (autocannon
  // connecting, a gateway's first request) is not a rate the gateway sustains.
  const answered = ok + non2xx;
  const spanS = firstResponseAt !== null && answered > 1 ? (lastResponseAt - firstResponseAt) / 1000 : wallS;
  const rps = answered > 1 && spanS > 0 ? (ok * (answered - 1)) / answered / spanS : ok / wallS;
  return {
    kind: 'saturate',
    rps: round(rps),
    ok,
    non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    latencyUs: percentiles(latency.values()),
    wallS: round(wallS, 2),
    cut: cut || !job.amount,
  };
}
