import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { CLIENT_CORE, freePort, spawnNode, stopChild, waitForHttp } from '../processes.js';

export interface UpstreamCounters {
  requests: number;
  reported: number;
  unreported: number;
  promptTokens: number;
  completionTokens: number;
}

/** A fake OpenAI upstream process (bench/fake-upstream-server.ts) and its control endpoints. */
export class UpstreamProcess {
  private readonly child: ChildProcess;
  readonly origin: string;

  private constructor(child: ChildProcess, origin: string) {
    this.child = child;
    this.origin = origin;
  }

  static async start(name: string, benchDir: string, logDir: string, extraArgs: string[] = []): Promise<UpstreamProcess> {
    const port = await freePort();
    const child = spawnNode(['--import', 'tsx', join(benchDir, 'fake-upstream-server.ts'), '--port', String(port), ...extraArgs], {
      core: CLIENT_CORE,
      logFile: join(logDir, `${name}.log`),
    });
    const origin = `http://127.0.0.1:${port}`;
    await waitForHttp(`${origin}/healthz`, child, 20_000);
    return new UpstreamProcess(child, origin);
  }

  async stats(): Promise<UpstreamCounters> {
    const response = await fetch(`${this.origin}/__stats`);
    return (await response.json()) as UpstreamCounters;
  }

  async reset(): Promise<void> {
    await fetch(`${this.origin}/__reset`, { method: 'POST' });
  }

  async setDelay(delayMs: number): Promise<void> {
    await fetch(`${this.origin}/__config`, { method: 'POST', body: JSON.stringify({ delayMs }) });
  }

  stop(): Promise<void> {
    return stopChild(this.child);
  }
}
