import type { ChatRequest, ChatStream, StreamPart } from '../../core/index.js';
import type { CallContext } from '../spec.js';
import { primeStream } from '../sse-events.js';
import { playStep } from './chat.js';
import type { ScriptCursor } from './script.js';

/**
 * The step as a canonical stream: text and reasoning a word at a time, each tool call as its start and its
 * arguments in two deltas (so clients' accumulation is exercised), then the finish and the usage.
 */
export async function scriptedStream(
  cursor: ScriptCursor,
  providerId: string,
  request: ChatRequest,
  context: CallContext,
): Promise<ChatStream> {
  const played = await playStep(cursor, providerId, request, context);
  const { reply } = played;
  const parts: StreamPart[] = [{ type: 'response-start', id: played.id, model: request.model, created: played.created }];
  for (const text of pieces(reply.reasoning ?? '')) parts.push({ type: 'reasoning-delta', index: 0, text });
  for (const text of pieces(reply.text ?? '')) parts.push({ type: 'text-delta', index: 0, text });
  reply.toolCalls.forEach((call, toolIndex) => {
    parts.push({ type: 'tool-call-start', index: 0, toolIndex, id: call.id, name: call.name });
    const half = Math.ceil(call.arguments.length / 2);
    for (const argumentsDelta of [call.arguments.slice(0, half), call.arguments.slice(half)]) {
      if (argumentsDelta) parts.push({ type: 'tool-call-delta', index: 0, toolIndex, argumentsDelta });
    }
  });
  parts.push({ type: 'choice-finish', index: 0, reason: played.finishReason }, { type: 'usage-final', usage: played.usage });
  return primeStream(emit(parts, context.signal), providerId);
}

/** Words with the space after them, so that the pieces join back to the text exactly. */
const pieces = (text: string): string[] => text.match(/\s*\S+\s*/g) ?? (text ? [text] : []);

async function* emit(parts: StreamPart[], signal: AbortSignal): AsyncGenerator<StreamPart> {
  for (const part of parts) {
    if (signal.aborted) return;
    yield part;
  }
}
