import { type Picos, picos } from '../core/index.js';
import type { Database, Queryable } from './database.js';
import type { JsonRecord } from './runs.repo.js';
import { asBigInt, asDate, asNumber, asOptionalDate, fromJsonb, toJsonb } from './values.js';

export type SandboxStatus = 'live' | 'deleted';

export interface SandboxRecord {
  id: string;
  tenantId: string;
  projectId: string | null;
  /** The key its use is billed to. */
  keyId: string | null;
  provider: string;
  /** The provider's own id (E2B's sandbox id), once it has one. */
  remoteId: string | null;
  template: string;
  status: SandboxStatus;
  limits: JsonRecord;
  network: boolean;
  timeoutS: number;
  /** The agent run it was made for (deleted with the run unless kept). */
  runId: string | null;
  /** The kept workspace its files were mounted from. */
  workspace: string | null;
  filesBytes: number;
  filesCount: number;
  cpuMs: number;
  calls: number;
  costPicos: Picos;
  storageBilledAt: Date;
  createdAt: Date;
  lastUsedAt: Date;
  expiresAt: Date;
  deletedAt: Date | null;
  /** `deleted`, `expired`, `run_ended`. */
  endReason: string | null;
}

export interface SandboxFileInfo {
  path: string;
  size: number;
  version: string;
  updatedAt: Date;
}

export interface SandboxWorkspaceRecord {
  tenantId: string;
  name: string;
  projectId: string | null;
  keyId: string | null;
  filesOwner: string;
  sourceSandboxId: string | null;
  filesBytes: number;
  filesCount: number;
  storageBilledAt: Date;
  createdAt: Date;
  updatedAt: Date;
}

/** A change of one owner's files, applied at once or not at all. */
export interface FileChanges {
  write: { path: string; content: Uint8Array; version: string }[];
  remove: string[];
}

export interface FileQuota {
  maxBytes: number;
  maxFiles: number;
}

export type FileChangeOutcome =
  | { ok: true; filesBytes: number; filesCount: number }
  | { ok: false; reason: 'storage' | 'files'; filesBytes: number; filesCount: number };

type Row = Record<string, unknown>;

const toSandbox = (row: Row): SandboxRecord => ({
  id: row.id as string,
  tenantId: row.tenant_id as string,
  projectId: (row.project_id as string | null) ?? null,
  keyId: (row.key_id as string | null) ?? null,
  provider: row.provider as string,
  remoteId: (row.remote_id as string | null) ?? null,
  template: row.template as string,
  status: row.status as SandboxStatus,
  limits: fromJsonb(row.limits) as JsonRecord,
  network: row.network === true,
  timeoutS: asNumber(row.timeout_s),
  runId: (row.run_id as string | null) ?? null,
  workspace: (row.workspace as string | null) ?? null,
  filesBytes: asNumber(row.files_bytes),
  filesCount: asNumber(row.files_count),
  cpuMs: asNumber(row.cpu_ms),
  calls: asNumber(row.calls),
  costPicos: picos(asBigInt(row.cost_picos)),
  storageBilledAt: asDate(row.storage_billed_at),
  createdAt: asDate(row.created_at),
  lastUsedAt: asDate(row.last_used_at),
  expiresAt: asDate(row.expires_at),
  deletedAt: asOptionalDate(row.deleted_at),
  endReason: (row.end_reason as string | null) ?? null,
});

const toWorkspace = (row: Row): SandboxWorkspaceRecord => ({
  tenantId: row.tenant_id as string,
  name: row.name as string,
  projectId: (row.project_id as string | null) ?? null,
  keyId: (row.key_id as string | null) ?? null,
  filesOwner: row.files_owner as string,
  sourceSandboxId: (row.source_sandbox_id as string | null) ?? null,
  filesBytes: asNumber(row.files_bytes),
  filesCount: asNumber(row.files_count),
  storageBilledAt: asDate(row.storage_billed_at),
  createdAt: asDate(row.created_at),
  updatedAt: asDate(row.updated_at),
});

const toFileInfo = (row: Row): SandboxFileInfo => ({
  path: row.path as string,
  size: asNumber(row.size),
  version: row.version as string,
  updatedAt: asDate(row.updated_at),
});

/** bytea comes back as a Buffer (node-postgres) or a Uint8Array (PGlite). */
const asBytes = (value: unknown): Uint8Array => (value instanceof Uint8Array ? value : new Uint8Array(0));

const SANDBOX_COLUMNS = `id, tenant_id, project_id, key_id, provider, remote_id, template, status, limits, network, timeout_s, run_id,
  workspace, files_bytes::text as files_bytes, files_count, cpu_ms::text as cpu_ms, calls, cost_picos::text as cost_picos,
  storage_billed_at, created_at, last_used_at, expires_at, deleted_at, end_reason`;

