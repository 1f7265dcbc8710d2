import type { CodeCall, CodeResult, ProviderCallContext, ProviderSandbox, SandboxProvider } from '../provider.js';
import { SandboxProcess } from './sandbox-process.js';

/**
 * Sandboxes on this hub: one interpreter process per sandbox, started on its first call and kept while it
 * lives, so variables persist between calls. A process killed at a limit is started afresh on the next call.
 */
export class LocalSandboxProvider implements SandboxProvider {
  readonly name = 'local' as const;
  private readonly processes = new Map<string, Promise<SandboxProcess>>();
  /** A process idle for its sandbox's timeout is stopped, wherever the sandbox was ended (another replica may have). */
  private readonly idleTimers = new Map<string, NodeJS.Timeout>();
  private closed = false;

  holds(sandboxId: string): boolean {
    return this.processes.has(sandboxId);
  }

  /** How many interpreter processes are running (for metrics and tests). */
  get running(): number {
    return this.processes.size;
  }

  private async processFor(sandbox: ProviderSandbox, context: ProviderCallContext): Promise<{ process: SandboxProcess; fresh: boolean }> {
    const existing = this.processes.get(sandbox.id);
    if (existing) {
      const process = await existing.catch(() => undefined);
      if (process?.alive) return { process, fresh: false };
      this.processes.delete(sandbox.id);
    }
    if (this.closed) throw new Error('the sandbox provider is closed');
    const started = SandboxProcess.start({ onFetch: (request) => context.fetch(request) });
    this.processes.set(sandbox.id, started);
    started.catch(() => this.processes.delete(sandbox.id));
    return { process: await started, fresh: true };
  }

  async run(sandbox: ProviderSandbox, call: CodeCall, context: ProviderCallContext): Promise<CodeResult> {
    const { process, fresh } = await this.processFor(sandbox, context);
    const manifest = context.files.manifest;
    const missing = Object.keys(manifest).filter((path) => process.held.get(path) !== manifest[path]);
    for (const path of process.held.keys()) if (!(path in manifest)) process.forget(path);
    const files = await context.files.load(missing);
    this.clearIdle(sandbox.id);
    const result = await process.run({ ...call, limits: sandbox.limits, network: sandbox.network, manifest, files });
    if (!process.alive) this.processes.delete(sandbox.id);
    else this.stopWhenIdle(sandbox);
    // A sandbox whose earlier process is gone (killed at a limit, or the hub restarted) starts with fresh state.
    return { ...result, stateReset: result.stateReset || (fresh && sandbox.calls > 0) };
  }

  /** Tells the sandbox's process the versions the hub gave the files its last call wrote. */
  acknowledge(sandboxId: string, versions: Record<string, string>): void {
    void this.processes.get(sandboxId)?.then(
      (process) => process.acknowledge(versions),
      () => {},
    );
  }

  private clearIdle(sandboxId: string): void {
    clearTimeout(this.idleTimers.get(sandboxId));
    this.idleTimers.delete(sandboxId);
  }

  private stopWhenIdle(sandbox: ProviderSandbox): void {
    const timer = setTimeout(() => {
      this.idleTimers.delete(sandbox.id);
      void this.release(sandbox);
    }, sandbox.timeoutS * 1000);
    timer.unref();
    this.idleTimers.set(sandbox.id, timer);
  }

  async release(sandbox: ProviderSandbox): Promise<void> {
    this.clearIdle(sandbox.id);
    const process = this.processes.get(sandbox.id);
    this.processes.delete(sandbox.id);
    await (await process?.catch(() => undefined))?.stop();
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const timer of this.idleTimers.values()) clearTimeout(timer);
    this.idleTimers.clear();
    const all = [...this.processes.values()];
    this.processes.clear();
    await Promise.all(all.map(async (process) => (await process.catch(() => undefined))?.stop()));
  }
}
