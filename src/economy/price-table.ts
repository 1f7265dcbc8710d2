/**
 * Built-in list prices (USD per million tokens, standard tier, no batch discount) for well-known
 * models, as published on the vendors' pricing pages. Checked against those pages as they stood in
 * late 2025 (OpenAI, Anthropic: 2025-11; DeepSeek: V3.2 prices of 2025-09-29; Alibaba Model Studio
 * international: 2025-09). Prices change: the config's `pricing` overrides any entry here.
 *
 * Names match exactly or as a prefix followed by `-` (dated snapshots: `gpt-4o-2024-11-20`), the
 * longest entry winning, so `gpt-4o-mini-2024-07-18` finds `gpt-4o-mini`, not `gpt-4o`. A vendor
 * prefix (`openai/gpt-4o`, as routers and vLLM name models) is ignored.
 */
export interface ListPrice {
  input: string;
  output: string;
  /** Prompt tokens read from the provider's cache; defaults to `input` when the vendor has no discount. */
  cachedInput?: string;
  /** Prompt tokens written to the provider's cache (Anthropic: 1.25× input for the 5-minute cache). */
  cacheWrite?: string;
}

export const PRICE_TABLE_DATE = '2025-11';

export const PRICE_TABLE: Readonly<Record<string, ListPrice>> = {
  // OpenAI
  'gpt-4o': { input: '2.50', output: '10.00', cachedInput: '1.25' },
  'gpt-4o-mini': { input: '0.15', output: '0.60', cachedInput: '0.075' },
  'gpt-4.1': { input: '2.00', output: '8.00', cachedInput: '0.50' },
  'gpt-4.1-mini': { input: '0.40', output: '1.60', cachedInput: '0.10' },
  'gpt-4.1-nano': { input: '0.10', output: '0.40', cachedInput: '0.025' },
  'gpt-5': { input: '1.25', output: '10.00', cachedInput: '0.125' },
  'gpt-5-mini': { input: '0.25', output: '2.00', cachedInput: '0.025' },
  'gpt-5-nano': { input: '0.05', output: '0.40', cachedInput: '0.005' },
  'gpt-5-pro': { input: '15.00', output: '120.00' },
  o3: { input: '2.00', output: '8.00', cachedInput: '0.50' },
  'o3-mini': { input: '1.10', output: '4.40', cachedInput: '0.55' },
  'o3-pro': { input: '20.00', output: '80.00' },
  'o4-mini': { input: '1.10', output: '4.40', cachedInput: '0.275' },
  'text-embedding-3-small': { input: '0.02', output: '0' },
  'text-embedding-3-large': { input: '0.13', output: '0' },
  // Anthropic (cache write: 5-minute cache)
  'claude-opus-4': { input: '15.00', output: '75.00', cachedInput: '1.50', cacheWrite: '18.75' },
  'claude-opus-4-1': { input: '15.00', output: '75.00', cachedInput: '1.50', cacheWrite: '18.75' },
  'claude-opus-4-5': { input: '5.00', output: '25.00', cachedInput: '0.50', cacheWrite: '6.25' },
  'claude-sonnet-4': { input: '3.00', output: '15.00', cachedInput: '0.30', cacheWrite: '3.75' },
  'claude-sonnet-4-5': { input: '3.00', output: '15.00', cachedInput: '0.30', cacheWrite: '3.75' },
  'claude-haiku-4-5': { input: '1.00', output: '5.00', cachedInput: '0.10', cacheWrite: '1.25' },
  'claude-3-5-haiku': { input: '0.80', output: '4.00', cachedInput: '0.08', cacheWrite: '1.00' },
  'claude-3-haiku': { input: '0.25', output: '1.25', cachedInput: '0.03', cacheWrite: '0.30' },
  // DeepSeek (cache hit price as cached input)
  'deepseek-chat': { input: '0.28', output: '0.42', cachedInput: '0.028' },
  'deepseek-reasoner': { input: '0.28', output: '0.42', cachedInput: '0.028' },
  // Alibaba Qwen (international; implicit cache hits bill at 20% of input)
  'qwen-max': { input: '1.60', output: '6.40', cachedInput: '0.32' },
  'qwen-plus': { input: '0.40', output: '1.20', cachedInput: '0.08' },
  'qwen-turbo': { input: '0.05', output: '0.20', cachedInput: '0.01' },
};

/** The table entry for a model name: exact, else the longest entry that is a `-`-bounded prefix. */
export function findListPrice(model: string): ListPrice | undefined {
  const name = model.slice(model.lastIndexOf('/') + 1).toLowerCase();
  const exact = PRICE_TABLE[name];
  if (exact) return exact;
  let best: string | undefined;
  for (const candidate of Object.keys(PRICE_TABLE)) {
    if (name.startsWith(`${candidate}-`) && (!best || candidate.length > best.length)) best = candidate;
  }
  return best === undefined ? undefined : PRICE_TABLE[best];
}
