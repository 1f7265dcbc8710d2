import { type ModelConfig, modelSchema } from '../../config/index.js';
import { HubError } from '../../core/index.js';
import type { EconomyLogger, PriceBook } from '../../economy/index.js';
import type { UpstreamRegistry } from '../../routing/index.js';
import type { RoutedModelRecord, RoutedModelsRepository } from '../../storage/index.js';
import type * as Api from '../contract.js';
import { mergePatch } from './merge-patch.js';
import type { CreateModelBody, UpdateModelBody } from './validation.js';

interface LoadedModel {
  record: RoutedModelRecord;
  config: ModelConfig;
}

export interface ModelControlDeps {
  repository: RoutedModelsRepository;
  registry: UpstreamRegistry;
  prices: PriceBook;
  /** The config file's models: read-only here, and their names are taken. */
  configured: readonly ModelConfig[];
  logger: EconomyLogger;
  announce(name: string): Promise<void>;
  /** Reads a provider this replica has not heard of yet from the database; true when it exists. */
  refreshProvider(id: string): Promise<boolean>;
}

const notFound = (name: string): HubError =>
  new HubError('NOT_FOUND', `No model named ${name}.`, { code: 'model_not_found', param: 'name' });
const exists = (name: string): HubError =>
  new HubError('CONFLICT', `Model ${name} already exists.`, { code: 'model_exists', param: 'name' });
const readOnly = (name: string): HubError =>
  new HubError('CONFLICT', `Model ${name} is defined in the config file; change it there.`, { code: 'model_in_config' });

/** What is stored: the config file's model shape without the name (the row's key). */
function specOf(config: ModelConfig): Omit<ModelConfig, 'name'> {
  const { name: _name, ...spec } = config;
  return spec;
}

function modelView(config: ModelConfig, source: Api.RoutedModel['source'], record?: RoutedModelRecord): Api.RoutedModel {
  return {
    name: config.name,
    kind: config.kind,
    source,
    targets: config.targets.map((target) => ({ provider: target.provider, model: target.model, weight: target.weight })),
    fallbacks: config.fallbacks,
    pricing: config.pricing ?? null,
    max_output_tokens: config.max_output_tokens ?? null,
    context_window: config.context_window ?? null,
    created_at: record ? record.createdAt.toISOString() : null,
    updated_at: record ? record.updatedAt.toISOString() : null,
  };
}

/** Model routes created through the admin API: stored, served through the registry and priced by the economy. */
export class ModelControl {
  private readonly deps: ModelControlDeps;
  private readonly loaded = new Map<string, LoadedModel>();
  private readonly configuredByName: Map<string, ModelConfig>;

  constructor(deps: ModelControlDeps) {
    this.deps = deps;
    this.configuredByName = new Map(deps.configured.map((model) => [model.name, model]));
  }

  async loadAll(): Promise<void> {
    const records = await this.deps.repository.list();
    const names = new Set(records.map((record) => record.name));
    for (const name of [...this.loaded.keys()]) if (!names.has(name)) this.forget(name);
    for (const record of records) this.apply(record);
  }

  async reload(name: string): Promise<void> {
    const record = await this.deps.repository.get(name);
    if (record) this.apply(record);
    else this.forget(name);
  }

  get count(): number {
    return this.loaded.size;
  }

  list(): Api.RoutedModel[] {
    return [
      ...this.deps.configured.map((config) => modelView(config, 'config')),
      ...[...this.loaded.values()].map((entry) => modelView(entry.config, 'admin', entry.record)),
    ];
  }

  get(name: string): Api.RoutedModel {
    const configured = this.configuredByName.get(name);
    if (configured) return modelView(configured, 'config');
    const entry = this.loaded.get(name);
    if (!entry) throw notFound(name);
    return modelView(entry.config, 'admin', entry.record);
  }

