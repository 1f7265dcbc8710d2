import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { CodeLanguage, SandboxLimits } from '../limits.js';
import type { CodeResult, SandboxFetchAnswer as FetchAnswer, SandboxFetch as FetchAsk, GuestError } from '../provider.js';

const CHILD_ENTRY = join(dirname(fileURLToPath(import.meta.url)), 'child', 'sandbox-child.mjs');
let childSource: string | undefined;
/** Calls running in every sandbox process of this hub, against the cores they share. */
let callsInFlight = 0;
const CORES = availableParallelism();
const SETPRIV = ['/usr/bin/setpriv', '/bin/setpriv'].find((path) => existsSync(path));
/** How often a running call's CPU time and memory are read from /proc. */
const WATCH_INTERVAL_MS = 20;
/** Linux's USER_HZ: /proc reports CPU time in these ticks on every architecture Node runs on. */
const CLOCK_TICKS_PER_SECOND = 100;
const PAGE_BYTES = 4096;
/** Node, QuickJS and Pyodide's own heap, beyond which the code's memory limit counts. */
const JS_HEAP_MB = 256;
/** Loading Pyodide takes 2-4 s of CPU on these machines; a load that takes this long is stuck. */
const LOAD_LIMIT_MS = 60_000;

export interface ChildFileSet {
  /** Every file of the sandbox with its version: the child drops what is not here. */
  manifest: Record<string, string>;
  /** The contents of the files the child does not hold at their version. */
  files: Record<string, Uint8Array>;
}

export interface ChildRunRequest extends ChildFileSet {
  language: CodeLanguage;
  code: string;
  limits: SandboxLimits;
  network: boolean;
}

/** What one call did, as the provider reports it (`stateReset`: the process was killed at a limit). */
export type ChildRunResult = Omit<CodeResult, 'remoteId'>;

const packageDir = (name: string): string => {
  const require = createRequire(import.meta.url);
  return dirname(require.resolve(`${name}/package.json`));
};

function interpreterPaths(): { quickjsUrl: string; pyodideUrl: string; readable: string[] } {
  const require = createRequire(import.meta.url);
  const quickjs = require.resolve('quickjs-emscripten');
  const pyodide = join(packageDir('pyodide'), 'pyodide.mjs');
  // The packages' folder: QuickJS loads its WebAssembly variant from a sibling package. (Node 20's permission
  // model mishandles several wildcard paths under one parent, so the child's own code comes in as `-e`.)
  const readable = [...new Set([dirname(packageDir('quickjs-emscripten')), dirname(packageDir('pyodide'))])];
  return {
    quickjsUrl: pathToFileURL(quickjs.replace(/\.cjs$|\.js$/, '.mjs')).href,
    pyodideUrl: pathToFileURL(pyodide).href,
    readable,
  };
}

/** CPU time (ms) and resident memory (bytes) of a process, from /proc; undefined where there is no /proc. */
async function usageOf(pid: number): Promise<{ cpuMs: number; rssBytes: number } | undefined> {
  try {
    const [stat, statm] = await Promise.all([readFile(`/proc/${pid}/stat`, 'utf8'), readFile(`/proc/${pid}/statm`, 'utf8')]);
    // Fields after the command name (which may hold spaces) start after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    const resident = Number(statm.split(' ')[1]);
    return { cpuMs: (ticks * 1000) / CLOCK_TICKS_PER_SECOND, rssBytes: resident * PAGE_BYTES };
  } catch {
    return undefined;
  }
}

type ChildMessage =
  | { type: 'ready'; rssBytes: number }
  | { type: 'loading' }
  | { type: 'baseline'; rssBytes: number }
  | ({ type: 'ask'; id: number; ask: 'fetch' } & FetchAsk)
  | ({ type: 'result'; id: number; failure?: string; rssBytes?: number } & Partial<Omit<ChildRunResult, 'stateReset'>>);

/**
 * One local sandbox's interpreter process, seen from the hub: it starts the child under Node's permission
 * model, sends it calls one at a time, and kills it when a call passes its CPU time, memory or wall-clock
 * limit (watched from outside, so no code in the child can stop the watch).
 */
export class SandboxProcess {
  private readonly child: ChildProcess;
  private baselineRss = 0;
  /** An interpreter is loading (Pyodide, a few seconds): the hub's work, outside the call's limits. */
  private loading = false;
  private nextId = 0;
  private exited = false;
  private exitReason = '';
  private readonly stderrTail: string[] = [];
  private current: { id: number; resolve: (message: ChildMessage & { type: 'result' }) => void; reject: (error: Error) => void } | null =
    null;
  private queue: Promise<unknown> = Promise.resolve();
  /** Told when an interpreter finished loading during a call: the call's limits count from then. */
  private onBaseline: (() => void) | undefined;
  /** The versions of the sandbox's files the child holds. */
  readonly held = new Map<string, string>();

