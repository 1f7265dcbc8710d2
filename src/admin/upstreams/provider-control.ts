import { createHash } from 'node:crypto';
import { normalizeProviderBaseUrl, type ProviderConfig, providerSchema } from '../../config/index.js';
import { HubError, type SecretBox, sealedKeyId } from '../../core/index.js';
import type { EconomyLogger } from '../../economy/index.js';
import { type UpstreamAddressPolicy, type UpstreamRegistry, unavailableProvider } from '../../routing/index.js';
import type { UpstreamProviderRecord, UpstreamProvidersRepository, UpstreamProviderValues } from '../../storage/index.js';
import type * as Api from '../contract.js';
import { mergePatch } from './merge-patch.js';
import { openProviderSecrets, type ProviderSecrets, sealProviderSecrets } from './provider-secrets.js';
import type { CreateProviderBody, UpdateProviderBody } from './validation.js';

/** What is stored in the clear: everything but the API key and headers. */
interface ProviderSettings {
  preset?: string;
  base_url?: string;
  max_connections: number;
  responses_api?: boolean;
}

interface LoadedProvider {
  record: UpstreamProviderRecord;
  settings: ProviderSettings;
  /** Hash of the full effective config, secrets included, so an unchanged row is not rebuilt. */
  fingerprint: string;
  problem: string | null;
  hasApiKey: boolean;
}

export interface ProviderControlDeps {
  repository: UpstreamProvidersRepository;
  registry: UpstreamRegistry;
  box: SecretBox | undefined;
  policy: UpstreamAddressPolicy;
  /** The config file's providers: read-only here, and their ids are taken. */
  configured: readonly ProviderConfig[];
  logger: EconomyLogger;
  /** Tells the other replicas a provider changed. */
  announce(id: string): Promise<void>;
}

const notFound = (id: string): HubError =>
  new HubError('NOT_FOUND', `No provider with id ${id}.`, { code: 'provider_not_found', param: 'id' });
const exists = (id: string): HubError =>
  new HubError('CONFLICT', `Provider ${id} already exists.`, { code: 'provider_exists', param: 'id' });
const readOnly = (id: string): HubError =>
  new HubError('CONFLICT', `Provider ${id} is defined in the config file; change it there.`, { code: 'provider_in_config' });

function settingsOf(value: unknown): ProviderSettings {
  const record = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
  return {
    ...(typeof record.preset === 'string' ? { preset: record.preset } : {}),
    ...(typeof record.base_url === 'string' ? { base_url: record.base_url } : {}),
    max_connections: typeof record.max_connections === 'number' ? record.max_connections : 256,
    ...(typeof record.responses_api === 'boolean' ? { responses_api: record.responses_api } : {}),
  };
}

function effectiveConfig(id: string, type: string, settings: ProviderSettings, secrets: ProviderSecrets): ProviderConfig {
  const parsed = providerSchema.safeParse({ id, type, ...settings, ...secrets });
  if (!parsed.success)
    throw new HubError('INVALID_REQUEST', `stored settings are invalid: ${parsed.error.issues[0]?.message ?? 'unknown'}`);
  return parsed.data;
}

const fingerprintOf = (config: ProviderConfig): string => createHash('sha256').update(JSON.stringify(config)).digest('hex');

/** Providers created through the admin API: stored with sealed secrets, served through the registry, kept in step across replicas. */
export class ProviderControl {
  private readonly deps: ProviderControlDeps;
  private readonly loaded = new Map<string, LoadedProvider>();
  private readonly configuredById: Map<string, ProviderConfig>;

  constructor(deps: ProviderControlDeps) {
    this.deps = deps;
    this.configuredById = new Map(deps.configured.map((provider) => [provider.id, provider]));
  }

  /** Serves every stored provider and drops served ones whose rows are gone. */
  async loadAll(): Promise<void> {
    const records = await this.deps.repository.list();
    const ids = new Set(records.map((record) => record.id));
    for (const id of [...this.loaded.keys()]) if (!ids.has(id)) this.forget(id);
    for (const record of records) await this.apply(record);
  }

  /** Re-reads one provider after another replica changed it. */
  async reload(id: string): Promise<void> {
    const record = await this.deps.repository.get(id);
    if (record) await this.apply(record);
    else this.forget(id);
  }

  unavailable(): string[] {
    return [...this.loaded.values()].flatMap((entry) => (entry.problem ? [entry.record.id] : []));
  }

  problems(): string[] {
    return [...this.loaded.values()].flatMap((entry) => (entry.problem ? [`provider ${entry.record.id}: ${entry.problem}`] : []));
  }

  get count(): number {
    return this.loaded.size;
  }

  list(): Api.UpstreamProvider[] {
    return [
      ...this.deps.configured.map((config) => this.configuredView(config)),
      ...[...this.loaded.values()].map((entry) => this.view(entry)),
    ];
  }

