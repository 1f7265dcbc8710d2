import { createHash } from 'node:crypto';
import type { SandboxesConfig } from '../config/index.js';
import { type Clock, HubError, newId, type Picos, picos, systemClock, usdToPicos } from '../core/index.js';
import type { CallAttribution, Principal, SpendGate } from '../economy/index.js';
import {
  type Database,
  SandboxesRepository,
  type SandboxFileInfo,
  SandboxFilesRepository,
  type SandboxRecord,
  type SandboxWorkspaceRecord,
} from '../storage/index.js';
import { type CodeLanguage, effectiveLimits, type SandboxLimits, type SandboxTemplate } from './limits.js';
import { sandboxPath, sandboxPathProblem } from './paths.js';
import type { CodeResult, ProviderSandbox, SandboxFetch, SandboxFetchAnswer, SandboxProvider } from './provider.js';

export interface CreateSandbox {
  template?: SandboxTemplate;
  timeoutS?: number;
  limits?: Partial<SandboxLimits>;
  network?: boolean;
  /** A kept workspace whose files the new sandbox starts with. */
  workspace?: string;
  provider?: 'local' | 'e2b';
  /** The agent run it is made for, with a deterministic id so that a replayed run finds it again. */
  runId?: string;
  id?: string;
}

/** Who a sandbox call acts for: the tenant, the key that pays, and (for agent runs) what the call is made for. */
export interface SandboxCaller {
  tenantId: string;
  keyId: string;
  attribution?: CallAttribution;
}

export interface CodeRunOutcome extends CodeResult {
  sandboxId: string;
  language: CodeLanguage;
  costPicos: Picos;
  /** The ledger row of the call's CPU time. */
  requestId: string;
}

export interface SandboxServiceDeps {
  db: Database;
  config: SandboxesConfig;
  spend: SpendGate;
  principalForKey: (tenantId: string, keyId: string) => Promise<Principal>;
  providers: Partial<Record<'local' | 'e2b', SandboxProvider>>;
  /** Makes a sandbox's outbound request under the upstream address policy (only for sandboxes granted the network). */
  fetch: (request: SandboxFetch, limits: SandboxLimits) => Promise<SandboxFetchAnswer>;
  clock?: Clock;
}

const SECOND_MS = 1000;
const HOUR_MS = 3_600_000;
const BYTES_PER_GB = 1_000_000_000n;
const WORKSPACE_NAME = /^[a-zA-Z0-9][a-zA-Z0-9._-]{0,63}$/;

const notFound = (id: string): HubError => new HubError('NOT_FOUND', `No sandbox \`${id}\`.`, { code: 'sandbox_not_found' });
const ended = (record: SandboxRecord): HubError =>
  new HubError('CONFLICT', `Sandbox \`${record.id}\` has ended (${record.endReason ?? 'deleted'}).`, { code: 'sandbox_ended' });

const versionOf = (content: Uint8Array): string => createHash('sha256').update(content).digest('base64url').slice(0, 22);

function providerSandbox(record: SandboxRecord): ProviderSandbox {
  return {
    id: record.id,
    tenantId: record.tenantId,
    remoteId: record.remoteId,
    template: record.template,
    limits: record.limits as unknown as SandboxLimits,
    network: record.network,
    timeoutS: record.timeoutS,
    calls: record.calls,
  };
}

/**
 * Sandboxes for one hub: made per tenant within a quota, their files kept in the database, their code run by a
 * provider, every call's CPU time reserved and billed on the ledger like tokens, storage billed by the hour, and
 * idle ones reclaimed.
 */
export class SandboxService {
  private readonly deps: SandboxServiceDeps;
  private readonly clock: Clock;
  private readonly files: SandboxFilesRepository;
  private readonly cpuSecondPicos: Picos;
  private readonly storageGbHourPicos: Picos;
  /** Calls of one sandbox on this replica, one after another (its files change under each). */
  private readonly chains = new Map<string, Promise<unknown>>();

  constructor(deps: SandboxServiceDeps) {
    this.deps = deps;
    this.clock = deps.clock ?? systemClock;
    this.files = new SandboxFilesRepository(deps.db);
    this.cpuSecondPicos = usdToPicos(deps.config.pricing.cpu_second_usd);
    this.storageGbHourPicos = usdToPicos(deps.config.pricing.storage_gb_hour_usd);
  }

  private repo(tenantId: string): SandboxesRepository {
    return new SandboxesRepository(this.deps.db, tenantId);
  }

