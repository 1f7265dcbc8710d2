import {
  AuthenticationError,
  CommandExitError,
  type CommandHandle,
  FileType,
  NotFoundError,
  RateLimitError,
  Sandbox,
  TimeoutError,
} from 'e2b';
import { HubError, isHubError } from '../../core/index.js';
import { MAX_PATH_LENGTH, sandboxPathProblem } from '../paths.js';
import type { CodeCall, CodeResult, GuestError, ProviderCallContext, ProviderSandbox, SandboxProvider } from '../provider.js';

/** The sandbox's files live here in the VM; the code runs with it as its working directory. */
const FILES_ROOT = '/home/user/sandbox';
const FILES_PREFIX = `${FILES_ROOT}/`;
/** The call's code is written beside the files' folder, never into it, so it is not taken for one of them. */
const CODE_DIR = '/home/user/.tokenhub';
/** Relative to the working directory: the command names nothing outside the sandbox's own tree. */
const CODE_DIR_FROM_FILES = '../.tokenhub';
const LIST_DEPTH = 64;
const DOWNLOADS_AT_ONCE = 8;
/** The SDK's own deadline on a command, past ours: ours kills the command and says why, the SDK's is the backstop. */
const COMMAND_DEADLINE_GRACE_MS = 5_000;
const MAX_MESSAGE_LENGTH = 1_000;

export interface E2BSandboxProviderOptions {
  apiKey: string;
  /** The E2B template sandboxes start from (`sandboxes.e2b.template`). */
  template: string;
  /** E2B's domain (default `e2b.app`). */
  domain?: string;
  /** The control plane's address (default `https://api.<domain>`). */
  apiUrl?: string;
  /** The address of every sandbox's envd (E2B's proxy tells sandboxes apart by a header); a fake's in tests. */
  sandboxUrl?: string;
  /** Per request to E2B (the SDK's default: 60 s). */
  requestTimeoutMs?: number;
}

/** A file of the sandbox's folder as the remote holds it: the hub's version (null until the hub names one) and what the listing showed. */
interface HeldFile {
  version: string | null;
  size: number;
  modifiedMs: number | null;
}

interface Remote {
  sandbox: Sandbox;
  held: Map<string, HeldFile>;
  /** Paths in the folder that are not kept (symbolic links, invalid names, past the limits): removed before the next call. */
  strays: Set<string>;
}

interface Listing {
  files: Map<string, { size: number; modifiedMs: number | null }>;
  skipped: { path: string; reason: string }[];
}

/**
 * Sandboxes on E2B: one remote microVM per sandbox, made on its first call from the configured template and
 * kept until it is released or E2B's timeout (the sandbox's idle timeout, restarted by every call) ends it. The
 * hub's files are copied into `/home/user/sandbox` as needed, and what the code wrote there is copied back.
 * Every call is a fresh `node` or `python3` process: files persist between calls, variables do not.
 */
export class E2BSandboxProvider implements SandboxProvider {
  readonly name = 'e2b' as const;
  private readonly options: E2BSandboxProviderOptions;
  private readonly remotes = new Map<string, Remote>();
  private closed = false;

  constructor(options: E2BSandboxProviderOptions) {
    if (!options.apiKey) throw new Error('the E2B sandbox provider needs an API key (E2B_API_KEY)');
    this.options = options;
  }

  private get connection() {
    const { apiKey, domain, apiUrl, sandboxUrl, requestTimeoutMs } = this.options;
    // `debug: false` whatever E2B_DEBUG says: the SDK's debug mode skips the control plane for a local envd.
    return { apiKey, domain, apiUrl, sandboxUrl, requestTimeoutMs, debug: false };
  }

  holds(sandboxId: string): boolean {
    return this.remotes.has(sandboxId);
  }

  async run(sandbox: ProviderSandbox, call: CodeCall, context: ProviderCallContext): Promise<CodeResult> {
    if (this.closed) throw new Error('the sandbox provider is closed');
    try {
      const { remote, created } = await this.remoteFor(sandbox);
      try {
        const result = await this.runOn(remote, sandbox, call, context);
        return { ...result, stateReset: created && sandbox.calls > 0, ...(created ? { remoteId: remote.sandbox.sandboxId } : {}) };
      } catch (error) {
        // A call that failed half way leaves the remote folder in a state the cache cannot vouch for.
        this.remotes.delete(sandbox.id);
        throw error;
      }
    } catch (error) {
      throw upstreamError(error);
    }
  }

