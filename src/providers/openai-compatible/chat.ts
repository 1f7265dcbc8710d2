import type { ChatRequest, ChatResult } from '../../core/index.js';
import { canonicalToOpenAIChat, chatCompletionToCanonical, type OpenAIChatCompletion } from '../../wire/openai/index.js';
import type { CallContext } from '../spec.js';
import type { UpstreamClient } from '../upstream-request.js';
import { usageFromVendor } from './usage.js';

export async function openaiChat(client: UpstreamClient, request: ChatRequest, context: CallContext): Promise<ChatResult> {
  const body = canonicalToOpenAIChat({ ...request, stream: false });
  const completion = await client.postJson<OpenAIChatCompletion>('/chat/completions', JSON.stringify(body), context.signal);
  const result = chatCompletionToCanonical(completion);
  if (completion.usage) result.usage = usageFromVendor(completion.usage);
  return result;
}
