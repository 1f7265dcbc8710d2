import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Profile } from '../profile.js';
import { BareProxyProcess } from '../targets/bare-proxy.js';
import { benchRedisUrl, cleanBenchRedis, createBenchDatabase, postgresReachable, redisReachable } from '../targets/databases.js';
import { ADMIN_KEY, BENCH_MODEL, HubProcess, SLOW_MODEL } from '../targets/hub.js';
import { PortkeyProcess } from '../targets/portkey.js';
import type { UpstreamProcess } from '../targets/upstream.js';
import { anthropicRequest, bearer, type Lane, type LaneId, openaiRequest } from './lane.js';
import type { LaneRun } from './measure.js';
import { emptyLaneResult, type LaneResult } from './results.js';

export interface LaneEnvironment {
  profile: Profile;
  rootDir: string;
  benchDir: string;
  logDir: string;
  workDir: string;
  upstream: UpstreamProcess;
  slowUpstream: UpstreamProcess;
  log: (line: string) => void;
  /** `--baseline`: a folder holding another build's `dist/`, run as the `tokenhub-baseline` lane (A/B in one run). */
  baselineDir?: string;
  /** Registers work to undo at the end (also on Ctrl-C). */
  onCleanup: (step: () => Promise<void>) => void;
}

export interface StartedLanes {
  runs: LaneRun[];
  /** Lanes that could not start, with why. */
  failed: LaneResult[];
  /** Data folder of the PGlite hub, reused for the CPU profile run. */
  pgliteDataDir: string | null;
  stop(): Promise<void>;
}

const LABELS: Record<LaneId, string> = {
  direct: 'Direct (load generator → fake upstream)',
  'bare-proxy': 'Bare Node proxy (fastify + undici)',
  'tokenhub-pglite': 'TokenHub (PGlite, all features on)',
  'tokenhub-baseline': 'TokenHub baseline build (PGlite, all features on)',
  'tokenhub-machine': 'TokenHub (PGlite, all features on, durability: machine)',
  'tokenhub-postgres': 'TokenHub (PostgreSQL + Redis, all features on)',
  'tokenhub-anthropic': 'TokenHub, Anthropic client → OpenAI upstream',
  portkey: 'Portkey gateway (@portkey-ai/gateway)',
};

const asRun = (lane: Lane, extra: Partial<LaneRun> = {}): LaneRun => ({
  lane,
  result: emptyLaneResult(lane.id, lane.label),
  modes: [],
  ...extra,
});

export function hubLane(id: LaneId, hub: HubProcess): Lane {
  return {
    id,
    label: LABELS[id],
    gatewayPid: hub.pid,
    modes: ['json', 'stream'],
    request: (mode, credential) => openaiRequest(hub.origin, BENCH_MODEL, mode, bearer(credential)),
    hubOrigin: hub.origin,
    defaultCredential: ADMIN_KEY,
    slowStream: (credential) => openaiRequest(hub.origin, SLOW_MODEL, 'stream', bearer(credential)),
  };
}

async function anthropicLane(hub: HubProcess, env: LaneEnvironment): Promise<LaneRun | LaneResult> {
  const lane: Lane = {
    id: 'tokenhub-anthropic',
    label: LABELS['tokenhub-anthropic'],
    gatewayPid: hub.pid,
    modes: ['json', 'stream'],
    request: (mode, credential) => anthropicRequest(hub.origin, BENCH_MODEL, mode, credential),
    hubOrigin: hub.origin,
    defaultCredential: ADMIN_KEY,
    slowStream: null,
  };
  const spec = lane.request('json', ADMIN_KEY);
  const probe = await fetch(spec.url, {
    method: 'POST',
    headers: { ...spec.headers, 'content-type': 'application/json' },
    body: spec.body,
  });
  await probe.arrayBuffer();
  if (probe.status === 404) {
    const result = emptyLaneResult(lane.id, lane.label);
    result.notes.push('skipped: POST /v1/messages answered 404 (the Anthropic surface is not registered in this build)');
    env.log('lane tokenhub-anthropic: skipped (POST /v1/messages → 404)');
    return result;
  }
  return asRun(lane, { loads: { json: [1000], stream: [500] }, delayedLoads: { json: [], stream: [] } });
}