  private provider(name: string): SandboxProvider {
    const provider = this.deps.providers[name as 'local' | 'e2b'];
    if (!provider) {
      throw new HubError('INVALID_REQUEST', `The ${name} sandbox provider is not configured on this hub.`, {
        param: 'provider',
        code: 'provider_unavailable',
      });
    }
    return provider;
  }

  /** CPU time at the configured price, rounded up to the picodollar. */
  cpuCost(cpuMs: number): Picos {
    const micros = BigInt(Math.ceil(cpuMs * 1000));
    return picos((this.cpuSecondPicos * micros + 999_999n) / 1_000_000n);
  }

  storageCost(byteSeconds: bigint): Picos {
    const perGbSecond = this.storageGbHourPicos;
    return picos((perGbSecond * byteSeconds + BYTES_PER_GB * 3600n - 1n) / (BYTES_PER_GB * 3600n));
  }

  async create(caller: SandboxCaller, request: CreateSandbox): Promise<SandboxRecord> {
    const { config } = this.deps;
    const repo = this.repo(caller.tenantId);
    if (request.id) {
      const existing = await repo.get(request.id);
      if (existing) return existing;
    }
    const limits = effectiveLimits(request.limits, config.limits, config.max_limits);
    const timeoutS = request.timeoutS ?? config.default_timeout_s;
    if (timeoutS > config.max_timeout_s) {
      throw new HubError('INVALID_REQUEST', `timeout_s may be at most ${config.max_timeout_s} on this hub.`, {
        param: 'timeout_s',
        code: 'limit_too_high',
      });
    }
    if (request.network && !config.allow_network) {
      throw new HubError('FORBIDDEN', 'This hub grants sandboxes no network (sandboxes.allow_network is off).', {
        param: 'network',
        code: 'network_not_allowed',
      });
    }
    const providerName = request.provider ?? config.tenant_providers[caller.tenantId] ?? config.provider;
    this.provider(providerName);
    if (request.network && providerName === 'e2b') {
      // An E2B sandbox with internet reaches it from E2B's network, past the hub's address policy.
      throw new HubError(
        'INVALID_REQUEST',
        'Sandboxes on E2B are made without network: the hub cannot hold their traffic to its address policy.',
        {
          param: 'network',
          code: 'network_not_supported',
        },
      );
    }
    const principal = await this.deps.principalForKey(caller.tenantId, caller.keyId);
    let workspace: SandboxWorkspaceRecord | undefined;
    if (request.workspace !== undefined) {
      workspace = await repo.workspace(request.workspace);
      if (!workspace) {
        throw new HubError('NOT_FOUND', `No workspace \`${request.workspace}\`.`, { param: 'workspace', code: 'workspace_not_found' });
      }
      if (workspace.filesBytes > limits.storage_bytes || workspace.filesCount > limits.max_files) {
        throw new HubError('INVALID_REQUEST', `Workspace \`${workspace.name}\` holds more than this sandbox's storage limits allow.`, {
          param: 'workspace',
          code: 'storage_quota_exceeded',
        });
      }
    }
    const live = await repo.countLive();
    if (live >= config.max_live_per_tenant) {
      throw new HubError('CONFLICT', `This tenant already has ${live} live sandboxes, the most this hub allows; delete one first.`, {
        code: 'sandbox_quota_exceeded',
      });
    }
    const now = new Date(this.clock.now());
    return repo.insert(
      {
        id: request.id ?? newId('sbx'),
        projectId: principal.projectId,
        keyId: caller.keyId,
        provider: providerName,
        remoteId: null,
        template: request.template ?? 'code',
        status: 'live',
        limits: { ...limits },
        network: request.network ?? false,
        timeoutS,
        runId: request.runId ?? null,
        workspace: request.workspace ?? null,
        storageBilledAt: now,
        createdAt: now,
        lastUsedAt: now,
        expiresAt: new Date(now.getTime() + timeoutS * SECOND_MS),
      },
      workspace?.filesOwner,
    );
  }

  async get(tenantId: string, id: string): Promise<SandboxRecord> {
    const record = await this.repo(tenantId).get(id);
    if (!record) throw notFound(id);
    return record;
  }

  list(tenantId: string, options: { status?: 'live' | 'deleted'; before?: Date; limit: number }): Promise<SandboxRecord[]> {
    return this.repo(tenantId).list(options);
  }

