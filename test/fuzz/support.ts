/**
 * Shared pieces of the fuzz suite: the arbitraries (malformed, oversized, deeply nested, wrongly typed
 * and unicode-edge input, and values the database cannot hold: NUL, unpaired surrogates, out-of-range
 * dates, numbers past bigint, overflowing cursors), a request helper with a hard client deadline, and the one property every
 * answer must have: below 500, and an error in the route's own protocol shape.
 */
import fc from 'fast-check';
import { Agent, request } from 'undici';
import { expect } from 'vitest';

export type Protocol = 'openai' | 'anthropic';

/** Runs per property; FUZZ_RUNS raises it for a longer local hunt. */
export const RUNS = Number(process.env.FUZZ_RUNS ?? 200);
/** A fixed seed keeps CI deterministic; FUZZ_SEED explores elsewhere (fast-check prints the seed of a failure). */
export const SEED = Number(process.env.FUZZ_SEED ?? 20_260_611);
/** A request that takes longer than this is a hang. */
export const CLIENT_DEADLINE_MS = 5_000;

export function fuzzParameters(runs = RUNS): fc.Parameters<unknown> {
  return { numRuns: runs, seed: SEED, endOnFailure: true };
}

/** Strings and characters that break naive code: lone surrogates, BOM, NUL, bidi overrides, combining marks. */
export const unicodeEdge = fc.constantFrom(
  '\u0000',
  '\ud800',
  '\udfff',
  '\udbff\udfff',
  '\ufeff',
  '\u202e',
  '\u2028',
  '\uffff',
  'e\u0301\u0301\u0301',
  '𝕏',
  '👩‍👩‍👧‍👦',
  '\\',
  '"',
  '\r\n',
  '%00',
  '../../etc/passwd',
  '__proto__',
  'constructor',
);

export const edgyString = fc
  .array(fc.oneof(fc.string({ unit: 'binary', maxLength: 20 }), unicodeEdge), { maxLength: 6 })
  .map((pieces) => pieces.join(''));

/** Dates JavaScript parses but PostgreSQL cannot hold (or a driver writes in a form it refuses), and near-misses. */
export const outOfRangeDate = fc.constantFrom(
  '0000-01-01',
  '-271821-04-20',
  '275760-09-13',
  '+275760-09-13T00:00:00.000Z',
  '99999',
  '-001000-01-01T00:00:00Z',
  '-100000-01-01T00:00:00Z',
  '-271821-04-20T00:00:00Z',
  '0001-01-01T00:00:00+14:00',
  '1969-12-31T23:59:59Z',
  '9999-12-31T23:59:59.999Z',
  '2024-02-30',
  '2024-01-01T25:00:00Z',
);

/** Numbers past int8, numeric and double range, as JSON numbers and as decimal strings. */
export const hugeNumeric = fc.constantFrom<number | string>(
  1e21,
  -1e21,
  1e308,
  2 ** 63,
  2 ** 64,
  Number.MAX_SAFE_INTEGER + 2,
  '99999999999999999999999999999',
  '9223372036854775808',
  '-9223372036854775809',
  '1e21',
  '1e308',
  '0.0000000000000000000001',
);

/** Page cursors of the hub's `<prefix>:<seq>` form with a seq past bigint (or otherwise never issued), base64url. */
export const overflowingCursor = fc
  .tuple(
    fc.constantFrom('seq', 'audit'),
    fc.constantFrom('9223372036854775808', '99999999999999999999999', '00000000000000000000001', '-1', '1e21', '1\u0000', ''),
  )
  .map(([prefix, seq]) => Buffer.from(`${prefix}:${seq}`).toString('base64url'));

/** A leaf value that breaks storage rather than parsing: edge strings, huge numbers, impossible dates. */
export const storageEdge: fc.Arbitrary<unknown> = fc.oneof(edgyString, unicodeEdge, hugeNumeric, outOfRangeDate);