async function filesTotals(tx: Queryable, owner: string): Promise<{ bytes: number; count: number }> {
  const [row] = await tx.query<Row>(
    'select coalesce(sum(size), 0)::text as bytes, count(*)::int as count from sandbox_files where owner = $1',
    [owner],
  );
  return { bytes: asNumber(row?.bytes), count: asNumber(row?.count) };
}

/** Files of one owner (a sandbox's id, or a kept workspace's `files_owner`); no tenant column, reached only through an owner the tenant holds. */
export class SandboxFilesRepository {
  private readonly db: Database;

  constructor(db: Database) {
    this.db = db;
  }

  async list(owner: string, prefix?: string): Promise<SandboxFileInfo[]> {
    const rows = await this.db.query<Row>(
      `select path, size, version, updated_at from sandbox_files where owner = $1 and ($2::text is null or starts_with(path, $2)) order by path`,
      [owner, prefix ?? null],
    );
    return rows.map(toFileInfo);
  }

  async read(owner: string, path: string): Promise<(SandboxFileInfo & { content: Uint8Array }) | undefined> {
    const [row] = await this.db.query<Row>(
      'select path, size, version, updated_at, content from sandbox_files where owner = $1 and path = $2',
      [owner, path],
    );
    return row ? { ...toFileInfo(row), content: asBytes(row.content) } : undefined;
  }

  async readMany(owner: string, paths: readonly string[]): Promise<Map<string, { version: string; content: Uint8Array }>> {
    if (paths.length === 0) return new Map();
    const rows = await this.db.query<Row>('select path, version, content from sandbox_files where owner = $1 and path = any($2::text[])', [
      owner,
      paths,
    ]);
    return new Map(rows.map((row) => [row.path as string, { version: row.version as string, content: asBytes(row.content) }]));
  }
}

/**
 * One tenant's sandboxes and kept workspaces; every query carries the tenant. File changes lock the sandbox's
 * row, so its storage and file-count quotas hold however many writes race.
 */
export class SandboxesRepository {
  private readonly db: Database;
  readonly tenantId: string;

  constructor(db: Database, tenantId: string) {
    this.db = db;
    this.tenantId = tenantId;
  }

  async insert(
    record: Omit<SandboxRecord, 'tenantId' | 'filesBytes' | 'filesCount' | 'cpuMs' | 'calls' | 'costPicos' | 'deletedAt' | 'endReason'>,
    copyFrom?: string,
  ): Promise<SandboxRecord> {
    return this.db.transaction(async (tx) => {
      await tx.query(
        `insert into sandboxes (id, tenant_id, project_id, key_id, provider, remote_id, template, status, limits, network, timeout_s, run_id,
           workspace, storage_billed_at, created_at, last_used_at, expires_at)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9::jsonb, $10, $11, $12, $13, $14, $15, $16, $17)`,
        [
          record.id,
          this.tenantId,
          record.projectId,
          record.keyId,
          record.provider,
          record.remoteId,
          record.template,
          record.status,
          toJsonb(record.limits),
          record.network,
          record.timeoutS,
          record.runId,
          record.workspace,
          record.storageBilledAt,
          record.createdAt,
          record.lastUsedAt,
          record.expiresAt,
        ],
      );
      if (copyFrom) {
        await tx.query(
          `insert into sandbox_files (owner, path, content, size, version, updated_at)
           select $1, path, content, size, version, updated_at from sandbox_files where owner = $2`,
          [record.id, copyFrom],
        );
        const totals = await filesTotals(tx, record.id);
        await tx.query('update sandboxes set files_bytes = $2, files_count = $3 where id = $1', [record.id, totals.bytes, totals.count]);
      }
      const [row] = await tx.query<Row>(`select ${SANDBOX_COLUMNS} from sandboxes where id = $1`, [record.id]);
      return toSandbox(row as Row);
    });
  }

  async get(id: string): Promise<SandboxRecord | undefined> {
    const [row] = await this.db.query<Row>(`select ${SANDBOX_COLUMNS} from sandboxes where tenant_id = $1 and id = $2`, [
      this.tenantId,
      id,
    ]);
    return row ? toSandbox(row) : undefined;
  }

  async list(options: { status?: SandboxStatus; before?: Date; limit: number }): Promise<SandboxRecord[]> {
    const rows = await this.db.query<Row>(
      `select ${SANDBOX_COLUMNS} from sandboxes where tenant_id = $1 and ($2::text is null or status = $2)
         and ($3::timestamptz is null or created_at < $3) order by created_at desc, id desc limit $4`,
      [this.tenantId, options.status ?? null, options.before ?? null, options.limit],
    );
    return rows.map(toSandbox);
  }