  acknowledge(sandboxId: string, versions: Record<string, string>): void {
    const held = this.remotes.get(sandboxId)?.held;
    for (const [path, version] of Object.entries(versions)) {
      const file = held?.get(path);
      if (file) file.version = version;
    }
  }

  async release(sandbox: ProviderSandbox): Promise<void> {
    const remoteId = sandbox.remoteId ?? this.remotes.get(sandbox.id)?.sandbox.sandboxId;
    this.remotes.delete(sandbox.id);
    if (!remoteId) return;
    try {
      // `false` when E2B no longer knows it: gone already is released.
      await Sandbox.kill(remoteId, this.connection);
    } catch (error) {
      throw upstreamError(error);
    }
  }

  /** Forgets the connections; the remote sandboxes end at their own timeout (or when released by a later hub). */
  async close(): Promise<void> {
    this.closed = true;
    this.remotes.clear();
  }

  /** The sandbox's remote, alive: cached, else connected by its id, else made anew. */
  private async remoteFor(sandbox: ProviderSandbox): Promise<{ remote: Remote; created: boolean }> {
    const timeoutMs = sandbox.timeoutS * 1000;
    const cached = this.remotes.get(sandbox.id);
    if (cached && (sandbox.remoteId === null || sandbox.remoteId === cached.sandbox.sandboxId)) {
      try {
        // E2B's timeout counts from the last call, like the hub's idle timeout; a 404 says the VM is gone.
        await cached.sandbox.setTimeout(timeoutMs);
        return { remote: cached, created: false };
      } catch (error) {
        if (!(error instanceof NotFoundError)) throw error;
        this.remotes.delete(sandbox.id);
      }
    } else if (sandbox.remoteId) {
      try {
        const connected = await Sandbox.connect(sandbox.remoteId, { ...this.connection, timeoutMs });
        const remote: Remote = { sandbox: connected, held: new Map(), strays: new Set() };
        await connected.files.makeDir(FILES_ROOT);
        // What an earlier hub process left there is seen, so that what the hub no longer has gets removed.
        const listing = await list(connected);
        for (const [path, seen] of listing.files) remote.held.set(path, { version: null, ...seen });
        for (const { path } of listing.skipped) if (!path.split('/').includes('..')) remote.strays.add(path);
        this.remotes.set(sandbox.id, remote);
        return { remote, created: false };
      } catch (error) {
        if (!(error instanceof NotFoundError)) throw error;
      }
    }
    const created = await Sandbox.create(this.options.template, {
      ...this.connection,
      timeoutMs,
      // E2B's switch for all outbound traffic of the VM (a deny of 0.0.0.0/0); with it on, the code reaches the
      // internet from E2B's network directly, not through the hub's address policy.
      allowInternetAccess: sandbox.network,
      metadata: { tokenhub_sandbox: sandbox.id },
    });
    try {
      await created.files.makeDir(FILES_ROOT);
    } catch (error) {
      await created.kill().catch(() => false);
      throw error;
    }
    const remote: Remote = { sandbox: created, held: new Map(), strays: new Set() };
    this.remotes.set(sandbox.id, remote);
    return { remote, created: true };
  }

