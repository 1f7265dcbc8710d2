import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';

// Formats are annotations (as in 2020-12 by default); vendor keywords pass.
const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: false, addUsedSchema: false });
const cache = new Map<string, ValidateFunction | string>();

/** Why a value does not match a JSON Schema (the first few reasons), or undefined when it does. */
export function schemaProblem(schema: Record<string, unknown>, value: unknown): string | undefined {
  const text = JSON.stringify(schema);
  let validate = cache.get(text);
  if (validate === undefined) {
    try {
      validate = ajv.compile(schema);
    } catch (error) {
      validate = `the schema does not compile: ${(error as Error).message}`;
    }
    if (cache.size > 500) cache.clear();
    cache.set(text, validate);
  }
  if (typeof validate === 'string') return validate;
  if (validate(value)) return undefined;
  return (validate.errors ?? []).slice(0, 5).map(describe).join('; ') || 'does not match the schema';
}

const describe = (error: ErrorObject): string => `${error.instancePath || 'the value'} ${error.message ?? 'is invalid'}`;
