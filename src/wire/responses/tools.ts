import { z } from 'zod';
import { HubError, type JsonObject, type ResponseFormat, type ToolChoice, type ToolDefinition } from '../../core/index.js';
import type { ResponsesTextFormat, ResponsesToolChoice } from './request.js';
import type { UnsupportedFeature } from './unsupported.js';

/** Responses tools, tool choice and `text.format` → their canonical forms. */

const functionTool = z.looseObject({
  type: z.literal('function'),
  name: z.string().min(1).max(128),
  description: z.string().nullish(),
  parameters: z.record(z.string(), z.unknown()).nullish(),
  strict: z.boolean().nullish(),
});

/** What each hosted tool is called in error messages; unknown hosted types are named by their type. */
const HOSTED_TOOL_NAMES: Record<string, string> = {
  web_search: 'web search',
  web_search_preview: 'web search',
  file_search: 'file search',
  computer_use_preview: 'computer use',
  computer_use: 'computer use',
  code_interpreter: 'code interpreter',
  image_generation: 'image generation',
  mcp: 'remote MCP',
  local_shell: 'local shell',
  shell: 'shell',
  apply_patch: 'apply patch',
  custom: 'custom (free-form) tools',
};

export function hostedToolFeature(type: string, index: number): UnsupportedFeature {
  const name = HOSTED_TOOL_NAMES[type] ?? HOSTED_TOOL_NAMES[type.replace(/_\d{4}_\d{2}_\d{2}$/, '')];
  return { feature: `Hosted tool '${type}'${name ? ` (${name})` : ''} in tools[${index}]`, param: 'tools' };
}

export function toolsToCanonical(tools: readonly { type: string }[], unsupported: UnsupportedFeature[]): ToolDefinition[] {
  const definitions: ToolDefinition[] = [];
  tools.forEach((raw, index) => {
    if (raw.type !== 'function') {
      unsupported.push(hostedToolFeature(raw.type, index));
      return;
    }
    const parsed = functionTool.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const param = ['tools', String(index), ...(issue?.path.map(String) ?? [])].join('.');
      throw new HubError('INVALID_REQUEST', `Invalid value for '${param}': ${issue?.message ?? 'invalid tool'}`, { param });
    }
    const tool = parsed.data;
    const definition: ToolDefinition = { name: tool.name };
    if (tool.description != null) definition.description = tool.description;
    if (tool.parameters != null) definition.parameters = tool.parameters as JsonObject;
    // Responses defaults `strict` to true on OpenAI itself, but other upstreams reject strict mode for
    // schemas not written for it; only an explicit choice is forwarded.
    if (tool.strict != null) definition.strict = tool.strict;
    definitions.push(definition);
  });
  return definitions;
}

export function toolChoiceToCanonical(choice: ResponsesToolChoice, unsupported: UnsupportedFeature[]): ToolChoice | undefined {
  if (typeof choice === 'string') return choice;
  if (choice.type === 'function' && choice.name) return { name: choice.name };
  unsupported.push({ feature: `tool_choice of type '${choice.type}'`, param: 'tool_choice' });
  return undefined;
}

export function textFormatToCanonical(format: ResponsesTextFormat): ResponseFormat {
  if (format.type !== 'json_schema') return { type: format.type };
  const schemaFormat = format as Extract<ResponsesTextFormat, { type: 'json_schema' }>;
  const out: ResponseFormat = { type: 'json_schema', name: schemaFormat.name, schema: schemaFormat.schema as JsonObject };
  if (schemaFormat.strict != null) out.strict = schemaFormat.strict;
  if (schemaFormat.description != null) out.description = schemaFormat.description;
  return out;
}