  async countLive(): Promise<number> {
    const [row] = await this.db.query<Row>(`select count(*)::int as count from sandboxes where tenant_id = $1 and status = 'live'`, [
      this.tenantId,
    ]);
    return asNumber(row?.count);
  }

  async byRun(runId: string): Promise<SandboxRecord[]> {
    const rows = await this.db.query<Row>(`select ${SANDBOX_COLUMNS} from sandboxes where tenant_id = $1 and run_id = $2`, [
      this.tenantId,
      runId,
    ]);
    return rows.map(toSandbox);
  }

  async setRemoteId(id: string, remoteId: string): Promise<void> {
    await this.db.query('update sandboxes set remote_id = $3 where tenant_id = $1 and id = $2', [this.tenantId, id, remoteId]);
  }

  /** A call was made: it keeps the sandbox alive for another `timeout_s` and adds its CPU time and cost. */
  async recordCall(id: string, call: { at: Date; cpuMs: number; costPicos: Picos }): Promise<void> {
    await this.db.query(
      `update sandboxes set last_used_at = $3, expires_at = $3::timestamptz + make_interval(secs => timeout_s), calls = calls + 1,
         cpu_ms = cpu_ms + $4, cost_picos = cost_picos + $5::numeric
       where tenant_id = $1 and id = $2 and status = 'live'`,
      [this.tenantId, id, call.at, Math.round(call.cpuMs), call.costPicos.toString()],
    );
  }

  async touch(id: string, at: Date): Promise<void> {
    await this.db.query(
      `update sandboxes set last_used_at = $3, expires_at = $3::timestamptz + make_interval(secs => timeout_s)
       where tenant_id = $1 and id = $2 and status = 'live'`,
      [this.tenantId, id, at],
    );
  }

