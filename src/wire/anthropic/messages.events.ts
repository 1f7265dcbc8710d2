import { sseEvent } from '../sse.js';
import type { AnthropicErrorBody } from './errors.js';
import type { AnthropicMessage, AnthropicResponseBlock } from './messages.response.js';
import type { AnthropicDeltaUsage } from './usage.js';

/** The server-sent events of a streamed Messages response; each event's SSE name equals its `type`. */
export interface AnthropicMessageStartEvent {
  type: 'message_start';
  message: AnthropicMessage;
}

export interface AnthropicContentBlockStartEvent {
  type: 'content_block_start';
  index: number;
  content_block: AnthropicResponseBlock;
}

export type AnthropicBlockDelta =
  | { type: 'text_delta'; text: string }
  | { type: 'input_json_delta'; partial_json: string }
  | { type: 'thinking_delta'; thinking: string }
  | { type: 'signature_delta'; signature: string }
  | { type: 'citations_delta'; citation: unknown };

export interface AnthropicContentBlockDeltaEvent {
  type: 'content_block_delta';
  index: number;
  delta: AnthropicBlockDelta;
}

export interface AnthropicContentBlockStopEvent {
  type: 'content_block_stop';
  index: number;
}

export interface AnthropicMessageDeltaEvent {
  type: 'message_delta';
  delta: { stop_reason: string | null; stop_sequence: string | null };
  usage: AnthropicDeltaUsage;
}

export interface AnthropicMessageStopEvent {
  type: 'message_stop';
}

export interface AnthropicPingEvent {
  type: 'ping';
}

export type AnthropicStreamEvent =
  | AnthropicMessageStartEvent
  | AnthropicContentBlockStartEvent
  | AnthropicContentBlockDeltaEvent
  | AnthropicContentBlockStopEvent
  | AnthropicMessageDeltaEvent
  | AnthropicMessageStopEvent
  | AnthropicPingEvent
  | AnthropicErrorBody;

/** One event as it goes on the wire: the SSE `event:` name and its JSON `data:`. */
export type AnthropicSseEvent = {
  [Name in AnthropicStreamEvent['type']]: { event: Name; data: Extract<AnthropicStreamEvent, { type: Name }> };
}[AnthropicStreamEvent['type']];

export function formatAnthropicSse(event: AnthropicSseEvent): string {
  return sseEvent(event.event, JSON.stringify(event.data));
}
