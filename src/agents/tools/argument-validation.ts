import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { JsonObject } from '../../core/index.js';

/**
 * Tool argument validation with ajv: JSON Schema 2020-12 (the default, and what MCP servers declare) or draft-07
 * (`$schema` says so; what zod-to-json-schema writes). `format` is an annotation, as 2020-12 makes it by default:
 * asserting formats would need ajv-formats and refuse schemas naming formats it lacks.
 */

/** Larger schemas are refused: they are compiled to code, and a tool's parameters never need this much. */
export const MAX_SCHEMA_BYTES = 64 * 1024;
const MAX_CACHED_VALIDATORS = 500;
const MAX_REPORTED_ERRORS = 5;

const DRAFT_07 = /^https?:\/\/json-schema\.org\/draft-07\/schema#?$/;
const DRAFT_2020_12 = /^https?:\/\/json-schema\.org\/draft\/2020-12\/schema#?$/;

// strict: false lets vendor keywords (`x-…`, `examples` in draft-07) through, as models' tool schemas carry them.
const OPTIONS = { strict: false, allErrors: true, validateFormats: false, addUsedSchema: false } as const;
const ajv2020 = new Ajv2020(OPTIONS);
const ajv07 = new Ajv(OPTIONS);

type Dialect = { ajv: Ajv | Ajv2020 } | { problem: string };

function dialectOf(schema: Record<string, unknown>): Dialect {
  const declared = schema.$schema;
  if (declared === undefined) return { ajv: ajv2020 };
  if (typeof declared !== 'string') return { problem: '$schema must be a string' };
  if (DRAFT_2020_12.test(declared)) return { ajv: ajv2020 };
  if (DRAFT_07.test(declared)) return { ajv: ajv07 };
  return { problem: `$schema ${JSON.stringify(declared.slice(0, 100))} is not supported (use JSON Schema 2020-12 or draft-07)` };
}

type Compiled = { validate: ValidateFunction } | { problem: string };

/** Least recently used last; keyed by the schema's JSON, since each run parses its definition afresh. */
const cache = new Map<string, Compiled>();

function compile(schema: Record<string, unknown>): Compiled {
  const key = JSON.stringify(schema);
  const cached = cache.get(key);
  if (cached !== undefined) {
    cache.delete(key);
    cache.set(key, cached);
    return cached;
  }
  const compiled = compileUncached(schema, key.length);
  cache.set(key, compiled);
  if (cache.size > MAX_CACHED_VALIDATORS) {
    const oldest = cache.keys().next().value;
    if (oldest !== undefined) cache.delete(oldest);
  }
  return compiled;
}

function compileUncached(schema: Record<string, unknown>, size: number): Compiled {
  if (size > MAX_SCHEMA_BYTES) return { problem: `is larger than ${MAX_SCHEMA_BYTES} bytes` };
  if (schema.type !== 'object') return { problem: 'must be a JSON Schema with "type": "object" (tool arguments are an object)' };
  const dialect = dialectOf(schema);
  if ('problem' in dialect) return dialect;
  const { ajv } = dialect;
  if (!ajv.validateSchema(schema)) return { problem: `is not a valid JSON Schema: ${describeErrors(ajv.errors, 'schema')}` };
  // Schemas come from many tenants: whatever `$id`s one registers must not resolve a `$ref` of another's, so the
  // compiled function keeps them and the shared instance forgets them.
  const knownRefs = new Set(Object.keys(ajv.refs));
  try {
    return { validate: ajv.compile(schema) };
  } catch (error) {
    return { problem: `is not a valid JSON Schema: ${error instanceof Error ? error.message : String(error)}` };
  } finally {
    ajv.removeSchema(schema);
    for (const ref of Object.keys(ajv.refs)) if (!knownRefs.has(ref)) delete ajv.refs[ref];
  }
}

/** Why `schema` cannot be a tool's parameters (not an object schema, not valid JSON Schema, too large), or undefined. */
export function jsonSchemaProblem(schema: unknown): string | undefined {
  if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) return 'must be a JSON Schema object';
  const compiled = compile(schema as Record<string, unknown>);
  return 'problem' in compiled ? compiled.problem : undefined;
}

export type ArgumentValidation = { ok: true; arguments: JsonObject } | { ok: false; message: string };

/**
 * Checks a call's arguments (the model's JSON text, or already parsed) against the tool's parameters. A failure's
 * message is written for the model, which gets it back as the tool's error and may try again.
 */
export function validateToolArguments(toolName: string, schema: JsonObject, args: unknown): ArgumentValidation {
  let value: unknown = args;
  if (typeof args === 'string') {
    // An empty argument string is what some models send for a tool without parameters.
    if (args.trim() === '') value = {};
    else {
      try {
        value = JSON.parse(args);
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        return { ok: false, message: `Invalid arguments for tool ${toolName}: not valid JSON (${reason}). Send a JSON object.` };
      }
    }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, message: `Invalid arguments for tool ${toolName}: expected a JSON object.` };
  }
  const compiled = compile(schema);
  if ('problem' in compiled) return { ok: false, message: `Tool ${toolName} cannot be called: its parameters schema ${compiled.problem}.` };
  if (compiled.validate(value)) return { ok: true, arguments: value as JsonObject };
  return {
    ok: false,
    message: `Invalid arguments for tool ${toolName}: ${describeErrors(compiled.validate.errors, 'arguments')}. Fix them and call the tool again.`,
  };
}

function describeErrors(errors: ErrorObject[] | null | undefined, root: string): string {
  if (!errors || errors.length === 0) return 'does not match the schema';
  const lines = errors.slice(0, MAX_REPORTED_ERRORS).map((error) => describeError(error, root));
  const more = errors.length - MAX_REPORTED_ERRORS;
  return bounded(more > 0 ? `${lines.join('; ')}; and ${more} more` : lines.join('; '), 1000);
}

function bounded(text: string, length: number): string {
  return text.length <= length ? text : `${text.slice(0, length - 1)}…`;
}

function describeError(error: ErrorObject, root: string): string {
  const where = error.instancePath === '' ? root : `${root}${error.instancePath}`;
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'additionalProperties':
      return `${where} has unexpected property ${JSON.stringify(params.additionalProperty)}`;
    case 'enum':
      return `${where} must be one of ${bounded(JSON.stringify(params.allowedValues), 200)}`;
    default:
      return `${where} ${error.message ?? 'is invalid'}`;
  }
}
