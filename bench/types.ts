/** Shared shapes of the benchmark: jobs sent to the load-generator process and the results it returns. */

export type Mode = 'json' | 'stream';

/** Latency summary in microseconds. */
export interface Percentiles {
  count: number;
  mean: number;
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
}

/** One HTTP request the generator repeats. */
export interface RequestSpec {
  url: string;
  headers: Record<string, string>;
  body: string;
}

/** Open-loop load at a fixed offered rate; latency measured from the intended send time (no coordinated omission). */
export interface PacedJob {
  kind: 'paced';
  request: RequestSpec;
  stream: boolean;
  rate: number;
  durationS: number;
  connections: number;
  /** Requests beyond this many in flight are counted as dropped rather than queued without bound. */
  maxInFlight: number;
}

export interface PacedResult {
  kind: 'paced';
  offeredRps: number;
  achievedRps: number;
  sent: number;
  ok: number;
  non2xx: number;
  errors: number;
  dropped: number;
  latencyUs: Percentiles;
  /** Time to the first body chunk (streams). */
  ttfbUs: Percentiles | null;
  wallS: number;
  firstError: string | null;
}

/** Closed-loop saturation with autocannon: `connections` clients, each sending back to back. */
export interface SaturateJob {
  kind: 'saturate';
  request: RequestSpec;
  connections: number;
  /** Stop after this many responses (clean end: nothing in flight is cut) ... */
  amount: number | null;
  /** ... or after this long (always the cap). */
  durationS: number;
}

export interface SaturateResult {
  kind: 'saturate';
  rps: number;
  ok: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  latencyUs: Percentiles;
  wallS: number;
  /** True when the duration cap cut requests in flight. */
  cut: boolean;
}

/** Opens `count` long streams at once (spread over `rampMs`) and reads them to the end. */
export interface StreamsJob {
  kind: 'streams';
  request: RequestSpec;
  count: number;
  rampMs: number;
  timeoutMs: number;
}

export interface StreamsResult {
  kind: 'streams';
  count: number;
  opened: number;
  completed: number;
  failed: number;
  peakOpen: number;
  wallS: number;
  firstError: string | null;
}

export type LoadJob = PacedJob | SaturateJob | StreamsJob;
export type LoadResult = PacedResult | SaturateResult | StreamsResult;

export interface WorkerRequest {
  id: number;
  job: LoadJob;
}

export type WorkerReply = { id: number; ok: true; result: LoadResult } | { id: number; ok: false; error: string };
