import type { ChatRequest, JsonObject, ToolDefinition } from '../../core/index.js';
import type { AgentDefinition } from '../definition.js';
import type { Conversation } from './conversation.js';
import type { RunTool } from './run-tools.js';

/** The model request of the next turn: the conversation, the agent's tools, and its output schema. */
export function prepareTurn(definition: AgentDefinition, conversation: Conversation, tools: readonly RunTool[]): ChatRequest {
  const toolDefinitions: ToolDefinition[] = tools.map((tool) => ({
    name: tool.spec.name,
    description: tool.spec.description,
    parameters: tool.spec.parameters,
  }));
  return {
    model: definition.model,
    messages: conversation.messages(),
    stream: false,
    ...(toolDefinitions.length > 0 ? { tools: toolDefinitions, toolChoice: 'auto' as const } : {}),
    ...(definition.output_schema && toolDefinitions.length === 0
      ? { responseFormat: { type: 'json_schema' as const, name: 'output', schema: definition.output_schema as JsonObject } }
      : {}),
  };
}