  private constructor(child: ChildProcess, onFetch: (ask: FetchAsk) => Promise<FetchAnswer>) {
    this.child = child;
    child.stderr?.on('data', (chunk: Buffer) => {
      this.stderrTail.push(chunk.toString('utf8'));
      if (this.stderrTail.length > 20) this.stderrTail.shift();
    });
    child.on('message', (raw) => {
      const message = raw as ChildMessage;
      if (message.type === 'loading') this.loading = true;
      else if (message.type === 'baseline') {
        this.baselineRss = Math.max(this.baselineRss, message.rssBytes);
        // During a call, loading ends only once the call's CPU baseline is re-read (see runNow).
        if (this.onBaseline) this.onBaseline();
        else this.loading = false;
      } else if (message.type === 'ask') {
        const { id, type: _type, ask: _ask, ...request } = message;
        onFetch(request).then(
          (value) => this.send({ type: 'answer', id, value }),
          (error: unknown) => this.send({ type: 'answer', id, error: error instanceof Error ? error.message : String(error) }),
        );
      } else if (message.type === 'result' && this.current?.id === message.id) {
        const current = this.current;
        this.current = null;
        current.resolve(message);
      }
    });
    child.on('exit', (code, signal) => {
      this.exited = true;
      this.exitReason ||= `the sandbox process exited (${signal ?? code})`;
      const current = this.current;
      this.current = null;
      current?.reject(new SandboxProcessExit(this.exitReason, this.stderrTail.join('').slice(-2000)));
    });
  }

