import type { LedgerCheck } from '../targets/hub-economy.js';
import type { Mode, PacedResult, SaturateResult, StreamsResult } from '../types.js';
import type { LaneId } from './lane.js';

export interface SaturationRun {
  mode: Mode;
  /** Closed-loop connections (1: sequential). */
  connections: number;
  rep: number;
  result: SaturateResult;
  /** Gateway CPU (user + system) per completed request, µs. */
  cpuUsPerRequest: number | null;
  ledger: LedgerCheck | null;
}

export interface LoadRun {
  mode: Mode;
  delayMs: number;
  rate: number;
  rep: number;
  result: PacedResult;
  cpuUsPerRequest: number | null;
  ledger: LedgerCheck | null;
}

export interface SkippedLoad {
  mode: Mode;
  delayMs: number;
  rate: number;
  reason: string;
}

export interface StreamsRecord {
  count: number;
  baselineMiB: number;
  peakMiB: number;
  /** Whether VmHWM could be reset before the test (else the peak may include start-up). */
  peakReset: boolean;
  result: StreamsResult;
}

export interface LaneFailure {
  mode: Mode | 'start';
  error: string;
}

export interface LaneResult {
  id: LaneId;
  label: string;
  economy: { credential: 'virtual-key' | 'admin-key' | 'none'; note: string | null };
  /** Throughput seen in the warm-up, per mode: sizes the saturation runs. */
  warmupRps: Partial<Record<Mode, number>>;
  saturation: SaturationRun[];
  loads: LoadRun[];
  skipped: SkippedLoad[];
  streams: StreamsRecord[];
  failures: LaneFailure[];
  notes: string[];
}

export function emptyLaneResult(id: LaneId, label: string): LaneResult {
  return {
    id,
    label,
    economy: { credential: 'none', note: null },
    warmupRps: {},
    saturation: [],
    loads: [],
    skipped: [],
    streams: [],
    failures: [],
    notes: [],
  };
}
