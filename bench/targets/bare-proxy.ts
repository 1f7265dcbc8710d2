import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { freePort, GATEWAY_CORE, spawnNode, stopChild, waitForHttp } from '../processes.js';

/** The bare fastify+undici pass-through (bench/bare-proxy.ts), pinned to the gateway core. */
export class BareProxyProcess {
  private readonly child: ChildProcess;
  readonly origin: string;

  private constructor(child: ChildProcess, origin: string) {
    this.child = child;
    this.origin = origin;
  }

  static async start(name: string, upstreamOrigin: string, benchDir: string, logDir: string): Promise<BareProxyProcess> {
    const port = await freePort();
    const child = spawnNode(['--import', 'tsx', join(benchDir, 'bare-proxy.ts'), '--port', String(port), '--upstream', upstreamOrigin], {
      core: GATEWAY_CORE,
      logFile: join(logDir, `${name}.log`),
    });
    const origin = `http://127.0.0.1:${port}`;
    await waitForHttp(`${origin}/healthz`, child, 20_000);
    return new BareProxyProcess(child, origin);
  }

  get pid(): number {
    return this.child.pid ?? 0;
  }

  stop(): Promise<void> {
    return stopChild(this.child);
  }
}
