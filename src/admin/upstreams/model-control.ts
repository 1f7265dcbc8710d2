import { z } from 'zod';
import { type ModelConfig, modelSchema, targetSchema } from '../../config/index.js';
import { HubError } from '../../core/index.js';
import type { EconomyLogger, PriceBook } from '../../economy/index.js';
import type { UpstreamRegistry } from '../../routing/index.js';
import type { RoutedModelRecord, RoutedModelsRepository } from '../../storage/index.js';
import type * as Api from '../contract.js';
import { parse } from '../validation.js';
import { mergePatch } from './merge-patch.js';
import type { CreateModelBody, UpdateModelBody } from './validation.js';

interface LoadedModel {
  record: RoutedModelRecord;
  config: ModelConfig;
}

/** A stored row that cannot be served (it fails validation): kept visible and deletable, never routed or priced. */
interface BrokenModel {
  record: RoutedModelRecord;
  problem: string;
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
    status: 'ready',
    problem: null,
    created_at: record ? record.createdAt.toISOString() : null,
    updated_at: record ? record.updatedAt.toISOString() : null,
  };
}

const storedTargets = z.array(targetSchema);

/** What can be shown of a row that does not validate: its targets if they parse, nothing guessed. */
function brokenView({ record, problem }: BrokenModel): Api.RoutedModel {
  const spec = (typeof record.spec === 'object' && record.spec !== null ? record.spec : {}) as Record<string, unknown>;
  const targets = storedTargets.safeParse(spec.targets);
  return {
    name: record.name,
    kind: spec.kind === 'embedding' ? 'embedding' : 'chat',
    source: 'admin',
    targets: targets.success
      ? targets.data.map((target) => ({ provider: target.provider, model: target.model, weight: target.weight }))
      : [],
    fallbacks: [],
    pricing: null,
    max_output_tokens: null,
    context_window: null,
    status: 'unavailable',
    problem,
    created_at: record.createdAt.toISOString(),
    updated_at: record.updatedAt.toISOString(),
  };
}

function problemOf(error: z.ZodError): string {
  const issue = error.issues[0];
  const path = issue?.path.map(String).join('.');
  return `${path ? `${path}: ` : ''}${issue?.message ?? 'invalid'}`;
}

/**
 * What is about to be stored, checked as a stored row is checked on every load, so a row is written only if it
 * can be served (prices included: the schema bounds them): a create or update is all or nothing.
 */
function storable(config: ModelConfig): ModelConfig {
  return parse(modelSchema, config);
}

/** Model routes created through the admin API: stored, served through the registry and priced by the economy. */
export class ModelControl {
  private readonly deps: ModelControlDeps;
  private readonly loaded = new Map<string, LoadedModel>();
  private readonly broken = new Map<string, BrokenModel>();
  private readonly configuredByName: Map<string, ModelConfig>;

  constructor(deps: ModelControlDeps) {
    this.deps = deps;
    this.configuredByName = new Map(deps.configured.map((model) => [model.name, model]));
  }

  async loadAll(): Promise<void> {
    const records = await this.deps.repository.list();
    const names = new Set(records.map((record) => record.name));
    for (const name of [...this.loaded.keys()]) if (!names.has(name)) this.forget(name);
    for (const name of [...this.broken.keys()]) if (!names.has(name)) this.broken.delete(name);
    for (const record of records) this.apply(record);
  }

  async reload(name: string): Promise<void> {
    const record = await this.deps.repository.get(name);
    if (record) this.apply(record);
    else {
      this.forget(name);
      this.broken.delete(name);
    }
  }

  get count(): number {
    return this.loaded.size;
  }

  /** For readiness: stored rows that are not served. */
  problems(): string[] {
    return [...this.broken.values()].map((entry) => `model ${entry.record.name}: ${entry.problem}`);
  }