/** Starts every lane's processes up front (idle ones cost nothing) so repetitions can be interleaved. */
export async function startLanes(env: LaneEnvironment): Promise<StartedLanes> {
  const { profile, upstream, slowUpstream } = env;
  const runs: LaneRun[] = [];
  const failed: LaneResult[] = [];
  const stoppers: (() => Promise<void>)[] = [];
  let pgliteDataDir: string | null = null;

  const startHub = async (id: 'tokenhub-pglite' | 'tokenhub-baseline' | 'tokenhub-machine' | 'tokenhub-postgres'): Promise<HubProcess> => {
    const dataDir = join(env.workDir, id);
    await mkdir(dataDir, { recursive: true });
    let databaseUrl: string | undefined;
    if (id === 'tokenhub-postgres') {
      if (!(await postgresReachable()) || !(await redisReachable()))
        throw new Error('PostgreSQL at 127.0.0.1:5432 or Redis at 127.0.0.1:6379 is not reachable');
      const database = await createBenchDatabase();
      env.onCleanup(database.drop);
      env.onCleanup(cleanBenchRedis);
      databaseUrl = database.url;
    }
    const hub = await HubProcess.start({
      name: id,
      rootDir: id === 'tokenhub-baseline' ? (env.baselineDir ?? env.rootDir) : env.rootDir,
      logDir: env.logDir,
      dataDir,
      upstreamOrigin: upstream.origin,
      slowUpstreamOrigin: slowUpstream.origin,
      ...(databaseUrl ? { databaseUrl, redisUrl: benchRedisUrl() } : {}),
      ...(id === 'tokenhub-machine' ? { durability: 'machine' as const } : {}),
    });
    stoppers.push(() => hub.stop());
    if (id === 'tokenhub-pglite') pgliteDataDir = dataDir;
    return hub;
  };

  const largest = [Math.max(...profile.streamCounts)];
  const startOne = async (id: LaneId): Promise<LaneRun[]> => {
    switch (id) {
      case 'direct':
        return [
          asRun({
            id,
            label: LABELS[id],
            gatewayPid: null,
            modes: ['json', 'stream'],
            request: (mode, credential) => openaiRequest(upstream.origin, 'fake-model', mode, bearer(credential)),
            hubOrigin: null,
            defaultCredential: 'sk-bench',
            slowStream: null,
          }),
        ];
      case 'bare-proxy': {
        const bare = await BareProxyProcess.start('bare-proxy', upstream.origin, env.benchDir, env.logDir);
        stoppers.push(() => bare.stop());
        const slowBare = await BareProxyProcess.start('bare-proxy-slow', slowUpstream.origin, env.benchDir, env.logDir);
        stoppers.push(() => slowBare.stop());
        const lane: Lane = {
          id,
          label: LABELS[id],
          gatewayPid: bare.pid,
          modes: ['json', 'stream'],
          request: (mode, credential) => openaiRequest(bare.origin, 'fake-model', mode, bearer(credential)),
          hubOrigin: null,
          defaultCredential: 'sk-bench',
          slowStream: (credential) => openaiRequest(slowBare.origin, 'fake-slow', 'stream', bearer(credential)),
          slowStreamPid: slowBare.pid,
        };
        return [asRun(lane, { streamCounts: largest })];
      }
      case 'tokenhub-pglite':
      case 'tokenhub-postgres': {
        const hub = await startHub(id);
        const own = asRun(hubLane(id, hub), id === 'tokenhub-postgres' ? { streamCounts: largest } : {});
        if (id !== 'tokenhub-pglite' || !profile.lanes.includes('tokenhub-anthropic')) return [own];
        const anthropic = await anthropicLane(hub, env);
        if ('lane' in anthropic) return [own, anthropic];
        failed.push(anthropic);
        return [own];
      }
      case 'tokenhub-machine':
        // The durability mode changes nothing about holding streams open: not measured twice.
        return [asRun(hubLane(id, await startHub(id)), { streamCounts: [] })];
      case 'tokenhub-baseline': {
        if (!env.baselineDir) throw new Error('the baseline lane needs --baseline <folder holding a dist/>');
        return [asRun(hubLane(id, await startHub(id)))];
      }
      case 'tokenhub-anthropic':
        return []; // runs on the PGlite hub
      case 'portkey': {
        const portkey = await PortkeyProcess.start(env.logDir);
        stoppers.push(() => portkey.stop());
        const lane: Lane = {
          id,
          label: LABELS[id],
          gatewayPid: portkey.pid,
          modes: ['json', 'stream'],
          request: (mode) => openaiRequest(portkey.origin, 'fake-model', mode, PortkeyProcess.headers(upstream.origin)),
          hubOrigin: null,
          defaultCredential: 'sk-bench',
          slowStream: null,
          errorLines: () => portkey.errorLines(),
        };
        return [asRun(lane)];
      }
    }
  };

  // Started side by side (start-up is mostly PGlite's initdb), kept in the profile's order.
  const started = await Promise.all(
    profile.lanes.map((id) =>
      startOne(id).catch((error: unknown): LaneRun[] => {
        const message = error instanceof Error ? error.message : String(error);
        env.log(`lane ${id} could not start: ${message}`);
        const result = emptyLaneResult(id, LABELS[id]);
        result.failures.push({ mode: 'start', error: message });
        failed.push(result);
        return [];
      }),
    ),
  );
  runs.push(...started.flat());
  return {
    runs,
    failed,
    pgliteDataDir,
    async stop() {
      await Promise.allSettled(stoppers.map((stop) => stop()));
    },
  };
}
