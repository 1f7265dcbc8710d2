import type { ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { freePort, GATEWAY_CORE, spawnNode, stopChild } from '../processes.js';

const require = createRequire(import.meta.url);

export function portkeyVersion(): string {
  const manifest = require('@portkey-ai/gateway/package.json') as { version: string };
  return manifest.version;
}

/**
 * Portkey's Node server (`build/start-server.js` of @portkey-ai/gateway), headless, pinned to the
 * gateway core. Requests name the provider and the fake upstream in `x-portkey-*` headers.
 */
export class PortkeyProcess {
  private readonly child: ChildProcess;
  readonly origin: string;
  private readonly logFile: string;

  private constructor(child: ChildProcess, origin: string, logFile: string) {
    this.child = child;
    this.origin = origin;
    this.logFile = logFile;
  }

  static async start(logDir: string): Promise<PortkeyProcess> {
    const manifestPath = require.resolve('@portkey-ai/gateway/package.json');
    const server = join(dirname(manifestPath), 'build', 'start-server.js');
    const port = await freePort();
    const logFile = join(logDir, 'portkey.log');
    const child = spawnNode([server, `--port=${port}`, '--headless'], { core: GATEWAY_CORE, logFile, env: { NODE_ENV: 'production' } });
    const origin = `http://127.0.0.1:${port}`;
    const deadline = Date.now() + 30_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`portkey exited (${child.exitCode}); see ${logFile}`);
      try {
        await fetch(`${origin}/`, { signal: AbortSignal.timeout(1_000) });
        break;
      } catch {
        if (Date.now() > deadline) throw new Error(`portkey did not answer on ${origin}`);
        await new Promise((resolve) => setTimeout(resolve, 150));
      }
    }
    return new PortkeyProcess(child, origin, logFile);
  }

  get pid(): number {
    return this.child.pid ?? 0;
  }

  static headers(upstreamOrigin: string): Record<string, string> {
    return {
      authorization: 'Bearer sk-bench',
      'x-portkey-provider': 'openai',
      'x-portkey-custom-host': `${upstreamOrigin}/v1`,
    };
  }

  /** The lines of its log that mention an error (for the report, when a lane fails). */
  async errorLines(limit = 5): Promise<string[]> {
    const text = await readFile(this.logFile, 'utf8').catch(() => '');
    return text
      .split('\n')
      .filter((line) => /error/i.test(line))
      .slice(0, limit)
      .map((line) => line.trim().slice(0, 300));
  }

  stop(): Promise<void> {
    return stopChild(this.child);
  }
}
