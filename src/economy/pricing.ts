import { type Picos, picos, pricePerToken, tokenCost, type Usage } from '../core/index.js';
import type { EconomyConfig, EconomyModelConfig } from './economy-config.js';
import { findListPrice, type ListPrice } from './price-table.js';

/** Prices of one model, in picos per token (exact: USD/Mtok with ≤ 6 decimals is an integer number of picos). */
export interface ModelPrices {
  input: Picos;
  output: Picos;
  cachedInput: Picos;
  cacheWrite: Picos;
  source: 'config' | 'table';
}

export interface Cost {
  picos: Picos;
  /** False when no price was known: the cost is recorded as 0 and the ledger row flagged. */
  priceKnown: boolean;
}

const fromList = (list: ListPrice): ModelPrices => ({
  input: pricePerToken(list.input),
  output: pricePerToken(list.output),
  cachedInput: pricePerToken(list.cachedInput ?? list.input),
  cacheWrite: pricePerToken(list.cacheWrite ?? list.input),
  source: 'table',
});

function fromConfig(model: EconomyModelConfig): ModelPrices | undefined {
  const pricing = model.pricing;
  if (!pricing) return undefined;
  const input = pricePerToken(pricing.input_per_mtok);
  return {
    input,
    output: pricePerToken(pricing.output_per_mtok),
    cachedInput: pricing.cached_input_per_mtok === undefined ? input : pricePerToken(pricing.cached_input_per_mtok),
    cacheWrite: pricing.cache_write_per_mtok === undefined ? input : pricePerToken(pricing.cache_write_per_mtok),
    source: 'config',
  };
}

/**
 * Prices per model: the config's `pricing` for a hub model name, else the built-in table for that
 * name, else the table for the upstream model actually served (or, before routing, the dearest of
 * the model's targets).
 */
export class PriceBook {
  private readonly models = new Map<string, EconomyModelConfig>();
  private readonly configured = new Map<string, ModelPrices>();

  constructor(config: EconomyConfig) {
    for (const model of config.models) this.setModel(model);
  }

  /** Adds or replaces a model's prices and caps (models created through the admin API). */
  setModel(model: EconomyModelConfig): void {
    // Converted first: a price that does not convert changes nothing.
    const prices = fromConfig(model);
    this.models.set(model.name, model);
    if (prices) this.configured.set(model.name, prices);
    else this.configured.delete(model.name);
  }

  deleteModel(name: string): void {
    this.models.delete(name);
    this.configured.delete(name);
  }

  /** The output cap a model's config sets for reservations, if any. */
  maxOutputTokens(model: string): number | undefined {
    return this.models.get(model)?.max_output_tokens;
  }

  fallbacks(model: string): readonly string[] {
    return this.models.get(model)?.fallbacks ?? [];
  }

  /** Prices to bill a served request at; `upstreamModel` is the name the provider knows it by. */
  pricesFor(model: string, upstreamModel?: string | null): ModelPrices | undefined {
    const configured = this.configured.get(model);
    if (configured) return configured;
    const listed = findListPrice(model) ?? (upstreamModel ? findListPrice(upstreamModel) : undefined);
    return listed ? fromList(listed) : undefined;
  }

  /** Every price the model could be billed at before routing picks a target. */
  candidatePrices(model: string): ModelPrices[] {
    const direct = this.pricesFor(model);
    if (direct) return [direct];
    const candidates: ModelPrices[] = [];
    for (const target of this.models.get(model)?.targets ?? []) {
      const listed = findListPrice(target.model);
      if (listed) candidates.push(fromList(listed));
    }
    return candidates;
  }

  /** The exact cost of `usage`: uncached, cached and cache-write prompt tokens each at their price, plus output. */
  cost(usage: Usage, prices: ModelPrices | undefined): Cost {
    if (!prices) return { picos: picos(0n), priceKnown: false };
    const uncached = Math.max(0, usage.inputTokens - usage.cachedInputTokens - usage.cacheWriteInputTokens);
    const total =
      tokenCost(uncached, prices.input) +
      tokenCost(usage.cachedInputTokens, prices.cachedInput) +
      tokenCost(usage.cacheWriteInputTokens, prices.cacheWrite) +
      tokenCost(usage.outputTokens, prices.output);
    return { picos: picos(total), priceKnown: true };
  }

  /**
   * The most a request can cost: every prompt token at the dearer of input and cache-write price,
   * plus the full output cap, at the dearest price the model (or a target) could be billed at.
   */
  worstCase(model: string, promptTokens: number, outputTokens: number): Cost {
    const candidates = this.candidatePrices(model);
    if (candidates.length === 0) return { picos: picos(0n), priceKnown: false };
    let worst = 0n;
    for (const prices of candidates) {
      // biome-ignore lint/complexity/useMathMinMax: Math.max does not take bigints.
      const promptPrice = prices.cacheWrite > prices.input ? prices.cacheWrite : prices.input;
      const cost = tokenCost(promptTokens, promptPrice) + tokenCost(outputTokens, prices.output);
      if (cost > worst) worst = cost;
    }
    return { picos: picos(worst), priceKnown: true };
  }
}
