/**
 * Column value normalisers: PGlite returns int8 as bigint and timestamptz as Date, node-postgres
 * returns int8 and numeric as strings. Repositories read through these so both engines agree.
 */
export function asBigInt(value: unknown): bigint {
  if (typeof value === 'bigint') return value;
  if (typeof value === 'number') return BigInt(value);
  if (typeof value === 'string') return BigInt(value.includes('.') ? value.slice(0, value.indexOf('.')) : value);
  if (value === null || value === undefined) return 0n;
  throw new TypeError(`not an integer column value: ${String(value)}`);
}

export function asNumber(value: unknown): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint' || typeof value === 'string') return Number(value);
  if (value === null || value === undefined) return 0;
  throw new TypeError(`not a numeric column value: ${String(value)}`);
}

export function asDate(value: unknown): Date {
  if (value instanceof Date) return value;
  if (typeof value === 'string' || typeof value === 'number') return new Date(value);
  throw new TypeError(`not a timestamp column value: ${String(value)}`);
}

export function asOptionalDate(value: unknown): Date | null {
  return value === null || value === undefined ? null : asDate(value);
}

/** jsonb comes back parsed from both engines, but a text cast or an old driver may hand us a string. */
export function asJson(value: unknown): unknown {
  return typeof value === 'string' ? JSON.parse(value) : value;
}

// JSON.stringify writes NUL and unpaired surrogates as `\u0000` and `\ud800`-style escapes, which jsonb refuses.
const JSONB_REFUSED_ESCAPE = /\\u(0000|d[89a-f][0-9a-f]{2})/i;

/**
 * An object or array as a jsonb parameter that round-trips exactly. A value jsonb cannot hold as is (a
 * string with NUL or an unpaired surrogate) is stored as a jsonb string holding its JSON text, which
 * `fromJsonb` parses back; a top-level string never occurs otherwise, so the two cannot be confused.
 */
export function toJsonb(value: object): string {
  const text = JSON.stringify(value);
  return JSONB_REFUSED_ESCAPE.test(text) ? JSON.stringify(text) : text;
}

/** Reads a column written by `toJsonb`. */
export function fromJsonb(value: unknown): unknown {
  const parsed = asJson(value);
  return typeof parsed === 'string' ? JSON.parse(parsed) : parsed;
}
