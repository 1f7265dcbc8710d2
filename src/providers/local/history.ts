import type { ChatHistoryItem, ChatModelFunctionCall, ChatModelResponse } from 'node-llama-cpp';
import { type ChatMessage, HubError } from '../../core/index.js';

function textOf(message: ChatMessage, index: number): string {
  const content = message.content;
  if (content === null) return '';
  if (typeof content === 'string') return content;
  let text = '';
  for (const part of content) {
    if (part.type !== 'text') {
      throw new HubError('UNSUPPORTED_FEATURE', 'Local models take text only; this message has an image.', {
        param: `messages.${index}.content`,
      });
    }
    text += part.text;
  }
  return text;
}

function parseJsonOrText(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/**
 * Canonical messages → node-llama-cpp chat history. Tool results (role `tool`) are attached to the
 * assistant's function call they answer, which is how node-llama-cpp's chat wrappers render them.
 * The history ends with a model turn for the generation to fill (a trailing assistant message is
 * continued, which is how clients prefill an answer).
 */
export function toChatHistory(messages: readonly ChatMessage[]): ChatHistoryItem[] {
  const history: ChatHistoryItem[] = [];
  const callsById = new Map<string, ChatModelFunctionCall>();
  messages.forEach((message, index) => {
    switch (message.role) {
      case 'system':
      case 'developer':
        history.push({ type: 'system', text: textOf(message, index) });
        return;
      case 'user':
        history.push({ type: 'user', text: textOf(message, index) });
        return;
      case 'assistant': {
        const response: ChatModelResponse['response'] = [];
        const text = textOf(message, index);
        if (text) response.push(text);
        for (const call of message.toolCalls ?? []) {
          const functionCall: ChatModelFunctionCall = {
            type: 'functionCall',
            name: call.name,
            params: parseJsonOrText(call.arguments),
            result: '',
          };
          callsById.set(call.id, functionCall);
          response.push(functionCall);
        }
        history.push({ type: 'model', response });
        return;
      }
      case 'tool': {
        const call = message.toolCallId === undefined ? undefined : callsById.get(message.toolCallId);
        if (!call) {
          throw new HubError('INVALID_REQUEST', `Tool message answers an unknown tool_call_id "${message.toolCallId ?? ''}".`, {
            param: `messages.${index}.tool_call_id`,
          });
        }
        call.result = parseJsonOrText(textOf(message, index));
        return;
      }
    }
  });
  if (history.at(-1)?.type !== 'model') history.push({ type: 'model', response: [] });
  return history;
}