  private async live(tenantId: string, id: string): Promise<SandboxRecord> {
    const record = await this.get(tenantId, id);
    if (record.status !== 'live') throw ended(record);
    return record;
  }

  /** Ends a sandbox: its process or VM is freed, its files dropped (keep them first as a workspace), its storage billed. */
  async delete(tenantId: string, id: string, reason = 'deleted'): Promise<SandboxRecord> {
    const record = await this.get(tenantId, id);
    if (record.status !== 'live') return record;
    await this.billStorage(record, new Date(this.clock.now()));
    await this.provider(record.provider)
      .release(providerSandbox(record))
      .catch(() => {});
    await this.repo(tenantId).end(id, reason, new Date(this.clock.now()));
    return this.get(tenantId, id);
  }

  /** Runs code in the sandbox: its worst case reserved first, its CPU time billed after, its file changes kept within quota. */
  runCode(caller: SandboxCaller, id: string, call: { language: CodeLanguage; code: string }): Promise<CodeRunOutcome> {
    const previous = this.chains.get(id) ?? Promise.resolve();
    const next = previous.catch(() => {}).then(() => this.runCodeNow(caller, id, call));
    this.chains.set(id, next);
    void next
      .catch(() => {})
      .finally(() => {
        if (this.chains.get(id) === next) this.chains.delete(id);
      });
    return next;
  }

  private async runCodeNow(caller: SandboxCaller, id: string, call: { language: CodeLanguage; code: string }): Promise<CodeRunOutcome> {
    const record = await this.live(caller.tenantId, id);
    if (record.template === 'files') {
      throw new HubError('INVALID_REQUEST', `Sandbox \`${id}\` was made from the \`files\` template, which runs no code.`, {
        code: 'template_runs_no_code',
      });
    }
    const limits = record.limits as unknown as SandboxLimits;
    const provider = this.provider(record.provider);
    const principal = await this.deps.principalForKey(caller.tenantId, caller.keyId);
    const requestId = newId('sbxcall');
    // The watch kills a call a little past its CPU limit: the reservation covers that much.
    const admission = await this.deps.spend.admit(principal, {
      requestId,
      worstCase: this.cpuCost(limits.cpu_ms + 1_000),
      ...(caller.attribution ? { attribution: caller.attribution } : {}),
    });
    const started = this.clock.now();
    const listing = await this.files.list(id);
    const manifest = Object.fromEntries(listing.map((file) => [file.path, file.version]));
    let result: CodeResult;
    try {
      result = await provider.run(providerSandbox(record), call, {
        files: {
          manifest,
          load: async (paths) => {
            const loaded = await this.files.readMany(id, paths);
            return Object.fromEntries([...loaded].map(([path, file]) => [path, file.content]));
          },
        },
        fetch: (request) => {
          // The provider only asks for a sandbox granted the network; a request from one that was not is refused here too.
          if (!record.network) return Promise.reject(new Error('this sandbox has no network'));
          return this.deps.fetch(request, limits);
        },
      });
    } catch (error) {
      await admission.settle({
        item: `sandbox:${call.language}`,
        providerId: record.provider,
        sandboxId: id,
        cpuMs: 0,
        costPicos: picos(0n),
        status: 500,
        errorCode: 'sandbox_failed',
        latencyMs: this.clock.now() - started,
      });
      throw new HubError('INTERNAL', `The sandbox could not run the code: ${error instanceof Error ? error.message : String(error)}`, {
        code: 'sandbox_failed',
      });
    }
    if (result.remoteId && result.remoteId !== record.remoteId) await this.repo(caller.tenantId).setRemoteId(id, result.remoteId);
    const saved = await this.keepChanges(record, result, limits);
    // Billed by the whole millisecond, rounded up: the ledger's cpu_ms times the price is exactly the row's cost.
    const cpuMs = Math.ceil(result.cpuMs);
    const cost = this.cpuCost(cpuMs);
    await admission.settle({
      item: `sandbox:${call.language}`,
      providerId: record.provider,
      sandboxId: id,
      cpuMs,
      costPicos: cost,
      status: 200,
      errorCode: result.error?.code ?? null,
      latencyMs: this.clock.now() - started,
    });
    await this.repo(caller.tenantId).recordCall(id, { at: new Date(this.clock.now()), cpuMs, costPicos: cost });
    return { ...result, ...saved, cpuMs, sandboxId: id, language: call.language, costPicos: cost, requestId };
  }