  private async runOn(
    remote: Remote,
    sandbox: ProviderSandbox,
    call: CodeCall,
    context: ProviderCallContext,
  ): Promise<Omit<CodeResult, 'stateReset'>> {
    const { files } = remote.sandbox;
    const manifest = context.files.manifest;
    const gone = [...remote.strays, ...[...remote.held.keys()].filter((path) => !(path in manifest))];
    await Promise.all(gone.map((path) => files.remove(FILES_PREFIX + path)));
    for (const path of gone) remote.held.delete(path);
    remote.strays.clear();

    const missing = Object.keys(manifest).filter((path) => remote.held.get(path)?.version !== manifest[path]);
    for (const path of missing) if (!validPath(path)) throw new Error(`the hub asked for an invalid sandbox path: ${JSON.stringify(path)}`);
    const contents = await context.files.load(missing);
    const language = call.language === 'python' ? { file: 'main.py', run: 'python3' } : { file: 'main.js', run: 'node' };
    const uploads = missing.map((path) => {
      const data = contents[path];
      if (!data) throw new Error(`the hub did not load ${path}`);
      return { path: FILES_PREFIX + path, data: new Blob([new Uint8Array(data)]) };
    });
    await files.write([...uploads, { path: `${CODE_DIR}/${language.file}`, data: call.code }], { useOctetStream: true });
    if (missing.length > 0) {
      // What the folder holds after the upload is the baseline the call's changes are told from.
      const baseline = (await list(remote.sandbox)).files;
      for (const path of missing) {
        const seen = baseline.get(path);
        remote.held.set(path, { version: manifest[path] ?? null, size: seen?.size ?? -1, modifiedMs: seen?.modifiedMs ?? null });
      }
    }

    const limitMs = sandbox.limits.cpu_ms;
    const stdout = new CappedText(sandbox.limits.output_bytes);
    const stderr = new CappedText(sandbox.limits.output_bytes);
    const startedAt = performance.now();
    // `exec`: the process that a kill signals is the interpreter itself, not a shell above it.
    const handle: CommandHandle = await remote.sandbox.commands.run(`exec ${language.run} ${CODE_DIR_FROM_FILES}/${language.file}`, {
      background: true,
      cwd: FILES_ROOT,
      // No bytecode caches among the sandbox's files; output that a kill cuts short is not lost in a buffer;
      // the sandbox's own modules import as in its folder (`python3 <file>` looks next to the file first).
      envs: { PYTHONDONTWRITEBYTECODE: '1', PYTHONUNBUFFERED: '1', PYTHONPATH: '.' },
      timeoutMs: limitMs + COMMAND_DEADLINE_GRACE_MS,
      onStdout: (text) => stdout.write(text),
      onStderr: (text) => stderr.write(text),
    });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      void handle.kill().catch(() => false);
    }, limitMs);
    let exitCode = 0;
    try {
      await handle.wait();
    } catch (error) {
      if (error instanceof CommandExitError) exitCode = error.exitCode;
      else if (!(error instanceof TimeoutError && performance.now() - startedAt >= limitMs)) throw error;
      else timedOut = true;
    } finally {
      clearTimeout(timer);
    }
    // E2B reports no CPU time: the command's wall time stands for it (and is what the VM was busy for).
    const wallMs = performance.now() - startedAt;

    const { error: quotaError, ...synced } = await this.collect(remote, sandbox);
    let error: GuestError | null = quotaError ?? null;
    if (timedOut) error = { name: 'TimeLimitExceeded', message: `killed at the time limit of ${limitMs} ms`, code: 'time_limit_exceeded' };
    else if (exitCode !== 0) error = { name: 'ExitError', message: lastLine(handle.stderr) || `exit code ${exitCode}` };
    return {
      stdout: stdout.text(),
      stderr: stderr.text(),
      outputTruncated: stdout.truncated || stderr.truncated,
      // A script has no value of a last expression to give back.
      result: null,
      error,
      cpuMs: wallMs,
      durationMs: wallMs,
      ...synced,
    };
  }

  /**
   * Reads back what the call wrote and removed in the folder. Like the service, whole or not at all: a folder past
   * the sandbox's storage limits is not downloaded, and the next call starts from the hub's files again.
   */
  private async collect(
    remote: Remote,
    sandbox: ProviderSandbox,
  ): Promise<Pick<CodeResult, 'changed' | 'removed' | 'skipped'> & { error?: GuestError }> {
    const listing = await list(remote.sandbox);
    for (const { path } of listing.skipped) if (!path.split('/').includes('..')) remote.strays.add(path);
    const removed = [...remote.held.keys()].filter((path) => !listing.files.has(path));
    for (const path of removed) remote.held.delete(path);
    const fresh = [...listing.files]
      .filter(([path, seen]) => {
        const held = remote.held.get(path);
        return !held || held.size !== seen.size || held.modifiedMs === null || held.modifiedMs !== seen.modifiedMs;
      })
      .map(([path]) => path);

    const { storage_bytes: maxBytes, max_files: maxFiles } = sandbox.limits;
    const totalBytes = [...listing.files.values()].reduce((sum, file) => sum + file.size, 0);
    if (fresh.length > 0 && (totalBytes > maxBytes || listing.files.size > maxFiles)) {
      for (const path of fresh) {
        remote.strays.add(path);
        remote.held.delete(path);
      }
      const what = totalBytes > maxBytes ? `${maxBytes} bytes` : `${maxFiles} files`;
      return {
        changed: {},
        removed: [],
        skipped: listing.skipped,
        error: {
          name: 'StorageQuotaExceeded',
          message: `the files the code wrote were not kept: they would pass the sandbox's limit of ${what}`,
          code: 'storage_quota_exceeded',
        },
      };
    }
    const changed: Record<string, Uint8Array> = {};
    await eachLimited(fresh, DOWNLOADS_AT_ONCE, async (path) => {
      changed[path] = await remote.sandbox.files.read(FILES_PREFIX + path, { format: 'bytes' });
      const seen = listing.files.get(path);
      remote.held.set(path, { version: null, size: seen?.size ?? -1, modifiedMs: seen?.modifiedMs ?? null });
    });
    return { changed, removed, skipped: listing.skipped };
  }
}

