import type { StoreAccess } from '../store/store-access.js';

/** What a tool call gives back: τ²'s result text, or τ²'s error text (`Error: …`). */
export type ToolOutcome = { ok: true; result: string } | { ok: false; error: string };

/**
 * τ²'s `ValueError` inside a tool: the call changes nothing (a write's transaction is rolled back) and
 * the model reads `Error: <message>`, as τ²'s environment renders it.
 */
export class ToolError extends Error {}

/** Effects a tool needs from the composition (hand-off to a person). */
export interface ToolEffects {
  /** Opens a hand-off of this conversation to a person; returns its id. */
  openHandoff?: (request: { summary: string }) => Promise<string>;
}

export type ParameterType = 'string' | 'string[]';

export interface ParameterSpec {
  name: string;
  type: ParameterType;
  description: string;
}

/** τ²'s own classification: reads and generic tools never change the store. */
export type ToolKind = 'read' | 'write' | 'generic';

/** JSON Schema of a tool's arguments (an object of strings and string arrays, all required). */
export interface ToolParametersSchema {
  type: 'object';
  properties: Record<string, { type: 'string'; description: string } | { type: 'array'; items: { type: 'string' }; description: string }>;
  required: string[];
  additionalProperties: false;
}

export interface SupportTool {
  name: string;
  description: string;
  kind: ToolKind;
  parameters: ToolParametersSchema;
  /** Runs the tool as τ² does, without policy: `args` is what the model sent, checked here. */
  run(store: StoreAccess, args: unknown, effects?: ToolEffects): Promise<ToolOutcome>;
}

type ArgsOf<P extends readonly ParameterSpec[]> = {
  [K in P[number] as K['name']]: K['type'] extends 'string[]' ? string[] : string;
};

export interface ToolDefinition<P extends readonly ParameterSpec[]> {
  name: string;
  description: string;
  kind: ToolKind;
  parameters: P;
  run(store: StoreAccess, args: ArgsOf<P>, effects: ToolEffects): Promise<string>;
}

/** A tool from its τ² signature and body; the body throws `ToolError` where τ² raises `ValueError`. */
export function defineTool<const P extends readonly ParameterSpec[]>(definition: ToolDefinition<P>): SupportTool {
  return {
    name: definition.name,
    description: definition.description,
    kind: definition.kind,
    parameters: schemaOf(definition.parameters),
    run: async (store, args, effects = {}) => {
      try {
        const checked = checkArguments(definition.name, definition.parameters, args) as ArgsOf<P>;
        return { ok: true, result: await definition.run(store, checked, effects) };
      } catch (error) {
        if (error instanceof ToolError) return { ok: false, error: `Error: ${error.message}` };
        throw error;
      }
    },
  };
}

function schemaOf(parameters: readonly ParameterSpec[]): ToolParametersSchema {
  const properties: ToolParametersSchema['properties'] = {};
  for (const parameter of parameters) {
    properties[parameter.name] =
      parameter.type === 'string'
        ? { type: 'string', description: parameter.description }
        : { type: 'array', items: { type: 'string' }, description: parameter.description };
  }
  return { type: 'object', properties, required: parameters.map((parameter) => parameter.name), additionalProperties: false };
}

const quoteList = (names: string[]): string => {
  const quoted = names.map((name) => `'${name}'`);
  if (quoted.length <= 1) return quoted.join('');
  if (quoted.length === 2) return `${quoted[0]} and ${quoted[1]}`;
  return `${quoted.slice(0, -1).join(', ')}, and ${quoted.at(-1)}`;
};

/**
 * The arguments as τ² would take them through `tool(**arguments)`: a missing or unexpected name fails
 * with Python's TypeError text; a value of the wrong JSON type fails too (Python would fail later, less
 * predictably).
 */
function checkArguments(toolName: string, parameters: readonly ParameterSpec[], args: unknown): Record<string, string | string[]> {
  const given = args ?? {};
  if (typeof given !== 'object' || Array.isArray(given))
    throw new ToolError(`RetailTools.${toolName}() argument after ** must be a mapping`);
  const record = given as Record<string, unknown>;
  const known = new Set(parameters.map((parameter) => parameter.name));
  const unexpected = Object.keys(record).find((key) => !known.has(key));
  if (unexpected !== undefined) throw new ToolError(`RetailTools.${toolName}() got an unexpected keyword argument '${unexpected}'`);
  const missing = parameters.filter((parameter) => !Object.hasOwn(record, parameter.name)).map((parameter) => parameter.name);
  if (missing.length > 0) {
    const plural = missing.length === 1 ? 'argument' : 'arguments';
    throw new ToolError(`RetailTools.${toolName}() missing ${missing.length} required positional ${plural}: ${quoteList(missing)}`);
  }
  const checked: Record<string, string | string[]> = {};
  for (const parameter of parameters) {
    const value = record[parameter.name];
    if (parameter.type === 'string') {
      if (typeof value !== 'string') throw new ToolError(`argument '${parameter.name}' of ${toolName} must be a string`);
      checked[parameter.name] = value;
    } else {
      if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) {
        throw new ToolError(`argument '${parameter.name}' of ${toolName} must be a list of strings`);
      }
      checked[parameter.name] = [...value] as string[];
    }
  }
  return checked;
}
