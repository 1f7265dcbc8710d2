import type { CodeLanguage, SandboxLimits } from './limits.js';

/** A sandbox as a provider needs to know it. */
export interface ProviderSandbox {
  id: string;
  tenantId: string;
  /** The provider's own id once it made one (E2B's sandbox id); the service stores it. */
  remoteId: string | null;
  template: string;
  limits: SandboxLimits;
  network: boolean;
  timeoutS: number;
  /** Calls made so far: a provider that lost the interpreter's state of a sandbox with calls says so. */
  calls: number;
}

/** The sandbox's files as the hub holds them: every path with its version, and a way to read the contents. */
export interface FileSource {
  manifest: Record<string, string>;
  load(paths: readonly string[]): Promise<Record<string, Uint8Array>>;
}

export interface CodeCall {
  language: CodeLanguage;
  code: string;
}

export interface GuestError {
  name: string;
  message: string;
  traceback?: string;
  /** Set when a limit stopped the code: `cpu_limit_exceeded`, `memory_limit_exceeded`, `time_limit_exceeded`. */
  code?: string;
}

export interface CodeResult {
  stdout: string;
  stderr: string;
  outputTruncated: boolean;
  /** The value of the code's last expression, as JSON (or its text when it is not JSON). */
  result: unknown;
  error: GuestError | null;
  /** CPU time the code used: measured in the sandbox's process (local), or its wall time (E2B reports no CPU time). */
  cpuMs: number;
  durationMs: number;
  /** Files the code wrote and removed, to keep. */
  changed: Record<string, Uint8Array>;
  removed: string[];
  /** Paths the code made that are not kept (symbolic links, invalid names). */
  skipped: { path: string; reason: string }[];
  /** The interpreter's state was lost (the process was killed at a limit, or the sandbox moved); the files were not. */
  stateReset: boolean;
  /** Set when the provider made a remote sandbox for this call (E2B): the service records it. */
  remoteId?: string;
}

/** An outbound request of sandbox code with the network granted; the hub makes it under its address policy. */
export interface SandboxFetch {
  url: string;
  method?: string;
  headers?: Record<string, string>;
  body?: string;
}

export type SandboxFetchAnswer = { status: number; body: string; contentType: string };

export interface ProviderCallContext {
  files: FileSource;
  fetch: (request: SandboxFetch) => Promise<SandboxFetchAnswer>;
}

/**
 * Where sandbox code runs. The hub owns the files (in its database) and bills the time; a provider runs code
 * against a copy of the files and reports what changed. Implementations: `local` (this hub's processes) and
 * `e2b` (remote microVMs).
 */
export interface SandboxProvider {
  readonly name: 'local' | 'e2b';
  /** Runs one call; calls of one sandbox are run one after another. */
  run(sandbox: ProviderSandbox, call: CodeCall, context: ProviderCallContext): Promise<CodeResult>;
  /** Frees what the sandbox holds (its process, its remote VM); its files are the service's. */
  release(sandbox: ProviderSandbox): Promise<void>;
  /** Tells the provider the versions the hub gave the files the last call wrote (so they are not sent back). */
  acknowledge?(sandboxId: string, versions: Record<string, string>): void;
  /** Whether it holds anything for this sandbox now (a live process). */
  holds(sandboxId: string): boolean;
  close(): Promise<void>;
}
