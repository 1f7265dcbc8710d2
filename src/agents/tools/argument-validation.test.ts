import { describe, expect, it } from 'vitest';
import type { JsonObject } from '../../core/index.js';
import { jsonSchemaProblem, MAX_SCHEMA_BYTES, validateToolArguments } from './argument-validation.js';

const weather: JsonObject = {
  type: 'object',
  properties: {
    city: { type: 'string', minLength: 1 },
    units: { enum: ['metric', 'imperial'] },
    days: { type: 'integer', minimum: 1, maximum: 7 },
  },
  required: ['city'],
  additionalProperties: false,
};

describe('tool argument validation', () => {
  it('accepts valid arguments, as JSON text or parsed, and an empty string as no arguments', () => {
    expect(validateToolArguments('weather', weather, '{"city":"Oslo","days":3}')).toEqual({
      ok: true,
      arguments: { city: 'Oslo', days: 3 },
    });
    expect(validateToolArguments('weather', weather, { city: 'Oslo' })).toEqual({ ok: true, arguments: { city: 'Oslo' } });
    expect(validateToolArguments('now', { type: 'object', properties: {} }, '')).toEqual({ ok: true, arguments: {} });
  });

  it('explains every problem in words the model can act on', () => {
    const result = validateToolArguments('weather', weather, { units: 'kelvin', days: 9, country: 'NO' });
    expect(result.ok).toBe(false);
    const message = result.ok ? '' : result.message;
    expect(message).toMatch(/^Invalid arguments for tool weather: /);
    expect(message).toContain("arguments must have required property 'city'");
    expect(message).toContain('arguments has unexpected property "country"');
    expect(message).toContain('arguments/units must be one of ["metric","imperial"]');
    expect(message).toContain('arguments/days must be <= 7');
    expect(message).toMatch(/call the tool again\.$/);
  });

  it('refuses text that is not a JSON object', () => {
    expect(validateToolArguments('weather', weather, '{"city": "Oslo"')).toMatchObject({
      ok: false,
      message: expect.stringContaining('not valid JSON'),
    });
    expect(validateToolArguments('weather', weather, '[1]')).toEqual({
      ok: false,
      message: 'Invalid arguments for tool weather: expected a JSON object.',
    });
  });

  it('understands draft-07 and 2020-12 schemas, and treats format as an annotation', () => {
    const draft07: JsonObject = {
      $schema: 'http://json-schema.org/draft-07/schema#',
      type: 'object',
      properties: { pair: { type: 'array', items: [{ type: 'string' }, { type: 'number' }] }, email: { type: 'string', format: 'email' } },
    };
    expect(jsonSchemaProblem(draft07)).toBeUndefined();
    expect(validateToolArguments('t', draft07, { pair: ['a', 1], email: 'not an email' }).ok).toBe(true);
    expect(validateToolArguments('t', draft07, { pair: [1, 'a'] }).ok).toBe(false);
    const modern: JsonObject = { type: 'object', properties: { pair: { type: 'array', prefixItems: [{ type: 'string' }], items: false } } };
    expect(validateToolArguments('t', modern, { pair: ['a'] }).ok).toBe(true);
    expect(validateToolArguments('t', modern, { pair: ['a', 'b'] }).ok).toBe(false);
  });

  it('says why a schema cannot be a tool schema', () => {
    expect(jsonSchemaProblem(weather)).toBeUndefined();
    expect(jsonSchemaProblem([])).toBe('must be a JSON Schema object');
    expect(jsonSchemaProblem({ type: 'array' })).toMatch(/"type": "object"/);
    expect(jsonSchemaProblem({ type: 'object', properties: { a: { type: 'strin' } } })).toMatch(/^is not a valid JSON Schema: /);
    expect(jsonSchemaProblem({ type: 'object', properties: { a: { $ref: '#/$defs/missing' } } })).toMatch(/can't resolve reference/);
    expect(jsonSchemaProblem({ type: 'object', properties: { a: { $ref: 'https://example.com/remote.json' } } })).toMatch(
      /can't resolve reference/,
    );
    expect(jsonSchemaProblem({ $schema: 'http://json-schema.org/draft-04/schema#', type: 'object' })).toMatch(/is not supported/);
    expect(jsonSchemaProblem({ type: 'object', description: 'x'.repeat(MAX_SCHEMA_BYTES) })).toMatch(/larger than/);
  });

  it("keeps one schema's $id from resolving another schema's $ref", () => {
    const first: JsonObject = {
      type: 'object',
      properties: { a: { $ref: 'https://tenant-a.example/defs' } },
      $defs: { d: { $id: 'https://tenant-a.example/defs', type: 'string' } },
    };
    expect(validateToolArguments('a', first, { a: 'x' }).ok).toBe(true);
    expect(validateToolArguments('a', first, { a: 1 }).ok).toBe(false);
    const second: JsonObject = { type: 'object', properties: { a: { $ref: 'https://tenant-a.example/defs' } } };
    expect(jsonSchemaProblem(second)).toMatch(/can't resolve reference/);
    const sameId: JsonObject = { $id: 'https://shared.example/s', type: 'object', properties: { n: { type: 'number' } } };
    const sameIdOther: JsonObject = { $id: 'https://shared.example/s', type: 'object', properties: { n: { type: 'string' } } };
    expect(validateToolArguments('x', sameId, { n: 1 }).ok).toBe(true);
    expect(validateToolArguments('y', sameIdOther, { n: 's' }).ok).toBe(true);
    expect(validateToolArguments('y', sameIdOther, { n: 1 }).ok).toBe(false);
  });
});
