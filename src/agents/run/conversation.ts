import type { ChatMessage, ToolCall } from '../../core/index.js';

/** The messages of a run as the model sees them: the agent's instructions first, then the exchange. */
export class Conversation {
  private instructions: string;
  private readonly exchange: ChatMessage[];

  constructor(instructions: string, messages: ChatMessage[]) {
    this.instructions = instructions;
    this.exchange = [...messages];
  }

  /** After a handoff, the new agent speaks with its own instructions over the same exchange. */
  handOver(instructions: string): void {
    this.instructions = instructions;
  }

  addAssistant(content: string | null, toolCalls: ToolCall[]): void {
    this.exchange.push({ role: 'assistant', content, ...(toolCalls.length > 0 ? { toolCalls } : {}) });
  }

  addToolResult(callId: string, content: string): void {
    this.exchange.push({ role: 'tool', toolCallId: callId, content });
  }

  addUser(content: string): void {
    this.exchange.push({ role: 'user', content });
  }

  messages(): ChatMessage[] {
    return this.instructions ? [{ role: 'system', content: this.instructions }, ...this.exchange] : [...this.exchange];
  }
}
