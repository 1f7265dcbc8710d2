import { InvalidRequestError } from './errors.js';
import type {
  CodeLanguage,
  SandboxCodeResult,
  SandboxFile,
  SandboxLimits,
  SandboxRecord,
  SandboxStatus,
  SandboxTemplate,
  SandboxWorkspace,
} from './sandbox-types.js';
import { type RequestOptions, requestOptions, type Transport } from './transport.js';
import type { List } from './types.js';

export interface CreateSandboxOptions extends RequestOptions {
  /** `code` (default) runs code and holds files; `files` only holds files. */
  template?: SandboxTemplate;
  /** Seconds without a call before the hub ends it (default: the hub's `sandboxes.default_timeout_s`). */
  timeoutS?: number;
  /** Lower limits than the hub's defaults (named as `sandbox.limits` names them); above the hub's maximum is a 400 `limit_too_high`. */
  limits?: Partial<SandboxLimits>;
  /** Outbound HTTP for its code, through the hub's address policy (403 `network_not_allowed` unless the hub allows it). */
  network?: boolean;
  /** A kept workspace whose files it starts with (404 `workspace_not_found`). */
  workspace?: string;
  /** Where its code runs (default: the hub's `sandboxes.provider`). */
  provider?: 'local' | 'e2b';
}

export interface SandboxFilter {
  status?: SandboxStatus;
  /** 1–100, default 20. */
  limit?: number;
  /** Only sandboxes made before this: a page's `next_before`. */
  before?: string | Date;
}

/** A page of sandboxes, newest first: pass `next_before` as `before` for the next one. */
export interface SandboxPage {
  object: 'list';
  data: Sandbox[];
  next_before: string | null;
}

export interface WriteFileOptions extends RequestOptions {
  /** Default: `text/plain; charset=utf-8` for a string, `application/octet-stream` for bytes. The hub stores the bytes either way. */
  contentType?: string;
}

const segment = encodeURIComponent;
const sandboxPath = (id: string) => `/v1/sandboxes/${segment(id)}`;

function invalidPath(path: string, problem: string): InvalidRequestError {
  return new InvalidRequestError(`Invalid file path ${JSON.stringify(path.slice(0, 100))}: it ${problem}.`, {
    code: 'invalid_path',
    param: 'path',
  });
}

/**
 * A file's route, each segment percent-encoded. A path the URL cannot carry as it is refused here, before any call:
 * `fetch` resolves `.` and `..` segments away (`a/../b` would reach `b`), and a lone surrogate has no encoding.
 * Everything else the hub judges (a leading `/`, an empty segment, a backslash), answering `invalid_path`.
 */
function filePath(id: string, path: string): string {
  if (path === '') throw invalidPath(path, 'is empty');
  const segments = path.split('/');
  if (segments.some((part) => part === '.' || part === '..')) throw invalidPath(path, 'may not contain "." or ".." segments');
  try {
    return `${sandboxPath(id)}/files/${segments.map(segment).join('/')}`;
  } catch {
    throw invalidPath(path, 'is not well-formed Unicode');
  }
}

/** A sandbox's code: JavaScript (QuickJS) or Python (Pyodide), with state kept between the calls of one sandbox. */
export class SandboxCode {
  private readonly transport: Transport;
  private readonly id: string;

  constructor(transport: Transport, id: string) {
    this.transport = transport;
    this.id = id;
  }

  /**
   * Runs the code and answers its output, its last expression's value (`result`) and its `error`: code that throws
   * or hits a limit is still a 200, with `error` set. Each call reserves its worst case against the key's budgets
   * (402 `budget_exceeded` when it does not fit) and bills its CPU time, so it is never repeated on a 5xx or a
   * broken connection; 409 `sandbox_ended` once the sandbox ended.
   */
  run(language: CodeLanguage, code: string, options: RequestOptions = {}): Promise<SandboxCodeResult> {
    return this.transport.json({ ...options, method: 'POST', path: `${sandboxPath(this.id)}/code`, body: { language, code } });
  }
}