  /** The base URL a provider was given (null: its preset's default), for trace attributes; no allocation per call. */
  baseUrlOf(id: string): string | null {
    return this.loaded.get(id)?.settings.base_url ?? this.configuredById.get(id)?.base_url ?? null;
  }

  get(id: string): Api.UpstreamProvider {
    const configured = this.configuredById.get(id);
    if (configured) return this.configuredView(configured);
    const entry = this.loaded.get(id);
    if (!entry) throw notFound(id);
    return this.view(entry);
  }

  /** As `get`, but a provider this replica has not heard of yet (created on another one a moment ago) is read from the database. */
  async find(id: string): Promise<Api.UpstreamProvider> {
    if (!this.configuredById.has(id) && !this.loaded.has(id)) await this.reload(id);
    return this.get(id);
  }

  async create(body: CreateProviderBody): Promise<Api.UpstreamProvider> {
    if (this.configuredById.has(body.id)) throw readOnly(body.id);
    if (this.loaded.has(body.id)) throw exists(body.id);
    const settings: ProviderSettings = {
      ...(body.preset !== undefined ? { preset: body.preset } : {}),
      ...(body.base_url !== undefined ? { base_url: normalizeProviderBaseUrl(body.type, body.base_url) } : {}),
      max_connections: body.max_connections,
      ...(body.responses_api !== undefined ? { responses_api: body.responses_api } : {}),
    };
    const secrets: ProviderSecrets = {
      ...(body.api_key !== undefined ? { api_key: body.api_key } : {}),
      ...(body.headers !== undefined ? { headers: body.headers } : {}),
    };
    return this.commit(
      body.id,
      body.type,
      settings,
      secrets,
      (values) => this.deps.repository.create(body.id, values),
      () => exists(body.id),
    );
  }

  async update(id: string, patch: UpdateProviderBody): Promise<Api.UpstreamProvider> {
    if (this.configuredById.has(id)) throw readOnly(id);
    // The patch applies to the stored row, not to what this replica last heard: another replica may have changed it.
    await this.reload(id);
    const current = this.loaded.get(id);
    if (!current) throw notFound(id);
    const { api_key: _apiKey, headers: _headers, ...settingsPatch } = patch;
    const settings = mergePatch(current.settings, settingsPatch);
    if (settings.base_url !== undefined) settings.base_url = normalizeProviderBaseUrl(current.record.type, settings.base_url);
    if (current.record.type === 'openai' && settings.base_url === undefined && settings.preset === undefined) {
      throw new HubError('INVALID_REQUEST', 'Invalid base_url: base_url or preset is required', { param: 'base_url' });
    }
    // Only open the stored secrets when the patch keeps some of them.
    const keepsSecrets = patch.api_key === undefined || patch.headers === undefined;
    const stored = keepsSecrets ? this.openOrExplain(current.record) : {};
    const secrets: ProviderSecrets = {};
    const apiKey = patch.api_key === undefined ? stored.api_key : (patch.api_key ?? undefined);
    const headers = patch.headers === undefined ? stored.headers : (patch.headers ?? undefined);
    if (apiKey !== undefined) secrets.api_key = apiKey;
    if (headers !== undefined && Object.keys(headers).length > 0) secrets.headers = headers;
    return this.commit(
      id,
      current.record.type,
      settings,
      secrets,
      (values) => this.deps.repository.replace(id, values),
      () => {
        this.forget(id);
        return notFound(id);
      },
    );
  }

  async delete(id: string): Promise<Api.UpstreamProvider> {
    if (this.configuredById.has(id)) throw readOnly(id);
    await this.reload(id);
    const current = this.loaded.get(id);
    if (!current) throw notFound(id);
    const users = this.deps.registry.modelsUsingProvider(id);
    if (users.length > 0) {
      throw new HubError('CONFLICT', `Provider ${id} is a target of ${users.join(', ')}; change or delete those models first.`, {
        code: 'provider_in_use',
      });
    }
    const view = this.view(current);
    await this.deps.repository.delete(id);
    this.forget(id);
    await this.deps.announce(id);
    return view;
  }

  /** Re-seals every stored secret under the current key; refuses (changing nothing) when one does not open. */
  async rotate(): Promise<Omit<Api.SecretRotation, 'tool_secrets_resealed'>> {
    const box = this.deps.box;
    if (!box) {
      throw new HubError('INVALID_REQUEST', 'TOKENHUB_SECRET_KEY is not set: there is no key to rotate to.', {
        code: 'secret_key_not_configured',
      });
    }
    let providers = 0;
    const resealed = await this.deps.repository.resealAll((id, sealed) => {
      providers++;
      if (sealedKeyId(sealed) === box.keyId) return sealed;
      try {
        return box.seal(box.open(sealed, id), id);
      } catch (error) {
        throw new HubError('CONFLICT', `Provider ${id} cannot be re-sealed: ${(error as Error).message}. Nothing was changed.`, {
          code: 'secret_unreadable',
        });
      }
    });
    await this.loadAll();
    return { object: 'secret_rotation', key_id: box.keyId, resealed, providers };
  }