  /** Starts the child and waits until its JavaScript interpreter is loaded. */
  static async start(options: { onFetch: (ask: FetchAsk) => Promise<FetchAnswer> }): Promise<SandboxProcess> {
    const paths = interpreterPaths();
    childSource ??= readFileSync(CHILD_ENTRY, 'utf8');
    // The kernel kills the child with the hub (PR_SET_PDEATHSIG, kept across exec) where setpriv exists;
    // elsewhere the child runs a watchdog thread, and so must be allowed one.
    const pdeathsig = SETPRIV !== undefined;
    const node = [
      process.execPath,
      [
        '--experimental-permission',
        `--allow-fs-read=${paths.readable.map((dir) => `${dir}/*`).join(',')}`,
        ...(pdeathsig ? [] : ['--allow-worker']),
        '--disallow-code-generation-from-strings',
        `--max-old-space-size=${JS_HEAP_MB}`,
        '--no-warnings',
        '--input-type=module',
        '-e',
        childSource,
      ],
    ] as const;
    const child = spawn(pdeathsig ? SETPRIV : node[0], pdeathsig ? ['--pdeathsig', 'SIGKILL', '--', node[0], ...node[1]] : [...node[1]], {
      // Nothing of the hub's environment (keys, database addresses) reaches the sandbox.
      env: { QUICKJS_URL: paths.quickjsUrl, PYODIDE_URL: paths.pyodideUrl, ...(pdeathsig ? {} : { ORPHAN_WATCHDOG: '1' }) },
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      serialization: 'advanced',
    });
    const sandbox = new SandboxProcess(child, options.onFetch);
    await new Promise<void>((resolve, reject) => {
      const onMessage = (raw: unknown) => {
        const message = raw as ChildMessage;
        if (message.type !== 'ready') return;
        sandbox.baselineRss = message.rssBytes;
        child.off('message', onMessage);
        child.off('exit', onExit);
        resolve();
      };
      const onExit = () => reject(new SandboxProcessExit('the sandbox process failed to start', sandbox.stderrTail.join('').slice(-2000)));
      child.on('message', onMessage);
      child.on('exit', onExit);
    });
    return sandbox;
  }

  get alive(): boolean {
    return !this.exited;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Runs one call; calls queue behind each other (a sandbox's interpreter state is one thread of work). */
  run(request: ChildRunRequest): Promise<ChildRunResult> {
    const result = this.queue.then(async () => {
      callsInFlight += 1;
      try {
        return await this.runNow(request);
      } finally {
        callsInFlight -= 1;
      }
    });
    this.queue = result.catch(() => {});
    return result;
  }

  private async runNow(request: ChildRunRequest): Promise<ChildRunResult> {
    if (this.exited) throw new SandboxProcessExit(this.exitReason, '');
    const id = ++this.nextId;
    let startedAt = await usageOf(this.child.pid ?? -1);
    let startedWall = performance.now();
    // The call's limits count from the end of loading: until its CPU time is read again, the watch still treats
    // the call as loading, so the interpreter's start-up is never charged to the call (a race that killed first calls).
    this.onBaseline = () => {
      void usageOf(this.child.pid ?? -1).then((usage) => {
        startedAt = usage;
        startedWall = performance.now();
        this.loading = false;
      });
    };
    const { limits } = request;
    let stoppedBy: GuestError | null = null;
    const kill = (error: GuestError) => {
      stoppedBy ??= error;
      this.exitReason = error.message;
      this.child.kill('SIGKILL');
    };
    // The wall clock is for code waiting on something (a slow fetch), not for code waiting for a core: it grows
    // with the calls sharing this machine's cores, so CPU time is what stops a loop however busy the machine is.
    const wallLimit = (): number => limits.cpu_ms * 3 * Math.max(1, callsInFlight / CORES) + 5_000;
    // QuickJS holds its own heap to the exact limit; the process's memory also counts WebAssembly's growth in steps.
    const memoryCeiling = (limits.memory_mb * (request.language === 'python' ? 1 : 2) + 64) * 1024 * 1024;
    let lastUsage = startedAt;
    const watch = setInterval(() => {
      void usageOf(this.child.pid ?? -1).then((usage) => {
        if (usage) lastUsage = usage;
        if (this.loading) {
          if (performance.now() - startedWall > LOAD_LIMIT_MS) kill(timeLimit(LOAD_LIMIT_MS));
          return;
        }
        if (!usage || !startedAt || this.exited) {
          if (performance.now() - startedWall > wallLimit()) kill(timeLimit(wallLimit()));
          return;
        }
        // A little grace over the limit: QuickJS stops itself at the limit and keeps its state; only what does not stop is killed.
        if (usage.cpuMs - startedAt.cpuMs > limits.cpu_ms + 250) kill(cpuLimit(limits.cpu_ms));
        else if (usage.rssBytes > this.baselineRss + memoryCeiling) kill(memoryLimit(limits.memory_mb));
        else if (performance.now() - startedWall > wallLimit()) kill(timeLimit(wallLimit()));
      });
    }, WATCH_INTERVAL_MS);
    try {
      const message = await new Promise<ChildMessage & { type: 'result' }>((resolve, reject) => {
        this.current = { id, resolve, reject };
        this.send({
          type: 'run',
          id,
          language: request.language,
          code: request.code,
          manifest: request.manifest,
          files: request.files,
          network: request.network,
          limits: { memoryBytes: limits.memory_mb * 1024 * 1024, outputBytes: limits.output_bytes, cpuMs: limits.cpu_ms },
        });
      });
      if (message.failure) throw new Error(`the sandbox process failed: ${message.failure}`);
      for (const [path, version] of Object.entries(request.manifest)) this.held.set(path, version);
      // What the call wrote or removed is not the hub's version until the hub acknowledges it (it may refuse it).
      for (const path of [...Object.keys(message.changed ?? {}), ...(message.removed ?? [])]) this.held.delete(path);
      return {
        stdout: message.stdout ?? '',
        stderr: message.stderr ?? '',
        outputTruncated: message.outputTruncated ?? false,
        result: message.result ?? null,
        error: message.error ?? null,
        cpuMs: message.cpuMs ?? 0,
        durationMs: message.durationMs ?? performance.now() - startedWall,
        changed: message.changed ?? {},
        removed: message.removed ?? [],
        skipped: message.skipped ?? [],
        stateReset: false,
      };
    } catch (error) {
      if (!stoppedBy) throw error;
      const endedAt = lastUsage;
      return {
        stdout: '',
        stderr: '',
        outputTruncated: false,
        result: null,
        error: stoppedBy,
        cpuMs: endedAt && startedAt ? endedAt.cpuMs - startedAt.cpuMs : limits.cpu_ms,
        durationMs: performance.now() - startedWall,
        changed: {},
        removed: [],
        skipped: [],
        stateReset: true,
      };
    } finally {
      clearInterval(watch);
      this.onBaseline = undefined;
    }
  }

  /** Tells the child the versions the hub gave the files it wrote. */
  acknowledge(versions: Record<string, string>): void {
    for (const [path, version] of Object.entries(versions)) this.held.set(path, version);
    this.send({ type: 'ack', versions });
  }

  forget(path: string): void {
    this.held.delete(path);
  }

  private send(message: unknown): void {
    if (this.exited || !this.child.connected) return;
    this.child.send(message as never);
  }

  async stop(): Promise<void> {
    if (this.exited) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.exitReason = 'the sandbox was stopped';
    this.child.kill('SIGKILL');
    await exited;
  }
}

export class SandboxProcessExit extends Error {
  readonly stderr: string;
  constructor(message: string, stderr: string) {
    super(message);
    this.name = 'SandboxProcessExit';
    this.stderr = stderr;
  }
}

const cpuLimit = (ms: number): GuestError => ({
  name: 'CpuLimitExceeded',
  message: `killed at the CPU-time limit of ${ms} ms`,
  code: 'cpu_limit_exceeded',
});
const memoryLimit = (mb: number): GuestError => ({
  name: 'MemoryLimitExceeded',
  message: `killed at the memory limit of ${mb} MB`,
  code: 'memory_limit_exceeded',
});
const timeLimit = (ms: number): GuestError => ({
  name: 'TimeLimitExceeded',
  message: `killed at the wall-clock limit of ${ms} ms`,
  code: 'time_limit_exceeded',
});
