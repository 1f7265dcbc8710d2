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

  /**
   * A hand-off summary the agent did not write (a rule escalated): why, what the customer last said, and
   * the last tool results, so the person starts with the context.
   */
  summaryForPerson(why: string): string {
    const text = (message: ChatMessage | undefined): string => (typeof message?.content === 'string' ? message.content : '');
    const lastUser = text([...this.exchange].reverse().find((message) => message.role === 'user'));
    const tools = this.exchange
      .filter((message) => message.role === 'tool')
      .slice(-3)
      .map(text);
    return [
      why,
      lastUser ? `The customer last wrote: "${lastUser.slice(0, 1_000)}"` : '',
      tools.length > 0 ? `Last tool results:\n${tools.map((result) => `- ${result.slice(0, 300)}`).join('\n')}` : '',
    ]
      .filter((line) => line.length > 0)
      .join('\n');
  }

  messages(): ChatMessage[] {
    return this.instructions ? [{ role: 'system', content: this.instructions }, ...this.exchange] : [...this.exchange];
  }
}
