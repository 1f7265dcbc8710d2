import type { LaneSummary } from './summary.js';

/**
 * The fake upstream streams request n as 50 + n % 151 one-token chunks (bench/fake-upstream-server.ts), so a run
 * averages 125 chunks a stream; its JSON answer carries the same tokens in one body.
 */
export const MEAN_STREAM_CHUNKS = 125;

export interface PerChunk {
  id: LaneSummary['id'];
  label: string;
  /** Gateway CPU per request at the reference connections, JSON and SSE (medians), and their difference per chunk. */
  cpuJson: number;
  cpuStream: number;
  cpuPerChunk: number;
  /** Sequential p50 of SSE minus JSON, per chunk, minus Direct's (what the gateway adds to each chunk's time). */
  addedUsPerChunk: number | null;
}

const sequentialP50 = (lane: LaneSummary, mode: 'json' | 'stream'): number | undefined =>
  lane.modes[mode]?.byConnections.find((entry) => entry.connections === 1)?.p50.median;

/** What a stream costs per chunk over its JSON twin: gateway CPU at saturation, and added time when sequential. */
export function perChunkOverhead(summaries: LaneSummary[]): PerChunk[] {
  const direct = summaries.find((lane) => lane.id === 'direct');
  const directJson = direct ? sequentialP50(direct, 'json') : undefined;
  const directStream = direct ? sequentialP50(direct, 'stream') : undefined;
  const directPerChunk =
    directJson !== undefined && directStream !== undefined ? (directStream - directJson) / MEAN_STREAM_CHUNKS : undefined;
  return summaries.flatMap((lane): PerChunk[] => {
    const json = lane.modes.json;
    const stream = lane.modes.stream;
    if (!json || !stream || lane.id === 'direct') return [];
    const seqJson = sequentialP50(lane, 'json');
    const seqStream = sequentialP50(lane, 'stream');
    const perChunk = seqJson !== undefined && seqStream !== undefined ? (seqStream - seqJson) / MEAN_STREAM_CHUNKS : undefined;
    return [
      {
        id: lane.id,
        label: lane.label,
        cpuJson: json.cpuUsPerRequest.median,
        cpuStream: stream.cpuUsPerRequest.median,
        cpuPerChunk: (stream.cpuUsPerRequest.median - json.cpuUsPerRequest.median) / MEAN_STREAM_CHUNKS,
        addedUsPerChunk: perChunk !== undefined && directPerChunk !== undefined ? perChunk - directPerChunk : null,
      },
    ];
  });
}
