import type { HubConfig, ModelConfig, PricingConfig } from '../config/index.js';
import { HubError } from '../core/index.js';

export interface CatalogTarget {
  /** `provider/model`, the breaker's key. */
  key: string;
  providerId: string;
  upstreamModel: string;
  weight: number;
}

export interface CatalogModel {
  name: string;
  kind: ModelConfig['kind'];
  targets: CatalogTarget[];
  fallbacks: string[];
  pricing?: PricingConfig;
  maxOutputTokens?: number;
  contextWindow?: number;
  /** Seconds since epoch the config was loaded, reported as `created` by /v1/models. */
  created: number;
}

/** The configured model names and how each maps onto provider targets. */
export class ModelCatalog {
  private readonly models = new Map<string, CatalogModel>();

  constructor(config: HubConfig, created = Math.floor(Date.now() / 1000)) {
    for (const model of config.models) this.set(model, created);
  }

  /**
   * Adds or replaces a model (admin API changes at run time; requests already routed keep their entry).
   * A replaced model keeps its `created`; a new one is created now.
   */
  set(model: ModelConfig, created = Math.floor(Date.now() / 1000)): CatalogModel {
    const entry: CatalogModel = {
      name: model.name,
      kind: model.kind,
      targets: model.targets.map((target) => ({
        key: `${target.provider}/${target.model}`,
        providerId: target.provider,
        upstreamModel: target.model,
        weight: target.weight,
      })),
      fallbacks: model.fallbacks,
      created: this.models.get(model.name)?.created ?? created,
    };
    if (model.pricing) entry.pricing = model.pricing;
    if (model.max_output_tokens !== undefined) entry.maxOutputTokens = model.max_output_tokens;
    if (model.context_window !== undefined) entry.contextWindow = model.context_window;
    this.models.set(model.name, entry);
    return entry;
  }

  delete(name: string): boolean {
    return this.models.delete(name);
  }

  list(): CatalogModel[] {
    return [...this.models.values()];
  }

  find(name: string): CatalogModel | undefined {
    return this.models.get(name);
  }

  get(name: string): CatalogModel {
    const model = this.models.get(name);
    if (!model) {
      throw new HubError('MODEL_NOT_FOUND', `The model \`${name}\` does not exist or you do not have access to it.`, {
        param: 'model',
        code: 'model_not_found',
      });
    }
    return model;
  }
}
