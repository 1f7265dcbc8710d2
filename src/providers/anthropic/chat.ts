import type { ChatRequest, ChatResult } from '../../core/index.js';
import { type AnthropicMessage, anthropicMessageToCanonical, canonicalToAnthropic } from '../../wire/anthropic/index.js';
import type { CallContext } from '../spec.js';
import type { UpstreamClient } from '../upstream-request.js';
import { ANTHROPIC_DEFAULT_MAX_TOKENS } from './api.js';
import { answerUsage } from './usage.js';

export async function anthropicChat(client: UpstreamClient, request: ChatRequest, context: CallContext): Promise<ChatResult> {
  const body = canonicalToAnthropic({ ...request, stream: false }, ANTHROPIC_DEFAULT_MAX_TOKENS);
  const message = await client.postJson<AnthropicMessage>('/messages', JSON.stringify(body), context.signal);
  const result = anthropicMessageToCanonical(message);
  result.usage = answerUsage(message.usage);
  return result;
}