/** A sandbox's files, shared with its code (which reads and writes them as ordinary files), and its counts as last read. */
export class SandboxFiles {
  private readonly transport: Transport;
  private readonly id: string;
  private readonly totals: () => SandboxRecord['files'];

  constructor(transport: Transport, id: string, totals: () => SandboxRecord['files']) {
    this.transport = transport;
    this.id = id;
    this.totals = totals;
  }

  /** How many files it holds, as last read (`refresh()` reads again). */
  get count(): number {
    return this.totals().count;
  }

  /** The bytes of all its files, as last read. */
  get bytes(): number {
    return this.totals().bytes;
  }

  /**
   * Writes the file (a string as UTF-8), replacing one at that path; folders need no making. 413
   * `storage_quota_exceeded` past the sandbox's `storage_bytes` or `max_files`.
   */
  async write(path: string, data: string | Uint8Array, options: WriteFileOptions = {}): Promise<SandboxFile> {
    const contentType = options.contentType ?? (typeof data === 'string' ? 'text/plain; charset=utf-8' : 'application/octet-stream');
    return this.transport.json({
      ...requestOptions(options),
      method: 'PUT',
      path: filePath(this.id, path),
      text: { content: data, contentType },
    });
  }

  /** The file's bytes as stored; 404 `file_not_found`. */
  async read(path: string, options: RequestOptions = {}): Promise<Uint8Array> {
    return this.transport.bytes({ ...options, method: 'GET', path: filePath(this.id, path) });
  }

  /** The file as UTF-8 text. */
  async readText(path: string, options: RequestOptions = {}): Promise<string> {
    return new TextDecoder().decode(await this.read(path, options));
  }

  /** Its files by path, or those whose path starts with `prefix`. */
  list(prefix?: string, options: RequestOptions = {}): Promise<List<SandboxFile>> {
    return this.transport.json({ ...options, method: 'GET', path: `${sandboxPath(this.id)}/files`, query: { prefix } });
  }

  async delete(path: string, options: RequestOptions = {}): Promise<void> {
    await this.transport.json({ ...options, method: 'DELETE', path: filePath(this.id, path) });
  }
}

/**
 * One sandbox: its record's fields as last read (`refresh()` reads them again), its `code` and its `files`.
 * `files` is the file API; the record's file totals are `files.count` and `files.bytes`.
 */
export class Sandbox {
  readonly id: string;
  readonly code: SandboxCode;
  readonly files: SandboxFiles;

  private readonly transport: Transport;
  private current: SandboxRecord;

  constructor(transport: Transport, record: SandboxRecord) {
    this.transport = transport;
    this.id = record.id;
    this.current = record;
    this.code = new SandboxCode(transport, record.id);
    this.files = new SandboxFiles(transport, record.id, () => this.current.files);
  }

  /** The sandbox as the hub last answered it. */
  get record(): SandboxRecord {
    return this.current;
  }
  get status(): SandboxStatus {
    return this.current.status;
  }
  get template(): SandboxTemplate {
    return this.current.template;
  }
  get provider(): SandboxRecord['provider'] {
    return this.current.provider;
  }
  get limits(): SandboxLimits {
    return this.current.limits;
  }
  get network(): boolean {
    return this.current.network;
  }
  get timeout_s(): number {
    return this.current.timeout_s;
  }
  get workspace(): string | null {
    return this.current.workspace;
  }
  get run_id(): string | null {
    return this.current.run_id;
  }
  get usage(): SandboxRecord['usage'] {
    return this.current.usage;
  }
  get created_at(): string | null {
    return this.current.created_at;
  }
  get last_used_at(): string | null {
    return this.current.last_used_at;
  }
  get expires_at(): string | null {
    return this.current.expires_at;
  }
  get ended_at(): string | null {
    return this.current.ended_at;
  }
  get end_reason(): string | null {
    return this.current.end_reason;
  }