/** Percent-encodes the UTF-8 bytes (a lone surrogate becomes U+FFFD, as a browser would send it). */
export function percentEncode(text: string): string {
  let encoded = '';
  for (const byte of new TextEncoder().encode(text)) {
    const char = String.fromCharCode(byte);
    encoded += /[A-Za-z0-9\-_.~]/.test(char) ? char : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return encoded;
}

/** A query-string value, already encoded: edge text (NUL as `%00`), dates, huge numbers and cursors. */
export const queryValue = fc.oneof(
  edgyString.map(percentEncode),
  outOfRangeDate.map(percentEncode),
  hugeNumeric.map((value) => percentEncode(String(value))),
  overflowingCursor,
  fc.constantFrom('%00', 'a%00b', '%00%00', '%ED%A0%80', '%C0%80', '', '%', '%zz'),
);

/** Any JSON value, with edgy strings and the keys prototype-pollution attempts use. */
export const anyJson: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constant(null),
    fc.boolean(),
    fc.integer(),
    fc.double(),
    fc.constantFrom(Number.MAX_SAFE_INTEGER, -1, 0, 1e308, -1e308, 2 ** 53 + 1),
    hugeNumeric,
    outOfRangeDate,
    edgyString,
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(fc.oneof(fc.string({ maxLength: 12 }), unicodeEdge), tie('value'), { maxKeys: 4 }),
  ),
})).value;

/** The path of every leaf (string, number, boolean, null) of a JSON value, arrays and objects alike. */
function leafPaths(value: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  if (Array.isArray(value)) return value.flatMap((item, index) => leafPaths(item, [...prefix, index]));
  if (value !== null && typeof value === 'object') return Object.entries(value).flatMap(([key, item]) => leafPaths(item, [...prefix, key]));
  return [prefix];
}

/** A deep copy of `value` with the leaf at `path` replaced. */
function withLeaf(value: unknown, path: (string | number)[], leaf: unknown): unknown {
  const [head, ...rest] = path;
  if (head === undefined) return leaf;
  const copy = (Array.isArray(value) ? [...value] : { ...(value as Record<string, unknown>) }) as Record<string | number, unknown>;
  copy[head] = withLeaf(copy[head], rest, leaf);
  return copy;
}

/** Replaces one leaf anywhere in a valid body (`models[1]`, `targets[0].model`) with a storage edge. */
export function leafMutated(valid: Record<string, unknown>): fc.Arbitrary<unknown> {
  const paths = leafPaths(valid);
  if (paths.length === 0) return fc.constant(valid);
  return fc.record({ path: fc.constantFrom(...paths), leaf: storageEdge }).map(({ path, leaf }) => withLeaf(valid, path, leaf));
}

/** Sets, replaces or deletes one top-level or nested field of a valid body: wrong types, missing fields. */
export function mutated(valid: Record<string, unknown>): fc.Arbitrary<unknown> {
  const keys = [...Object.keys(valid), 'extra', '__proto__', 'constructor'];
  return fc.oneof(
    leafMutated(valid),
    fc.record({ key: fc.constantFrom(...keys), value: anyJson }).map(({ key, value }) => {
      const copy: Record<string, unknown> = { ...valid };
      Object.defineProperty(copy, key, { value, enumerable: true, configurable: true, writable: true });
      return copy;
    }),
    fc.constantFrom(...Object.keys(valid)).map((key) => {
      const copy: Record<string, unknown> = { ...valid };
      delete copy[key];
      return copy;
    }),
    fc
      .record({ index: fc.nat(3), field: fc.constantFrom('role', 'content', 'type', 'text', 'name'), value: anyJson })
      .map(({ index, field, value }) => {
        const messages = [...((valid.messages as unknown[] | undefined) ?? [])];
        messages[index] = { ...((messages[index] as Record<string, unknown> | undefined) ?? {}), [field]: value };
        return { ...valid, messages };
      }),
  );
}

/** Text nested `depth` levels deep at a field a schema would descend into. */
export function deeplyNested(depth: number, kind: 'array' | 'object'): string {
  const open = kind === 'array' ? '['.repeat(depth) : '{"a":'.repeat(depth);
  const close = kind === 'array' ? ']'.repeat(depth) : '}'.repeat(depth);
  return `{"model":"fuzz-chat","max_tokens":5,"messages":[{"role":"user","content":${open}1${close}}]}`;
}

