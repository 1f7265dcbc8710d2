/**
 * Exact money in integers, never floats.
 *
 * The ledger unit is the pico-dollar (1 USD = 10^12 picos) held in a bigint. Prices are given in
 * USD per million tokens with up to 6 decimals, and `USD/Mtok × 10^6` is exactly the price of one
 * token in picos, so `cost = tokens × pricePerToken` needs no rounding at all.
 */
export type Picos = bigint & { readonly __unit: 'pico-usd' };

export const PICOS_PER_USD = 1_000_000_000_000n;
const USD_DECIMALS = 12;

export function picos(value: bigint | number): Picos {
  if (typeof value === 'number' && !Number.isInteger(value)) throw new RangeError(`picos must be an integer, got ${value}`);
  return BigInt(value) as Picos;
}

/** Parses a decimal USD amount ("12.5", 12.5) into picos exactly; more than 12 decimals are rejected. */
export function usdToPicos(usd: string | number): Picos {
  const text = typeof usd === 'number' ? numberToPlainString(usd) : usd.trim();
  const match = /^(-)?(\d+)(?:\.(\d+))?$/.exec(text);
  if (!match) throw new RangeError(`not a USD amount: ${text}`);
  const [, sign, whole = '0', frac = ''] = match;
  if (frac.length > USD_DECIMALS) throw new RangeError(`USD amount has more than ${USD_DECIMALS} decimals: ${text}`);
  const value = BigInt(whole) * PICOS_PER_USD + BigInt(frac.padEnd(USD_DECIMALS, '0'));
  return (sign ? -value : value) as Picos;
}

/** Renders picos as a decimal USD string, trimmed to at least 2 and at most 12 decimals ("0.00042"). */
export function picosToUsd(value: Picos | bigint): string {
  const negative = value < 0n;
  const abs = negative ? -value : value;
  const whole = abs / PICOS_PER_USD;
  let frac = (abs % PICOS_PER_USD).toString().padStart(USD_DECIMALS, '0').replace(/0+$/, '');
  if (frac.length < 2) frac = frac.padEnd(2, '0');
  return `${negative ? '-' : ''}${whole}.${frac}`;
}

/** A price per million tokens (USD/Mtok, decimal) as picos per token. */
export function pricePerToken(usdPerMillionTokens: string | number): Picos {
  const perMillion = usdToPicos(usdPerMillionTokens);
  if (perMillion % 1_000_000n !== 0n) {
    throw new RangeError(`price has more than 6 decimals of USD per million tokens: ${usdPerMillionTokens}`);
  }
  return (perMillion / 1_000_000n) as Picos;
}

export function tokenCost(tokens: number, perToken: Picos): Picos {
  if (tokens <= 0) return 0n as Picos;
  return (BigInt(tokens) * perToken) as Picos;
}

function numberToPlainString(value: number): string {
  if (!Number.isFinite(value)) throw new RangeError(`not a finite number: ${value}`);
  // toFixed avoids exponent notation; the regexes then trim float noise-free trailing zeros.
  const fixed = value.toFixed(12);
  return fixed.includes('.') ? fixed.replace(/0+$/, '').replace(/\.$/, '') : fixed;
}