  /** As `get`, but a model this replica has not heard of yet is read from the database. */
  async find(name: string): Promise<Api.RoutedModel> {
    if (!this.configuredByName.has(name) && !this.loaded.has(name)) await this.reload(name);
    return this.get(name);
  }

  async create(body: CreateModelBody): Promise<Api.RoutedModel> {
    if (this.configuredByName.has(body.name)) throw readOnly(body.name);
    if (this.loaded.has(body.name)) throw exists(body.name);
    const config: ModelConfig = body;
    await this.checkReferences(config);
    const record = await this.deps.repository.create(config.name, specOf(config));
    if (!record) throw exists(body.name);
    this.serve(record, config);
    await this.deps.announce(config.name);
    return modelView(config, 'admin', record);
  }

  async update(name: string, patch: UpdateModelBody): Promise<Api.RoutedModel> {
    if (this.configuredByName.has(name)) throw readOnly(name);
    // The patch applies to the stored row, not to what this replica last heard.
    await this.reload(name);
    const current = this.loaded.get(name);
    if (!current) throw notFound(name);
    const config = mergePatch(current.config, patch);
    await this.checkReferences(config);
    const record = await this.deps.repository.replace(name, specOf(config));
    if (!record) {
      this.forget(name);
      throw notFound(name);
    }
    this.serve(record, config);
    await this.deps.announce(name);
    return modelView(config, 'admin', record);
  }

  /** Refused while another model falls back to it, counting models created on other replicas: every row is re-read first. */
  async delete(name: string): Promise<Api.RoutedModel> {
    if (this.configuredByName.has(name)) throw readOnly(name);
    await this.loadAll();
    const current = this.loaded.get(name);
    if (!current) throw notFound(name);
    const dependents = this.deps.registry.modelsFallingBackTo(name);
    if (dependents.length > 0) {
      throw new HubError('CONFLICT', `Model ${name} is a fallback of ${dependents.join(', ')}; change those models first.`, {
        code: 'model_in_use',
      });
    }
    await this.deps.repository.delete(name);
    this.forget(name);
    await this.deps.announce(name);
    return modelView(current.config, 'admin', current.record);
  }

  /** Targets and fallbacks must exist; ones created on another replica a moment ago are read from the database. */
  private async checkReferences(config: ModelConfig): Promise<void> {
    for (const [index, target] of config.targets.entries()) {
      if (this.deps.registry.providers.has(target.provider) || (await this.deps.refreshProvider(target.provider))) continue;
      throw new HubError('INVALID_REQUEST', `Invalid targets.${index}.provider: unknown provider "${target.provider}"`, {
        param: `targets.${index}.provider`,
      });
    }
    for (const [index, fallback] of config.fallbacks.entries()) {
      const param = `fallbacks.${index}`;
      if (fallback === config.name)
        throw new HubError('INVALID_REQUEST', `Invalid ${param}: a model cannot fall back to itself`, { param });
      if (!this.deps.registry.catalog.find(fallback)) await this.reload(fallback);
      if (!this.deps.registry.catalog.find(fallback))
        throw new HubError('INVALID_REQUEST', `Invalid ${param}: unknown model "${fallback}"`, { param });
    }
  }

  private apply(record: RoutedModelRecord): void {
    const spec = typeof record.spec === 'object' && record.spec !== null ? record.spec : {};
    const parsed = modelSchema.safeParse({ ...spec, name: record.name });
    if (!parsed.success) {
      this.deps.logger.error({ model: record.name, problem: parsed.error.issues[0]?.message }, 'stored model is invalid; not served');
      this.forget(record.name);
      return;
    }
    this.serve(record, parsed.data);
  }

  private serve(record: RoutedModelRecord, config: ModelConfig): void {
    this.deps.registry.putModel(config);
    this.deps.prices.setModel(config);
    this.loaded.set(config.name, { record, config });
  }

  private forget(name: string): void {
    if (!this.loaded.delete(name)) return;
    this.deps.registry.deleteModel(name);
    this.deps.prices.deleteModel(name);
  }
}
