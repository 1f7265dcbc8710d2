import type { EvalHubClient, Json } from './hub-client.js';
import { type EvalTask, instructionsText } from './suite.js';

/** τ²'s tokens by which the simulated customer ends the conversation. */
export const STOP = '###STOP###';
export const TRANSFER = '###TRANSFER###';
export const OUT_OF_SCOPE = '###OUT-OF-SCOPE###';

/** What the agent says first, before the customer's opening message (as in τ²). */
export const AGENT_GREETING = 'Hi! How can I help you today?';

const GUIDELINES = `# User simulation guidelines
You are playing the role of a customer contacting a customer service representative.
Your goal is to simulate realistic customer interactions while following specific scenario instructions.

## Core principles
- Generate one message at a time, maintaining a natural conversation flow.
- Strictly follow the scenario instructions you have received.
- Never make up or hallucinate information not provided in the scenario instructions. Information that is not
  provided in the scenario instructions should be considered unknown or unavailable.
- Avoid repeating the exact instructions verbatim. Use paraphrasing and natural language to convey the same information.
- Disclose information progressively. Wait for the agent to ask for specific information before providing it.

## Task completion
- The goal is to continue the conversation until the task is complete.
- If the instruction goal is satisfied, generate the '${STOP}' token to end the conversation.
- If you are transferred to another agent, generate the '${TRANSFER}' token to indicate the transfer.
- If you find yourself in a situation in which the scenario does not provide enough information for you to
  continue the conversation, generate the '${OUT_OF_SCOPE}' token to end the conversation.

Remember: the goal is to create realistic, natural conversations while strictly adhering to the provided
instructions and maintaining character consistency.`;

/** τ²'s user-simulator system prompt: the guidelines, then the task's scenario. */
export function simulatorSystemPrompt(task: EvalTask): string {
  return `${GUIDELINES}\n\n<scenario>\n${instructionsText(task)}\n</scenario>`;
}

export interface ConversationTurn {
  speaker: 'customer' | 'agent';
  content: string;
}

/** The conversation as the simulator's model reads it: its own lines as `assistant`, the agent's as `user`. */
export function simulatorMessages(task: EvalTask, conversation: readonly ConversationTurn[]): { role: string; content: string }[] {
  return [
    { role: 'system', content: simulatorSystemPrompt(task) },
    ...conversation.map((turn) => ({ role: turn.speaker === 'customer' ? 'assistant' : 'user', content: turn.content })),
  ];
}

export type SimulatorEnd = 'stop' | 'transfer' | 'out_of_scope';

/** Which of τ²'s end tokens a customer message carries, if any. */
export function endOf(message: string): SimulatorEnd | undefined {
  if (message.includes(STOP)) return 'stop';
  if (message.includes(TRANSFER)) return 'transfer';
  if (message.includes(OUT_OF_SCOPE)) return 'out_of_scope';
  return undefined;
}

/** The customer's message without τ²'s end tokens (what is still worth sending, if anything). */
export const withoutEndTokens = (message: string): string =>
  message.replaceAll(STOP, '').replaceAll(TRANSFER, '').replaceAll(OUT_OF_SCOPE, '').trim();

export interface SimulatorReply {
  content: string;
  inputTokens: number;
  outputTokens: number;
}

export interface UserSimulatorOptions {
  /** A key of the eval tenant with the `inference` scope. */
  key: string;
  model: string;
  task: EvalTask;
  /** Prefix of each call's `x-client-request-id` (the call's number follows). */
  requestIdPrefix: string;
  temperature?: number;
}

/**
 * The simulated customer: a model called through the hub's OpenAI surface with the eval's simulator key,
 * each call tagged (`x-client-request-id`) with the trial it belongs to, so its ledger rows can be told apart.
 */
export class UserSimulator {
  private readonly client: EvalHubClient;
  private readonly options: UserSimulatorOptions;
  private calls = 0;

  constructor(client: EvalHubClient, options: UserSimulatorOptions) {
    this.client = client;
    this.options = options;
  }

  async next(conversation: readonly ConversationTurn[]): Promise<SimulatorReply> {
    this.calls += 1;
    const response = await this.client.request<Json>(
      this.options.key,
      'POST',
      '/v1/chat/completions',
      {
        model: this.options.model,
        messages: simulatorMessages(this.options.task, conversation),
        ...(this.options.temperature !== undefined ? { temperature: this.options.temperature } : {}),
      },
      { 'x-client-request-id': `${this.options.requestIdPrefix}${this.calls}` },
    );
    const choice = (response.choices as { message?: { content?: string | null } }[] | undefined)?.[0];
    const usage = (response.usage ?? {}) as { prompt_tokens?: number; completion_tokens?: number };
    return { content: choice?.message?.content ?? '', inputTokens: usage.prompt_tokens ?? 0, outputTokens: usage.completion_tokens ?? 0 };
  }

  get callCount(): number {
    return this.calls;
  }
}