  /** Ends a live sandbox and drops its files; false when it was not live (already ended elsewhere). */
  async end(id: string, reason: string, at: Date): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      const rows = await tx.query<Row>(
        `update sandboxes set status = 'deleted', deleted_at = $3, end_reason = $4, files_bytes = 0, files_count = 0
         where tenant_id = $1 and id = $2 and status = 'live' returning id`,
        [this.tenantId, id, at, reason],
      );
      if (rows.length === 0) return false;
      await tx.query('delete from sandbox_files where owner = $1', [id]);
      return true;
    });
  }

  async addCost(id: string, cost: Picos, billedUntil: Date): Promise<void> {
    await this.db.query(
      'update sandboxes set cost_picos = cost_picos + $3::numeric, storage_billed_at = $4 where tenant_id = $1 and id = $2',
      [this.tenantId, id, cost.toString(), billedUntil],
    );
  }

  /**
   * Applies a change of a live sandbox's files within its quota, atomically: the sandbox's row is locked, the
   * totals after the change computed, and the change refused whole when they would pass the quota.
   */
  async changeFiles(id: string, changes: FileChanges, quota: FileQuota, at: Date): Promise<FileChangeOutcome | undefined> {
    return this.db.transaction(async (tx) => {
      const [locked] = await tx.query<Row>(`select id from sandboxes where tenant_id = $1 and id = $2 and status = 'live' for update`, [
        this.tenantId,
        id,
      ]);
      if (!locked) return undefined;
      const paths = [...changes.write.map((file) => file.path), ...changes.remove];
      const before = await filesTotals(tx, id);
      const [existing] = await tx.query<Row>(
        'select coalesce(sum(size), 0)::text as bytes, count(*)::int as count from sandbox_files where owner = $1 and path = any($2::text[])',
        [id, paths],
      );
      const written = changes.write.reduce((sum, file) => sum + file.content.byteLength, 0);
      const bytes = before.bytes - asNumber(existing?.bytes) + written;
      const count = before.count - asNumber(existing?.count) + changes.write.length;
      if (bytes > quota.maxBytes) return { ok: false, reason: 'storage', filesBytes: before.bytes, filesCount: before.count };
      if (count > quota.maxFiles) return { ok: false, reason: 'files', filesBytes: before.bytes, filesCount: before.count };
      if (changes.remove.length > 0)
        await tx.query('delete from sandbox_files where owner = $1 and path = any($2::text[])', [id, changes.remove]);
      for (const file of changes.write) {
        await tx.query(
          `insert into sandbox_files (owner, path, content, size, version, updated_at) values ($1, $2, $3, $4, $5, $6)
           on conflict (owner, path) do update set content = excluded.content, size = excluded.size, version = excluded.version,
             updated_at = excluded.updated_at`,
          [id, file.path, file.content, file.content.byteLength, file.version, at],
        );
      }
      await tx.query('update sandboxes set files_bytes = $2, files_count = $3 where id = $1', [id, bytes, count]);
      return { ok: true, filesBytes: bytes, filesCount: count };
    });
  }

  /** Keeps a sandbox's files, as they are now, as a named workspace (replacing one of that name). */
  async keepWorkspace(
    name: string,
    source: SandboxRecord,
    filesOwner: string,
    at: Date,
  ): Promise<{ workspace: SandboxWorkspaceRecord; replaced: SandboxWorkspaceRecord | undefined }> {
    return this.db.transaction(async (tx) => {
      const [previous] = await tx.query<Row>('select * from sandbox_workspaces where tenant_id = $1 and name = $2 for update', [
        this.tenantId,
        name,
      ]);
      await tx.query(
        `insert into sandbox_files (owner, path, content, size, version, updated_at)
         select $1, path, content, size, version, updated_at from sandbox_files where owner = $2`,
        [filesOwner, source.id],
      );
      const totals = await filesTotals(tx, filesOwner);
      const [row] = await tx.query<Row>(
        `insert into sandbox_workspaces (tenant_id, name, project_id, key_id, files_owner, source_sandbox_id, files_bytes, files_count,
           storage_billed_at, created_at, updated_at)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9, $9)
         on conflict (tenant_id, name) do update set files_owner = excluded.files_owner, source_sandbox_id = excluded.source_sandbox_id,
           files_bytes = excluded.files_bytes, files_count = excluded.files_count, key_id = excluded.key_id, updated_at = excluded.updated_at
         returning *`,
        [this.tenantId, name, source.projectId, source.keyId, filesOwner, source.id, totals.bytes, totals.count, at],
      );
      if (previous) await tx.query('delete from sandbox_files where owner = $1', [previous.files_owner]);
      return { workspace: toWorkspace(row as Row), replaced: previous ? toWorkspace(previous) : undefined };
    });
  }

  async workspace(name: string): Promise<SandboxWorkspaceRecord | undefined> {
    const [row] = await this.db.query<Row>('select * from sandbox_workspaces where tenant_id = $1 and name = $2', [this.tenantId, name]);
    return row ? toWorkspace(row) : undefined;
  }

  async workspaces(): Promise<SandboxWorkspaceRecord[]> {
    const rows = await this.db.query<Row>('select * from sandbox_workspaces where tenant_id = $1 order by name', [this.tenantId]);
    return rows.map(toWorkspace);
  }

  async deleteWorkspace(name: string): Promise<SandboxWorkspaceRecord | undefined> {
    return this.db.transaction(async (tx) => {
      const [row] = await tx.query<Row>('delete from sandbox_workspaces where tenant_id = $1 and name = $2 returning *', [
        this.tenantId,
        name,
      ]);
      if (!row) return undefined;
      await tx.query('delete from sandbox_files where owner = $1', [row.files_owner]);
      return toWorkspace(row);
    });
  }

  async markWorkspaceBilled(name: string, billedUntil: Date): Promise<void> {
    await this.db.query('update sandbox_workspaces set storage_billed_at = $3 where tenant_id = $1 and name = $2', [
      this.tenantId,
      name,
      billedUntil,
    ]);
  }
}

/** What the sweep across every tenant needs: live sandboxes past their expiry, and storage due for billing. */
export class SandboxSweepRepository {
  private readonly db: Database;

  constructor(db: Database) {
    this.db = db;
  }

  async expired(now: Date, limit: number): Promise<SandboxRecord[]> {
    const rows = await this.db.query<Row>(
      // A run's own sandbox lives as long as its run, however long the run waits for a person; it ends with the run.
      `select ${SANDBOX_COLUMNS} from sandboxes where status = 'live' and expires_at <= $1
         and (run_id is null or not exists (select 1 from runs where runs.id = sandboxes.run_id and runs.tenant_id = sandboxes.tenant_id
           and runs.status in ('queued', 'running', 'waiting_approval', 'waiting', 'needs_attention')))
       order by expires_at limit $2`,
      [now, limit],
    );
    return rows.map(toSandbox);
  }

  async storageDue(before: Date, limit: number): Promise<{ sandboxes: SandboxRecord[]; workspaces: SandboxWorkspaceRecord[] }> {
    const [sandboxes, workspaces] = await Promise.all([
      this.db.query<Row>(
        `select ${SANDBOX_COLUMNS} from sandboxes where status = 'live' and files_bytes > 0 and storage_billed_at <= $1 order by storage_billed_at limit $2`,
        [before, limit],
      ),
      this.db.query<Row>(
        'select * from sandbox_workspaces where files_bytes > 0 and storage_billed_at <= $1 order by storage_billed_at limit $2',
        [before, limit],
      ),
    ]);
    return { sandboxes: sandboxes.map(toSandbox), workspaces: workspaces.map(toWorkspace) };
  }
}
