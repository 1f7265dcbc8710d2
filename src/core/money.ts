/**
 * Exact money in integers, never floats.
 *
 * The ledger unit is the pico-dollar (1 USD = 10^12 picos) held in a bigint. Prices are given in
 * USD per million tokens with up to 6 decimals, and `USD/Mtok × 10^6` is exactly the price of one
 * token in picos, so `cost = tokens × pricePerToken` needs no rounding at all.
 */
export type Picos = bigint & { readonly __unit: 'pico-usd' };

export const PICOS_PER_USD = 1_000_000_000_000n;
/** Decimals a USD amount may have: one pico-dollar. */
export const USD_DECIMALS = 12;

/**
 * The dearest price an operator may set: 1 USD a token. A request's cost (tokens < 2^31) then stays
 * below 2.2 × 10^21 picos, far inside the numeric(38, 0) money columns and their sums.
 */
export const MAX_PRICE_USD_PER_MTOK = 1_000_000;
/** Decimals a price per million tokens may have: then one token costs a whole number of picos. */
export const PRICE_DECIMALS = 6;
/** The largest budget limit: 10^24 picos, 14 digits short of what the numeric(38, 0) columns hold. */
export const MAX_BUDGET_USD = 1_000_000_000_000;

export function picos(value: bigint | number): Picos {
  if (typeof value === 'number' && !Number.isInteger(value)) throw new RangeError(`picos must be an integer, got ${value}`);
  return BigInt(value) as Picos;
}

/**
 * Parses a decimal USD amount ("12.5", 12.5) into picos exactly; more than 12 decimals are rejected, and
 * so is a JSON number that cannot say which decimal it stands for (see `exactDecimalOf`).
 */
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
  const decimal = exactDecimalOf(value);
  if (decimal === undefined) throw new RangeError(`not an exact decimal amount: ${value}; send it as a decimal string`);
  return decimal;
}

/** Significant digits every double keeps through a decimal round trip (DBL_DIG). */
const EXACT_DIGITS = 15;

/**
 * The decimal a JSON number was written as, in plain notation ("0.0000001", not "1e-7"), or undefined when
 * that cannot be known. The shortest round-trip form (`String`) of a number written with at most 15
 * significant digits gives those digits back exactly; one with more (123456789.123456789 parses to the
 * double printed as 123456789.12345679) may not be what was written, so it is refused rather than guessed,
 * and `toFixed` would add noise of its own ("123456789.123456791043").
 */
export function exactDecimalOf(value: number): string | undefined {
  if (!Number.isFinite(value)) return undefined;
  const match = /^(-?)(\d+)(?:\.(\d+))?(?:e([+-]\d+))?$/.exec(String(value));
  if (!match) return undefined;
  const [, sign = '', whole = '', frac = '', exponentText = '0'] = match;
  const digits = `${whole}${frac}`.replace(/^0+/, '');
  if (digits.replace(/0+$/, '').length > EXACT_DIGITS) return undefined;
  // Move the decimal point by the exponent over the digit string: exact, no arithmetic on the double.
  const point = whole.length + Number(exponentText);
  const all = `${whole}${frac}`;
  const padded = point <= 0 ? `${'0'.repeat(1 - point)}${all}` : all.padEnd(point, '0');
  const at = Math.max(point, 1);
  const intPart = padded.slice(0, at).replace(/^0+(?=\d)/, '');
  const fracPart = padded.slice(at).replace(/0+$/, '');
  return `${sign}${intPart}${fracPart ? `.${fracPart}` : ''}`;
}

/**
 * Why a USD amount from an API call or the config file cannot be taken, or undefined when it can: a decimal
 * string or an exact JSON number (`exactDecimalOf`), not negative, with at most `decimals` decimals and at
 * most `max`. Checked at the boundary, so no stored row holds an amount the money code would refuse later.
 */
export function usdAmountProblem(value: string | number, limits: { decimals: number; max: number }): string | undefined {
  let text: string;
  if (typeof value === 'number') {
    const decimal = exactDecimalOf(value);
    if (decimal === undefined) {
      return `the JSON number ${String(value)} does not say exactly which amount is meant; send it as a decimal string (e.g. "12.5")`;
    }
    text = decimal;
  } else {
    text = value;
  }
  const match = /^(\d+)(?:\.(\d+))?$/.exec(text);
  if (!match) return 'must be a non-negative decimal USD amount (e.g. "12.5")';
  if ((match[2]?.length ?? 0) > limits.decimals) return `must have at most ${limits.decimals} decimals`;
  if (usdToPicos(text) > usdToPicos(String(limits.max))) return `must be at most ${limits.max}`;
  return undefined;
}
