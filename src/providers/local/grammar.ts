import type { GbnfJsonSchema, Llama, LlamaGrammar } from 'node-llama-cpp';
import { HubError, type JsonObject, type JsonValue, type ResponseFormat, type ToolDefinition } from '../../core/index.js';

/** The tool call a forced (`tool_choice: required` or named) generation produces. */
export interface ForcedToolCallShape {
  name: string;
  arguments: JsonValue;
}

/**
 * `anyOf` means the same as `oneOf` for generation (a value of one of the shapes); node-llama-cpp's
 * GBNF converter only knows the latter.
 */
function normaliseSchema(value: JsonValue): JsonValue {
  if (Array.isArray(value)) return value.map(normaliseSchema);
  if (value === null || typeof value !== 'object') return value;
  const out: JsonObject = {};
  for (const [key, item] of Object.entries(value)) out[key === 'anyOf' ? 'oneOf' : key] = normaliseSchema(item);
  return out;
}

async function jsonSchemaGrammar(llama: Llama, schema: JsonObject, param: string): Promise<LlamaGrammar> {
  // The generic signature infers a TypeScript type from a literal schema; ours comes from a request.
  const create = llama.createGrammarForJsonSchema.bind(llama) as unknown as (schema: GbnfJsonSchema) => Promise<LlamaGrammar>;
  try {
    return await create(normaliseSchema(schema) as unknown as GbnfJsonSchema);
  } catch (error) {
    throw new HubError('INVALID_REQUEST', `This JSON schema cannot be turned into a decoding grammar: ${(error as Error).message}`, {
      param,
    });
  }
}

/** The grammar that makes every sampled token keep the output valid for `response_format`. */
export async function responseFormatGrammar(llama: Llama, format: ResponseFormat | undefined): Promise<LlamaGrammar | undefined> {
  if (!format || format.type === 'text') return undefined;
  if (format.type === 'json_object') return llama.getGrammarFor('json');
  return jsonSchemaGrammar(llama, format.schema, 'response_format.json_schema.schema');
}

/**
 * For `tool_choice: required` or a named tool: the answer must be a call, so it is decoded under a
 * grammar of `{"name": <one of the tools>, "arguments": <that tool's parameters>}`. This works with
 * any model, whether or not its chat template knows about tools.
 */
export async function forcedToolGrammar(llama: Llama, tools: readonly ToolDefinition[]): Promise<LlamaGrammar> {
  const shapes: JsonObject[] = tools.map((tool) => ({
    type: 'object',
    properties: { name: { const: tool.name }, arguments: tool.parameters ?? { type: 'object', properties: {} } },
    required: ['name', 'arguments'],
  }));
  const schema: JsonObject = shapes.length === 1 && shapes[0] ? shapes[0] : { oneOf: shapes };
  return jsonSchemaGrammar(llama, schema, 'tools');
}

/** The instruction that tells the model which tools exist when a call is forced. */
export function forcedToolInstruction(tools: readonly ToolDefinition[]): string {
  const lines = tools.map((tool) => {
    const description = tool.description ? ` — ${tool.description}` : '';
    return `- ${tool.name}${description}; arguments schema: ${JSON.stringify(tool.parameters ?? { type: 'object', properties: {} })}`;
  });
  return `Call exactly one of these tools. Answer only with a JSON object {"name": <tool name>, "arguments": <arguments object>}.\n${lines.join('\n')}`;
}

/** Parses a forced tool call; null when the output was cut (max_tokens) before the JSON closed. */
export function parseForcedToolCall(text: string): ForcedToolCallShape | null {
  try {
    const value = JSON.parse(text) as { name?: unknown; arguments?: JsonValue };
    if (typeof value.name !== 'string') return null;
    return { name: value.name, arguments: value.arguments ?? {} };
  } catch {
    return null;
  }
}