  /**
   * Seals the secrets, builds the provider (the URL policy is checked here), stores the row and only then
   * serves it and tells the other replicas; a refusal at any step leaves what was served as it was.
   * `store` answers undefined when the row cannot be written (taken id, vanished row): `refused` says why.
   */
  private async commit(
    id: string,
    type: string,
    settings: ProviderSettings,
    secrets: ProviderSecrets,
    store: (values: UpstreamProviderValues) => Promise<UpstreamProviderRecord | undefined>,
    refused: () => HubError,
  ): Promise<Api.UpstreamProvider> {
    const sealedSecrets = sealProviderSecrets(this.deps.box, id, secrets);
    const config = effectiveConfig(id, type, settings, secrets);
    const provider = await this.deps.registry.prepare(config, this.deps.policy);
    const record = await store({ type, settings, headerNames: Object.keys(secrets.headers ?? {}), sealedSecrets }).catch(
      async (error: unknown) => {
        await provider.close();
        throw error;
      },
    );
    if (!record) {
      await provider.close();
      throw refused();
    }
    this.deps.registry.putProvider(provider);
    const entry: LoadedProvider = {
      record,
      settings,
      fingerprint: fingerprintOf(config),
      problem: null,
      hasApiKey: secrets.api_key !== undefined,
    };
    this.loaded.set(id, entry);
    await this.deps.announce(id);
    return this.view(entry);
  }

  private openOrExplain(record: UpstreamProviderRecord): ProviderSecrets {
    try {
      return openProviderSecrets(this.deps.box, record.id, record.sealedSecrets);
    } catch (error) {
      throw new HubError(
        'CONFLICT',
        `The stored secrets of provider ${record.id} cannot be opened (${(error as Error).message}); set api_key and headers anew to replace them.`,
        { code: 'secret_unreadable' },
      );
    }
  }

  private async apply(record: UpstreamProviderRecord): Promise<void> {
    const settings = settingsOf(record.settings);
    let config: ProviderConfig;
    let secrets: ProviderSecrets;
    try {
      secrets = openProviderSecrets(this.deps.box, record.id, record.sealedSecrets);
      config = effectiveConfig(record.id, record.type, settings, secrets);
    } catch (error) {
      this.serveUnavailable(record, settings, (error as Error).message);
      return;
    }
    const fingerprint = fingerprintOf(config);
    const current = this.loaded.get(record.id);
    if (current && current.fingerprint === fingerprint && current.problem === null) {
      current.record = record;
      return;
    }
    try {
      const provider = await this.deps.registry.prepare(config, this.deps.policy, 'literal');
      this.deps.registry.putProvider(provider);
      this.loaded.set(record.id, { record, settings, fingerprint, problem: null, hasApiKey: secrets.api_key !== undefined });
    } catch (error) {
      this.serveUnavailable(record, settings, (error as Error).message);
    }
  }

  private serveUnavailable(record: UpstreamProviderRecord, settings: ProviderSettings, problem: string): void {
    this.deps.logger.error({ provider: record.id, problem }, 'stored provider cannot be served');
    this.deps.registry.putProvider(unavailableProvider(record.id, problem));
    this.loaded.set(record.id, { record, settings, fingerprint: '', problem, hasApiKey: record.sealedSecrets !== null });
  }

  private forget(id: string): void {
    this.loaded.delete(id);
    this.deps.registry.deleteProvider(id);
  }

  private view(entry: LoadedProvider): Api.UpstreamProvider {
    const { record, settings } = entry;
    const type = record.type === 'anthropic' ? 'anthropic' : 'openai';
    return {
      id: record.id,
      type,
      source: 'admin',
      preset: settings.preset ?? null,
      base_url: settings.base_url ?? null,
      has_api_key: entry.hasApiKey,
      header_names: record.headerNames,
      max_connections: settings.max_connections,
      responses_api: this.deps.registry.nativeResponses.has(record.id),
      status: entry.problem ? 'unavailable' : 'ready',
      problem: entry.problem,
      secret_key_id: record.sealedSecrets ? (sealedKeyId(record.sealedSecrets) ?? null) : null,
      models: this.deps.registry.modelsUsingProvider(record.id),
      created_at: record.createdAt.toISOString(),
      updated_at: record.updatedAt.toISOString(),
    };
  }

  private configuredView(config: ProviderConfig): Api.UpstreamProvider {
    return {
      id: config.id,
      type: config.type,
      source: 'config',
      preset: config.preset ?? null,
      base_url: config.base_url ?? null,
      has_api_key: config.api_key !== undefined && config.api_key !== '',
      header_names: Object.keys(config.headers ?? {}),
      max_connections: config.max_connections,
      responses_api: this.deps.registry.nativeResponses.has(config.id),
      status: 'ready',
      problem: null,
      secret_key_id: null,
      models: this.deps.registry.modelsUsingProvider(config.id),
      created_at: null,
      updated_at: null,
    };
  }
}