  /** Reads the record again (its usage, file totals, status). */
  async refresh(options: RequestOptions = {}): Promise<this> {
    this.current = await this.transport.json<SandboxRecord>({ ...options, method: 'GET', path: sandboxPath(this.id) });
    return this;
  }

  /**
   * Keeps its files as they are now as a workspace named `name` (replacing one of that name), which outlives the
   * sandbox: `sandboxes.create({ workspace: name })` starts with them.
   */
  keep(name: string, options: RequestOptions = {}): Promise<SandboxWorkspace> {
    return this.transport.json({ ...options, method: 'POST', path: `${sandboxPath(this.id)}/keep`, body: { name }, idempotent: true });
  }

  /** Ends it: its process freed, its files dropped (`keep` them first), its storage billed. Ending it again changes nothing. */
  async delete(options: RequestOptions = {}): Promise<this> {
    this.current = await this.transport.json<SandboxRecord>({ ...options, method: 'DELETE', path: sandboxPath(this.id) });
    return this;
  }

  toJSON(): SandboxRecord {
    return this.current;
  }
}

/** `/v1/sandbox-workspaces`: the tenant's kept workspaces. */
export class SandboxWorkspaces {
  private readonly transport: Transport;

  constructor(transport: Transport) {
    this.transport = transport;
  }

  list(options: RequestOptions = {}): Promise<List<SandboxWorkspace>> {
    return this.transport.json({ ...options, method: 'GET', path: '/v1/sandbox-workspaces' });
  }

  /** 404 `workspace_not_found`; its storage is billed up to now. */
  async delete(name: string, options: RequestOptions = {}): Promise<void> {
    await this.transport.json({ ...options, method: 'DELETE', path: `/v1/sandbox-workspaces/${segment(name)}` });
  }
}

/** `/v1/sandboxes`: compute and files for code, billed by CPU time and storage (keys: the `sandboxes` scope). */
export class Sandboxes {
  readonly workspaces: SandboxWorkspaces;

  private readonly transport: Transport;

  constructor(transport: Transport) {
    this.transport = transport;
    this.workspaces = new SandboxWorkspaces(transport);
  }

  /**
   * Makes a sandbox (409 `sandbox_quota_exceeded` past the tenant's live sandboxes). Not repeated on a 5xx or a
   * broken connection: a repeat could make a second one.
   */
  async create(options: CreateSandboxOptions = {}): Promise<Sandbox> {
    const record = await this.transport.json<SandboxRecord>({
      ...requestOptions(options),
      method: 'POST',
      path: '/v1/sandboxes',
      body: {
        ...(options.template ? { template: options.template } : {}),
        ...(options.timeoutS !== undefined ? { timeout_s: options.timeoutS } : {}),
        ...(options.limits ? { limits: options.limits } : {}),
        ...(options.network !== undefined ? { network: options.network } : {}),
        ...(options.workspace !== undefined ? { workspace: options.workspace } : {}),
        ...(options.provider ? { provider: options.provider } : {}),
      },
    });
    return new Sandbox(this.transport, record);
  }

  /** A sandbox, live or ended; 404 `sandbox_not_found`. */
  async get(id: string, options: RequestOptions = {}): Promise<Sandbox> {
    return new Sandbox(this.transport, await this.transport.json<SandboxRecord>({ ...options, method: 'GET', path: sandboxPath(id) }));
  }

  /** The tenant's sandboxes, newest first. */
  async list(filter: SandboxFilter = {}, options: RequestOptions = {}): Promise<SandboxPage> {
    const page = await this.transport.json<{ object: 'list'; data: SandboxRecord[]; next_before: string | null }>({
      ...options,
      method: 'GET',
      path: '/v1/sandboxes',
      query: {
        status: filter.status,
        limit: filter.limit,
        before: filter.before instanceof Date ? filter.before.toISOString() : filter.before,
      },
    });
    return { ...page, data: page.data.map((record) => new Sandbox(this.transport, record)) };
  }
}