/** A body to send: JSON of a mutated valid request, random JSON, broken text, raw bytes, deep nesting, or too big. */
export function bodies(valid: Record<string, unknown>, bodyLimit: number): fc.Arbitrary<string | Uint8Array> {
  return fc.oneof(
    { weight: 4, arbitrary: mutated(valid).map((value) => JSON.stringify(value) ?? 'null') },
    { weight: 2, arbitrary: fc.json({ maxDepth: 3 }) },
    { weight: 1, arbitrary: anyJson.map((value) => JSON.stringify(value) ?? 'null') },
    { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 64 }) },
    {
      weight: 1,
      arbitrary: fc
        .record({ cut: fc.nat(), text: fc.constant(JSON.stringify(valid)) })
        .map(({ cut, text }) => text.slice(0, cut % text.length)),
    },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 64 }) },
    {
      weight: 1,
      arbitrary: fc
        .record({ depth: fc.integer({ min: 1, max: 5_000 }), kind: fc.constantFrom('array' as const, 'object' as const) })
        .map(({ depth, kind }) => deeplyNested(depth, kind)),
    },
    {
      weight: 1,
      arbitrary: fc.integer({ min: bodyLimit - 64, max: bodyLimit * 2 }).map((size) => JSON.stringify({ ...valid, pad: 'x'.repeat(size) })),
    },
  );
}

export const contentTypes = fc.oneof(
  { weight: 6, arbitrary: fc.constant('application/json') },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      'application/json; charset=utf-8',
      'application/json; charset=utf-16',
      'application/vnd.api+json',
      'text/plain',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
      'application/octet-stream',
      '',
      'json',
      '*/*',
    ),
  },
);

/** Header values undici will send (visible latin-1, no CR/LF/NUL), edgy where it can. */
export const headerValue = fc.string({
  unit: fc.oneof(fc.integer({ min: 0x20, max: 0x7e }), fc.integer({ min: 0xa0, max: 0xff })).map((code) => String.fromCharCode(code)),
  maxLength: 200,
});

export interface FuzzAnswer {
  status: number;
  contentType: string;
  text: string;
}

export class FuzzClient {
  private readonly agent = new Agent({ keepAliveTimeout: 5_000 });
  private readonly baseUrl: string;

  constructor(baseUrl: string) {
    this.baseUrl = baseUrl;
  }

  async send(method: string, path: string, headers: Record<string, string>, body?: string | Uint8Array): Promise<FuzzAnswer> {
    const answer = await request(this.baseUrl + path, {
      method: method as 'GET',
      dispatcher: this.agent,
      headers,
      ...(body === undefined ? {} : { body }),
      signal: AbortSignal.timeout(CLIENT_DEADLINE_MS),
    });
    const text = await answer.body.text();
    const contentType = answer.headers['content-type'];
    return { status: answer.statusCode, contentType: typeof contentType === 'string' ? contentType : '', text };
  }

  close(): Promise<void> {
    return this.agent.close();
  }
}

/** The property: never a 5xx; an error is JSON in the protocol's exact shape. */
export function expectProtocolAnswer(answer: FuzzAnswer, protocol: Protocol, context: string): void {
  const where = `${context} → ${answer.status} ${answer.text.slice(0, 300)}`;
  expect(answer.status, where).toBeLessThan(500);
  if (answer.status < 400) return;
  expect(answer.contentType, where).toMatch(/^application\/json/);
  const body = JSON.parse(answer.text) as Record<string, unknown>;
  const error = body.error as Record<string, unknown> | undefined;
  expect(typeof error?.message, where).toBe('string');
  expect(typeof error?.type, where).toBe('string');
  if (protocol === 'anthropic') {
    expect(body.type, where).toBe('error');
  } else {
    expect(error, where).toHaveProperty('param');
    expect(error, where).toHaveProperty('code');
  }
}
