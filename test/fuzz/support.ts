/**
 * Shared pieces of the fuzz suite: the arbitraries (malformed, oversized, deeply nested, wrongly typed
 * and unicode-edge input), a request helper with a hard client deadline, and the one property every
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

/** Any JSON value, with edgy strings and the keys prototype-pollution attempts use. */
export const anyJson: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constant(null),
    fc.boolean(),
    fc.integer(),
    fc.double(),
    fc.constantFrom(Number.MAX_SAFE_INTEGER, -1, 0, 1e308, -1e308, 2 ** 53 + 1),
    edgyString,
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(fc.oneof(fc.string({ maxLength: 12 }), unicodeEdge), tie('value'), { maxKeys: 4 }),
  ),
})).value;

/** Sets, replaces or deletes one top-level or nested field of a valid body: wrong types, missing fields. */
export function mutated(valid: Record<string, unknown>): fc.Arbitrary<unknown> {
  const keys = [...Object.keys(valid), 'extra', '__proto__', 'constructor'];
  return fc.oneof(
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
