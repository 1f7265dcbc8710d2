import type { LaneId } from './lanes/lane.js';
import type { Mode } from './types.js';

/** How much to measure: `full` (npm run bench, ~12 min) or `quick` (npm run bench:quick, ~3 min). */
export interface Profile {
  name: 'full' | 'quick';
  lanes: LaneId[];
  /** Connections of the warm-up, the CPU profile and the charts (the reference saturation run). */
  connections: number;
  /** Closed-loop connections of the saturation runs: 1 is sequential (added latency per request). */
  saturationConnections: number[];
  warmupS: number;
  saturationS: number;
  saturationReps: number;
  /** Offered loads (RPS) at 0 ms upstream delay, per mode. */
  loads: Record<Mode, number[]>;
  /** Offered loads with the upstream answering in `delayMs`. */
  delayedLoads: Record<Mode, number[]>;
  delayMs: number;
  loadS: number;
  loadReps: number;
  /** Concurrent open streams for the memory test. */
  streamCounts: number[];
  /** Slow upstream used by that test: chunks and the interval between them. */
  slowChunks: number;
  slowChunkIntervalMs: number;
}

export const FULL: Profile = {
  name: 'full',
  lanes: ['direct', 'bare-proxy', 'tokenhub-pglite', 'tokenhub-machine', 'tokenhub-anthropic', 'tokenhub-postgres', 'portkey'],
  connections: 32,
  saturationConnections: [1, 32, 256],
  warmupS: 2,
  saturationS: 2,
  saturationReps: 3,
  // Streams at 100 RPS: a load every lane can take, for the time-to-first-byte target.
  loads: { json: [200, 1000, 2000], stream: [100, 500] },
  delayedLoads: { json: [1000], stream: [500] },
  delayMs: 50,
  loadS: 2,
  loadReps: 3,
  streamCounts: [1000, 5000],
  slowChunks: 25,
  slowChunkIntervalMs: 1000,
};

export const QUICK: Profile = {
  name: 'quick',
  lanes: ['direct', 'bare-proxy', 'tokenhub-pglite', 'tokenhub-postgres', 'portkey'],
  connections: 32,
  saturationConnections: [1, 32, 256],
  warmupS: 1,
  saturationS: 2,
  saturationReps: 1,
  loads: { json: [1000], stream: [100] },
  delayedLoads: { json: [], stream: [] },
  delayMs: 50,
  loadS: 2,
  loadReps: 1,
  streamCounts: [1000],
  slowChunks: 10,
  slowChunkIntervalMs: 1000,
};