/** The folder's files by their path in it, validated: the VM's answers are the code's to shape. */
async function list(sandbox: Sandbox): Promise<Listing> {
  const files: Listing['files'] = new Map();
  const skipped: Listing['skipped'] = [];
  for (const entry of await sandbox.files.list(FILES_ROOT, { depth: LIST_DEPTH })) {
    if (entry.type === FileType.DIR || entry.type === undefined) continue;
    if (typeof entry.path !== 'string' || !entry.path.startsWith(FILES_PREFIX)) continue;
    const path = entry.path.slice(FILES_PREFIX.length);
    if (!validPath(path)) skipped.push({ path: path.slice(0, MAX_PATH_LENGTH), reason: 'not a valid sandbox path' });
    else if (entry.type === FileType.SYMLINK) skipped.push({ path, reason: 'symbolic links are not kept' });
    else if (Number.isSafeInteger(entry.size) && entry.size >= 0) {
      const modifiedMs = entry.modifiedTime?.getTime();
      files.set(path, { size: entry.size, modifiedMs: modifiedMs !== undefined && Number.isFinite(modifiedMs) ? modifiedMs : null });
    }
  }
  return { files, skipped };
}

const validPath = (path: string): boolean => sandboxPathProblem(path) === undefined;

function lastLine(text: string): string {
  const line = text.trimEnd().split('\n').at(-1)?.trim() ?? '';
  return line.length > MAX_MESSAGE_LENGTH ? `${line.slice(0, MAX_MESSAGE_LENGTH)}…` : line;
}

async function eachLimited<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++] as T;
      await work(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/** Text cut at a byte count, at a character's boundary. */
class CappedText {
  private readonly cap: number;
  private readonly parts: string[] = [];
  private bytes = 0;
  truncated = false;

  constructor(cap: number) {
    this.cap = cap;
  }

  write(text: string): void {
    if (this.truncated) return;
    const size = Buffer.byteLength(text);
    if (this.bytes + size <= this.cap) {
      this.parts.push(text);
      this.bytes += size;
      return;
    }
    const bytes = Buffer.from(text);
    let end = this.cap - this.bytes;
    while (end > 0 && ((bytes[end] ?? 0) & 0xc0) === 0x80) end--;
    this.parts.push(bytes.subarray(0, end).toString('utf8'));
    this.bytes = this.cap;
    this.truncated = true;
  }

  text(): string {
    return this.parts.join('');
  }
}

function upstreamError(error: unknown): Error {
  if (isHubError(error)) return error;
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof AuthenticationError)
    return new HubError('UPSTREAM_ERROR', `E2B refused the hub's API key: ${message}`, { cause: error });
  if (error instanceof RateLimitError) return new HubError('UPSTREAM_RATE_LIMITED', `E2B: ${message}`, { cause: error });
  if (error instanceof TimeoutError) return new HubError('UPSTREAM_TIMEOUT', `E2B: ${message}`, { cause: error });
  return new HubError('UPSTREAM_ERROR', `E2B: ${message}`, { cause: error });
}
