/** The JSON of `/v1/sandboxes` and `/v1/sandbox-workspaces`, as the SDK types it (held to the server by wire-types.check.ts). */

export type CodeLanguage = 'javascript' | 'python';

/** `code` runs code and holds files; `files` only holds files (its code calls are refused). */
export type SandboxTemplate = 'code' | 'files';

export type SandboxStatus = 'live' | 'deleted';

/** A sandbox's limits: the hub's defaults, lowered where the sandbox was made with lower ones. */
export interface SandboxLimits {
  /** CPU time one code call may use. */
  cpu_ms: number;
  /** Memory the sandbox's code may use beyond the interpreter's own, in MiB. */
  memory_mb: number;
  /** stdout and stderr are each cut at this many bytes (so is the result's JSON). */
  output_bytes: number;
  /** All of the sandbox's files together. */
  storage_bytes: number;
  max_files: number;
}

/** A sandbox as the hub answers it. */
export interface SandboxRecord {
  id: string;
  object: 'sandbox';
  status: SandboxStatus;
  template: SandboxTemplate;
  /** Where its code runs: `local` (the hub's own processes) or `e2b`. */
  provider: 'local' | 'e2b';
  limits: SandboxLimits;
  network: boolean;
  /** It is ended after this many seconds without a call. */
  timeout_s: number;
  /** The kept workspace its files came from. */
  workspace: string | null;
  /** The agent run it was made for, if an agent made it. */
  run_id: string | null;
  files: { count: number; bytes: number };
  /** Its code calls, their CPU time and what they and its storage cost (a decimal string of USD). */
  usage: { calls: number; cpu_ms: number; cost_usd: string };
  created_at: string | null;
  last_used_at: string | null;
  /** When it ends unless called before; null once ended. */
  expires_at: string | null;
  ended_at: string | null;
  /** Why it ended: `deleted`, `expired` (idle past `timeout_s`), `run_ended`. */
  end_reason: string | null;
}

/** What stopped the code: its own exception, or a limit (`code`: `cpu_limit_exceeded`, `memory_limit_exceeded`, `time_limit_exceeded`). */
export interface SandboxCodeError {
  name: string;
  message: string;
  traceback?: string;
  code?: string;
}

/** One code call: its output, the value of its last expression, its error, what it cost and the files it changed. */
export interface SandboxCodeResult {
  object: 'sandbox.code_result';
  sandbox_id: string;
  language: CodeLanguage;
  stdout: string;
  stderr: string;
  /** stdout, stderr or the result were cut at the sandbox's `output_bytes`. */
  output_truncated: boolean;
  /** The value of the code's last expression, as JSON (its text when it is not JSON); null when there is none. */
  result: unknown;
  /** Set when the code threw or hit a limit: the call itself still succeeded (and is billed). */
  error: SandboxCodeError | null;
  duration_ms: number;
  cpu_ms: number;
  cost_usd: string;
  /** The interpreter's state was lost (a limit killed it); the files were not. */
  state_reset: boolean;
  files: { changed: string[]; removed: string[]; skipped: { path: string; reason: string }[] };
  /** The call's ledger row. */
  request_id: string;
}

export interface SandboxFile {
  object: 'sandbox.file';
  path: string;
  size: number;
  /** A hash of the contents (the file's `ETag`). */
  version: string;
  updated_at: string | null;
}

/** A sandbox's files kept under a name, for later sandboxes to start from (`sandboxes.create({ workspace })`). */
export interface SandboxWorkspace {
  object: 'sandbox.workspace';
  name: string;
  source_sandbox_id: string | null;
  files: { count: number; bytes: number };
  created_at: string | null;
  updated_at: string | null;
}