  list(): Api.RoutedModel[] {
    return [
      ...this.deps.configured.map((config) => modelView(config, 'config')),
      ...[...this.loaded.values()].map((entry) => modelView(entry.config, 'admin', entry.record)),
      ...[...this.broken.values()].map(brokenView),
    ];
  }

  get(name: string): Api.RoutedModel {
    const configured = this.configuredByName.get(name);
    if (configured) return modelView(configured, 'config');
    const entry = this.loaded.get(name);
    if (entry) return modelView(entry.config, 'admin', entry.record);
    const broken = this.broken.get(name);
    if (broken) return brokenView(broken);
    throw notFound(name);
  }

  /** As `get`, but a model this replica has not heard of yet is read from the database. */
  async find(name: string): Promise<Api.RoutedModel> {
    if (!this.configuredByName.has(name) && !this.loaded.has(name) && !this.broken.has(name)) await this.reload(name);
    return this.get(name);
  }

  async create(body: CreateModelBody): Promise<Api.RoutedModel> {
    if (this.configuredByName.has(body.name)) throw readOnly(body.name);
    if (this.loaded.has(body.name) || this.broken.has(body.name)) throw exists(body.name);
    const config = storable(body);
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
    const broken = this.broken.get(name);
    if (broken) {
      throw new HubError('CONFLICT', `Model ${name} is stored invalid (${broken.problem}); delete it and create it again.`, {
        code: 'model_invalid',
      });
    }
    const current = this.loaded.get(name);
    if (!current) throw notFound(name);
    const config = storable(mergePatch(current.config, patch));
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

  /**
   * Refused while another model falls back to it, counting models created on other replicas: every row is re-read
   * first. A stored row that does not validate can be deleted too: that is how an operator gets rid of it.
   */
  async delete(name: string): Promise<Api.RoutedModel> {
    if (this.configuredByName.has(name)) throw readOnly(name);
    await this.loadAll();
    const current = this.loaded.get(name);
    const broken = this.broken.get(name);
    const view = current ? modelView(current.config, 'admin', current.record) : broken ? brokenView(broken) : undefined;
    if (!view) throw notFound(name);
    const dependents = this.deps.registry.modelsFallingBackTo(name);
    if (dependents.length > 0) {
      throw new HubError('CONFLICT', `Model ${name} is a fallback of ${dependents.join(', ')}; change those models first.`, {
        code: 'model_in_use',
      });
    }
    await this.deps.repository.delete(name);
    this.forget(name);
    this.broken.delete(name);
    await this.deps.announce(name);
    return view;
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

  /** Never throws: one bad row is logged, reported by `problems` and left unserved, and the rest load. */
  private apply(record: RoutedModelRecord): void {
    const spec = typeof record.spec === 'object' && record.spec !== null ? record.spec : {};
    const parsed = modelSchema.safeParse({ ...spec, name: record.name });
    if (!parsed.success) {
      this.markBroken(record, problemOf(parsed.error));
      return;
    }
    try {
      this.serve(record, parsed.data);
      this.broken.delete(record.name);
    } catch (error) {
      this.markBroken(record, (error as Error).message);
    }
  }

  private markBroken(record: RoutedModelRecord, problem: string): void {
    if (this.broken.get(record.name)?.problem !== problem) {
      this.deps.logger.error({ model: record.name, problem }, 'stored model is invalid; not served');
    }
    this.forget(record.name);
    this.broken.set(record.name, { record, problem });
  }

  /** Prices first: they are what can still refuse a model, and a refusal must leave it unrouted as well as unpriced. */
  private serve(record: RoutedModelRecord, config: ModelConfig): void {
    this.deps.prices.setModel(config);
    this.deps.registry.putModel(config);
    this.loaded.set(config.name, { record, config });
  }

  private forget(name: string): void {
    if (!this.loaded.delete(name)) return;
    this.deps.registry.deleteModel(name);
    this.deps.prices.deleteModel(name);
  }
}
