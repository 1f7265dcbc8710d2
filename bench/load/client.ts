import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { CLIENT_CORE, spawnNode, stopChild } from '../processes.js';
import type { LoadJob, PacedJob, PacedResult, SaturateJob, SaturateResult, StreamsJob, StreamsResult, WorkerReply } from '../types.js';

/** The orchestrator's handle on the load-generator process. */
export class LoadClient {
  private nextId = 1;
  private readonly waiting = new Map<number, { resolve: (reply: WorkerReply) => void; reject: (error: Error) => void }>();

  private readonly child: ChildProcess;

  private constructor(child: ChildProcess) {
    this.child = child;
    child.on('message', (reply: WorkerReply) => {
      this.waiting.get(reply.id)?.resolve(reply);
      this.waiting.delete(reply.id);
    });
    child.once('exit', (code) => {
      for (const waiter of this.waiting.values()) waiter.reject(new Error(`load worker exited (${code})`));
      this.waiting.clear();
    });
  }

  static start(benchDir: string, logDir: string): LoadClient {
    const child = spawnNode(['--import', 'tsx', join(benchDir, 'load', 'worker.ts')], {
      core: CLIENT_CORE,
      logFile: join(logDir, 'load-worker.log'),
      ipc: true,
    });
    return new LoadClient(child);
  }

  get pid(): number {
    return this.child.pid ?? 0;
  }

  private async send(job: LoadJob): Promise<unknown> {
    const id = this.nextId++;
    const reply = await new Promise<WorkerReply>((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.child.send({ id, job }, (error) => {
        if (error) reject(error);
      });
    });
    if (!reply.ok) throw new Error(`load job failed: ${reply.error}`);
    return reply.result;
  }

  paced(job: Omit<PacedJob, 'kind'>): Promise<PacedResult> {
    return this.send({ kind: 'paced', ...job }) as Promise<PacedResult>;
  }

  saturate(job: Omit<SaturateJob, 'kind'>): Promise<SaturateResult> {
    return this.send({ kind: 'saturate', ...job }) as Promise<SaturateResult>;
  }

  streams(job: Omit<StreamsJob, 'kind'>): Promise<StreamsResult> {
    return this.send({ kind: 'streams', ...job }) as Promise<StreamsResult>;
  }

  async close(): Promise<void> {
    this.child.disconnect?.();
    await stopChild(this.child, 2_000);
  }
}
