import type { ChildProcess } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { freePort, GATEWAY_CORE, spawnNode, stopChild, waitForHttp } from '../processes.js';

export const BENCH_MODEL = 'bench-model';
export const SLOW_MODEL = 'bench-slow';
/** USD per million tokens, chosen so every cost is an exact number of picodollars. */
export const PRICE_INPUT_PER_MTOK = '1.5';
export const PRICE_OUTPUT_PER_MTOK = '2.5';
export const ADMIN_KEY = 'thadm_bench_admin_key_0123456789abcdef';

export interface HubStartOptions {
  name: string;
  rootDir: string;
  logDir: string;
  dataDir: string;
  upstreamOrigin: string;
  slowUpstreamOrigin: string;
  databaseUrl?: string;
  redisUrl?: string;
  /** Writes a V8 CPU profile into this folder when the hub exits. */
  cpuProfDir?: string;
  /** `economy.durability` (default: the hub's own, `process`). */
  durability?: 'process' | 'machine';
}

/** The config every TokenHub lane runs with: one fast model (priced) and one slow-streaming model over two pools. */
export function hubConfig(
  upstreamOrigin: string,
  slowUpstreamOrigin: string,
  port: number,
  durability?: 'process' | 'machine',
): Record<string, unknown> {
  const pricing = { input_per_mtok: PRICE_INPUT_PER_MTOK, output_per_mtok: PRICE_OUTPUT_PER_MTOK };
  return {
    server: { host: '127.0.0.1', port },
    ...(durability ? { economy: { durability } } : {}),
    providers: [
      { id: 'fake', type: 'openai', base_url: `${upstreamOrigin}/v1`, api_key: 'sk-bench', max_connections: 1024 },
      // Two pools to the same slow upstream: 5,000 open streams exceed one pool's 4,096 connections.
      { id: 'slow-a', type: 'openai', base_url: `${slowUpstreamOrigin}/v1`, api_key: 'sk-bench', max_connections: 4096 },
      { id: 'slow-b', type: 'openai', base_url: `${slowUpstreamOrigin}/v1`, api_key: 'sk-bench', max_connections: 4096 },
    ],
    models: [
      { name: BENCH_MODEL, targets: [{ provider: 'fake', model: 'fake-model' }], pricing, max_output_tokens: 512 },
      {
        name: SLOW_MODEL,
        targets: [
          { provider: 'slow-a', model: 'fake-slow' },
          { provider: 'slow-b', model: 'fake-slow' },
        ],
        pricing,
        max_output_tokens: 512,
      },
    ],
  };
}

/** A TokenHub process started the way users start it: `node dist/cli/index.js start --config … --port … --data-dir …`. */
export class HubProcess {
  private readonly child: ChildProcess;
  readonly origin: string;

  private constructor(child: ChildProcess, origin: string) {
    this.child = child;
    this.origin = origin;
  }

  static async start(options: HubStartOptions): Promise<HubProcess> {
    const port = await freePort();
    const configFile = join(options.dataDir, `${options.name}.config.json`);
    // JSON is YAML: the loader reads it as is.
    await writeFile(
      configFile,
      JSON.stringify(hubConfig(options.upstreamOrigin, options.slowUpstreamOrigin, port, options.durability), null, 2),
    );
    const nodeArgs = options.cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${options.cpuProfDir}`] : [];
    const child = spawnNode(
      [
        ...nodeArgs,
        join(options.rootDir, 'dist', 'cli', 'index.js'),
        'start',
        '--config',
        configFile,
        '--port',
        String(port),
        '--data-dir',
        options.dataDir,
      ],
      {
        core: GATEWAY_CORE,
        logFile: join(options.logDir, `${options.name}.log`),
        env: {
          TOKENHUB_ADMIN_KEY: ADMIN_KEY,
          TOKENHUB_DATABASE_URL: options.databaseUrl ?? '',
          TOKENHUB_REDIS_URL: options.redisUrl ?? '',
        },
      },
    );
    const origin = `http://127.0.0.1:${port}`;
    await waitForHttp(`${origin}/readyz`, child, 90_000);
    return new HubProcess(child, origin);
  }

  get pid(): number {
    return this.child.pid ?? 0;
  }

  /** SIGTERM: the hub drains and exits (which is also when --cpu-prof writes its profile). */
  stop(): Promise<void> {
    return stopChild(this.child, 30_000);
  }
}