  /** The call's file changes, kept whole or not at all; what could not be kept is reported, never silently lost. */
  private async keepChanges(record: SandboxRecord, result: CodeResult, limits: SandboxLimits): Promise<Partial<CodeResult>> {
    const skipped = [...result.skipped];
    const write: { path: string; content: Uint8Array; version: string }[] = [];
    for (const [path, content] of Object.entries(result.changed)) {
      const problem = sandboxPathProblem(path);
      if (problem) skipped.push({ path, reason: `not a valid sandbox path: it ${problem}` });
      else write.push({ path, content, version: versionOf(content) });
    }
    const remove = result.removed.filter((path) => sandboxPathProblem(path) === undefined);
    const changed = Object.fromEntries(write.map((file) => [file.path, file.content]));
    if (write.length === 0 && remove.length === 0) return { skipped, changed, removed: remove };
    const outcome = await this.repo(record.tenantId).changeFiles(
      record.id,
      { write, remove },
      { maxBytes: limits.storage_bytes, maxFiles: limits.max_files },
      new Date(this.clock.now()),
    );
    if (outcome && !outcome.ok) {
      const what = outcome.reason === 'storage' ? `${limits.storage_bytes} bytes` : `${limits.max_files} files`;
      const error = {
        name: 'StorageQuotaExceeded',
        message: `the files the code wrote were not kept: they would pass the sandbox's limit of ${what}`,
        code: 'storage_quota_exceeded',
      };
      return { skipped, error: result.error ?? error, changed: {}, removed: [] };
    }
    this.deps.providers[record.provider as 'local' | 'e2b']?.acknowledge?.(
      record.id,
      Object.fromEntries(write.map((file) => [file.path, file.version])),
    );
    return { skipped, changed, removed: remove };
  }

  async listFiles(tenantId: string, id: string, prefix?: string): Promise<SandboxFileInfo[]> {
    await this.get(tenantId, id);
    return this.files.list(id, prefix);
  }

  async readFile(tenantId: string, id: string, path: string): Promise<SandboxFileInfo & { content: Uint8Array }> {
    await this.live(tenantId, id);
    const file = await this.files.read(id, sandboxPath(path));
    if (!file) throw new HubError('NOT_FOUND', `No file \`${path}\` in sandbox \`${id}\`.`, { code: 'file_not_found' });
    return file;
  }

  async writeFile(tenantId: string, id: string, path: string, content: Uint8Array): Promise<SandboxFileInfo> {
    const record = await this.live(tenantId, id);
    const limits = record.limits as unknown as SandboxLimits;
    const version = versionOf(content);
    const at = new Date(this.clock.now());
    const outcome = await this.repo(tenantId).changeFiles(
      id,
      { write: [{ path: sandboxPath(path), content, version }], remove: [] },
      { maxBytes: limits.storage_bytes, maxFiles: limits.max_files },
      at,
    );
    if (!outcome) throw ended(record);
    if (!outcome.ok) {
      const detail = outcome.reason === 'storage' ? `${limits.storage_bytes} bytes of files` : `${limits.max_files} files`;
      throw new HubError('PAYLOAD_TOO_LARGE', `Sandbox \`${id}\` may hold at most ${detail}; this file would pass it.`, {
        code: 'storage_quota_exceeded',
      });
    }
    await this.repo(tenantId).touch(id, at);
    return { path, size: content.byteLength, version, updatedAt: at };
  }

  async deleteFile(tenantId: string, id: string, path: string): Promise<void> {
    const record = await this.live(tenantId, id);
    const existing = await this.files.read(id, sandboxPath(path));
    if (!existing) throw new HubError('NOT_FOUND', `No file \`${path}\` in sandbox \`${id}\`.`, { code: 'file_not_found' });
    const limits = record.limits as unknown as SandboxLimits;
    await this.repo(tenantId).changeFiles(
      id,
      { write: [], remove: [path] },
      { maxBytes: limits.storage_bytes, maxFiles: limits.max_files },
      new Date(this.clock.now()),
    );
  }

  /** Keeps the sandbox's files as they are now as a named workspace, which later sandboxes can start from. */
  async keep(tenantId: string, id: string, name: string): Promise<SandboxWorkspaceRecord> {
    if (!WORKSPACE_NAME.test(name)) {
      throw new HubError('INVALID_REQUEST', 'A workspace name is 1-64 letters, digits, ".", "_" or "-", starting with a letter or digit.', {
        param: 'name',
        code: 'invalid_workspace_name',
      });
    }
    const record = await this.live(tenantId, id);
    const at = new Date(this.clock.now());
    const { workspace, replaced } = await this.repo(tenantId).keepWorkspace(name, record, newId('wsf'), at);
    if (replaced) await this.billWorkspace(replaced, at);
    return workspace;
  }

