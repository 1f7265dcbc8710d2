import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import { parse } from 'yaml';

/** ../shared/specs/openai-openapi.yaml, next to the repository (absent outside the workspace). */
export const OPENAI_SPEC_PATH = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'shared', 'specs', 'openai-openapi.yaml');

export const hasOpenAISpec = existsSync(OPENAI_SPEC_PATH);

let ajv: Ajv2020 | undefined;

/** A validator for one component schema of OpenAI's OpenAPI document (JSON Schema 2020-12 dialect). */
export function openaiSchemaValidator(name: string): ValidateFunction {
  if (!ajv) {
    const document = parse(readFileSync(OPENAI_SPEC_PATH, 'utf8')) as { components: Record<string, unknown> };
    ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: false });
    ajv.addSchema({ $id: 'openai', components: withoutNullable(document.components) });
  }
  const validate = ajv.getSchema(`openai#/components/schemas/${name}`);
  if (!validate) throw new Error(`no schema ${name} in the OpenAI spec`);
  return validate;
}

/** OpenAPI 3.0's `nullable`, still used in places, rewritten as the JSON Schema 2020-12 equivalent. */
function withoutNullable(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(withoutNullable);
  if (node === null || typeof node !== 'object') return node;
  const { nullable, ...rest } = node as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(rest)) out[key] = withoutNullable(value);
  if (nullable !== true) return out;
  if (Array.isArray(out.enum)) out.enum = [...out.enum, null];
  if (typeof out.type === 'string') return { ...out, type: [out.type, 'null'] };
  if (Array.isArray(out.type)) return { ...out, type: [...out.type, 'null'] };
  return { anyOf: [out, { type: 'null' }] };
}