  workspaces(tenantId: string): Promise<SandboxWorkspaceRecord[]> {
    return this.repo(tenantId).workspaces();
  }

  async deleteWorkspace(tenantId: string, name: string): Promise<void> {
    const workspace = await this.repo(tenantId).workspace(name);
    if (!workspace) throw new HubError('NOT_FOUND', `No workspace \`${name}\`.`, { code: 'workspace_not_found' });
    await this.billWorkspace(workspace, new Date(this.clock.now()));
    await this.repo(tenantId).deleteWorkspace(name);
  }

  /** Ends the sandboxes an agent run made, unless they were kept as workspaces first (a kept workspace outlives them). */
  async endForRun(tenantId: string, runId: string): Promise<void> {
    for (const record of await this.repo(tenantId).byRun(runId)) {
      if (record.status === 'live') await this.delete(tenantId, record.id, 'run_ended');
    }
  }

  /** Frees the processes of a paused run's sandboxes (their files stay; the run's next code starts with fresh state). */
  async releaseForRun(tenantId: string, runId: string): Promise<void> {
    for (const record of await this.repo(tenantId).byRun(runId)) {
      if (record.status === 'live') await this.deps.providers[record.provider as 'local' | 'e2b']?.release(providerSandbox(record));
    }
  }

  /** Bills a sandbox's storage from its last bill until `until`: bytes held × seconds, at the configured price. */
  async billStorage(record: SandboxRecord, until: Date): Promise<void> {
    const billed = await this.chargeStorage(
      { tenantId: record.tenantId, keyId: record.keyId, providerId: record.provider, sandboxId: record.id },
      record,
      until,
    );
    if (billed) await this.repo(record.tenantId).addCost(record.id, billed.cost, billed.until);
  }

  private async billWorkspace(workspace: SandboxWorkspaceRecord, until: Date): Promise<void> {
    const account = {
      tenantId: workspace.tenantId,
      keyId: workspace.keyId,
      providerId: 'workspace',
      sandboxId: `workspace:${workspace.name}`,
    };
    const billed = await this.chargeStorage(account, workspace, until);
    if (billed) await this.repo(workspace.tenantId).markWorkspaceBilled(workspace.name, billed.until);
  }

  /**
   * Charges the bytes held × whole seconds since the last bill, at the configured price; answers the cost and the
   * time billed up to (the seconds' remainder waits for the next bill), or undefined when nothing is due.
   */
  private async chargeStorage(
    account: { tenantId: string; keyId: string | null; providerId: string; sandboxId: string },
    held: { filesBytes: number; storageBilledAt: Date },
    until: Date,
  ): Promise<{ cost: Picos; until: Date } | undefined> {
    const seconds = Math.floor((until.getTime() - held.storageBilledAt.getTime()) / SECOND_MS);
    if (seconds <= 0 || held.filesBytes === 0) return undefined;
    const byteSeconds = BigInt(held.filesBytes) * BigInt(seconds);
    const cost = this.storageCost(byteSeconds);
    await this.deps.spend.charge({ tenantId: account.tenantId, keyId: account.keyId }, newId('sbxstore'), {
      item: 'sandbox:storage',
      providerId: account.providerId,
      sandboxId: account.sandboxId,
      storageByteSeconds: Number(byteSeconds),
      costPicos: cost,
      status: 200,
      latencyMs: 0,
    });
    return { cost, until: new Date(held.storageBilledAt.getTime() + seconds * SECOND_MS) };
  }

  /** Bills storage that has gone an hour unbilled (live sandboxes and kept workspaces). */
  async billDueStorage(sweep: {
    storageDue: (before: Date, limit: number) => Promise<{ sandboxes: SandboxRecord[]; workspaces: SandboxWorkspaceRecord[] }>;
  }): Promise<number> {
    const now = new Date(this.clock.now());
    const { sandboxes, workspaces } = await sweep.storageDue(new Date(now.getTime() - HOUR_MS), 100);
    for (const record of sandboxes) await this.billStorage(record, now);
    for (const workspace of workspaces) await this.billWorkspace(workspace, now);
    return sandboxes.length + workspaces.length;
  }
}
