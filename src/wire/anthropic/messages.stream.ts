import { type Clock, type FinishReason, HubError, newId, type StreamPart, systemClock, type Usage } from '../../core/index.js';
import type { AnthropicBlockDelta, AnthropicSseEvent, AnthropicStreamEvent } from './messages.events.js';
import { type AnthropicResponseBlock, finishReasonFromAnthropic, stopReasonToAnthropic } from './messages.response.js';
import { type AnthropicDeltaUsage, type AnthropicUsage, usageFromAnthropic, usageToAnthropic } from './usage.js';

export interface AnthropicEventDecoderOptions {
  /** Names the upstream in error messages. */
  source?: string;
  clock?: Clock;
}

/**
 * Upstream Anthropic stream events (the parsed `data:` of each SSE event) → canonical stream parts.
 *
 * Anthropic numbers every content block of a message; canonical tool calls are numbered among tool calls
 * only. Usage is cumulative: input counts come from `message_start` unless a `message_delta` restates
 * them, output from the last `message_delta`; `usage-final` is emitted once, at `message_stop`.
 */
export class AnthropicEventDecoder {
  private readonly source: string;
  private readonly clock: Clock;
  /** Anthropic block index → canonical tool index. */
  private readonly toolBlocks = new Map<number, number>();
  private toolCount = 0;
  private startUsage: AnthropicUsage | null = null;
  private deltaUsage: AnthropicDeltaUsage | null = null;
  private finishSent = false;
  private stopped = false;

  constructor(options: AnthropicEventDecoderOptions = {}) {
    this.source = options.source ?? 'anthropic';
    this.clock = options.clock ?? systemClock;
  }

  /** Whether `message_stop` arrived: a stream that ends before it was cut short. */
  get done(): boolean {
    return this.stopped;
  }

  /** Usage known so far, or null before `message_start`. */
  usage(): Usage | null {
    if (!this.startUsage && !this.deltaUsage) return null;
    const start = this.startUsage;
    const delta = this.deltaUsage;
    const merged: AnthropicUsage = {
      input_tokens: delta?.input_tokens ?? start?.input_tokens ?? 0,
      output_tokens: delta?.output_tokens ?? start?.output_tokens ?? 0,
      cache_creation_input_tokens: delta?.cache_creation_input_tokens ?? start?.cache_creation_input_tokens ?? 0,
      cache_read_input_tokens: delta?.cache_read_input_tokens ?? start?.cache_read_input_tokens ?? 0,
    };
    const details = delta?.output_tokens_details ?? start?.output_tokens_details;
    if (details) merged.output_tokens_details = details;
    return usageFromAnthropic(merged);
  }

  /** Throws a HubError for an `error` event; ignores `ping` and event types newer than this code. */
  decode(event: AnthropicStreamEvent): StreamPart[] {
    switch (event.type) {
      case 'message_start':
        this.startUsage = event.message.usage ?? null;
        return [{ type: 'response-start', id: event.message.id, model: event.message.model, created: Math.floor(this.clock.now() / 1000) }];
      case 'content_block_start':
        return this.startBlock(event.index, event.content_block);
      case 'content_block_delta':
        return this.blockDelta(event.index, event.delta);
      case 'content_block_stop':
      case 'ping':
        return [];
      case 'message_delta': {
        this.deltaUsage = event.usage ?? this.deltaUsage;
        const reason = finishReasonFromAnthropic(event.delta?.stop_reason);
        if (!reason || this.finishSent) return [];
        this.finishSent = true;
        return [{ type: 'choice-finish', index: 0, reason }];
      }
      case 'message_stop': {
        if (this.stopped) return [];
        this.stopped = true;
        const usage = this.usage();
        return usage ? [{ type: 'usage-final', usage }] : [];
      }
      case 'error': {
        const kind = event.error?.type ?? 'error';
        const message = `upstream ${this.source} failed mid-stream: ${kind}: ${event.error?.message ?? 'no message'}`;
        throw new HubError(kind === 'overloaded_error' ? 'UPSTREAM_UNAVAILABLE' : 'UPSTREAM_ERROR', message);
      }
      default:
        return [];
    }
  }

  private startBlock(index: number, block: { type: string; [key: string]: unknown }): StreamPart[] {
    switch (block.type) {
      case 'text': {
        const text = typeof block.text === 'string' ? block.text : '';
        return text ? [{ type: 'text-delta', index: 0, text }] : [];
      }
      case 'thinking': {
        const thinking = typeof block.thinking === 'string' ? block.thinking : '';
        return thinking ? [{ type: 'reasoning-delta', index: 0, text: thinking }] : [];
      }
      case 'tool_use': {
        const toolIndex = this.toolCount++;
        this.toolBlocks.set(index, toolIndex);
        const parts: StreamPart[] = [
          { type: 'tool-call-start', index: 0, toolIndex, id: String(block.id ?? ''), name: String(block.name ?? '') },
        ];
        // Anthropic starts tool blocks with `input: {}` and streams the JSON; a non-empty input is already whole.
        const input = block.input;
        if (input && typeof input === 'object' && Object.keys(input).length > 0) {
          parts.push({ type: 'tool-call-delta', index: 0, toolIndex, argumentsDelta: JSON.stringify(input) });
        }
        return parts;
      }
      default:
        // server-tool and redacted-thinking blocks have no canonical form
        return [];
    }
  }

  private blockDelta(index: number, delta: AnthropicBlockDelta): StreamPart[] {
    switch (delta.type) {
      case 'text_delta':
        return delta.text ? [{ type: 'text-delta', index: 0, text: delta.text }] : [];
      case 'thinking_delta':
        return delta.thinking ? [{ type: 'reasoning-delta', index: 0, text: delta.thinking }] : [];
      case 'input_json_delta': {
        const toolIndex = this.toolBlocks.get(index);
        if (toolIndex === undefined || !delta.partial_json) return [];
        return [{ type: 'tool-call-delta', index: 0, toolIndex, argumentsDelta: delta.partial_json }];
      }
      case 'signature_delta':
      case 'citations_delta':
        return [];
      default:
        return [];
    }
  }
}

export interface AnthropicEventEncoderOptions {
  /** The model name the client asked for. */
  model: string;
  /**
   * Prompt tokens for `message_start`. Canonical streams from OpenAI-style upstreams report usage only at
   * the end, so this is an estimate (or 0); `message_delta` then carries the final counts, inputs included.
   */
  inputTokens?: number;
}

type OpenBlock = { kind: 'text' | 'thinking'; index: number } | { kind: 'tool'; index: number; toolIndex: number };

/**
 * Canonical stream parts → Anthropic stream events, as a client would get them from Anthropic itself:
 * `message_start`, then one block at a time (start, deltas, stop) with indexes counted across all blocks,
 * then `message_delta` with the stop reason and final usage, and `message_stop` (both from `finish()`).
 */
export class AnthropicEventEncoder {
  private readonly model: string;
  private readonly inputTokens: number;
  private started = false;
  private finished = false;
  private nextIndex = 0;
  private open: OpenBlock | null = null;
  /** Canonical tool index → Anthropic block index. */
  private readonly toolBlocks = new Map<number, number>();
  private stopReason: FinishReason | null = null;
  private finalUsage: Usage | null = null;

  constructor(options: AnthropicEventEncoderOptions) {
    this.model = options.model;
    this.inputTokens = options.inputTokens ?? 0;
  }

  encode(part: StreamPart): AnthropicSseEvent[] {
    if (this.finished) return [];
    if (part.type === 'response-start') return this.start(part.id);
    if (part.type === 'usage-final') {
      this.finalUsage = part.usage;
      return [];
    }
    // The Anthropic surface never asks for more than one choice.
    if (part.index !== 0) return [];
    switch (part.type) {
      case 'text-delta':
        if (!part.text) return [];
        return this.withBlock({ kind: 'text' }, { type: 'text_delta', text: part.text });
      case 'reasoning-delta':
        if (!part.text) return [];
        return this.withBlock({ kind: 'thinking' }, { type: 'thinking_delta', thinking: part.text });
      case 'tool-call-start':
        if (this.toolBlocks.has(part.toolIndex)) return [];
        return this.openTool(part.toolIndex, part.id, part.name);
      case 'tool-call-delta':
        return this.toolDelta(part.toolIndex, part.argumentsDelta);
      case 'logprobs-delta':
        return [];
      case 'choice-finish':
        this.stopReason = part.reason;
        return this.closeOpen();
    }
  }

  /**
   * The closing events: the open block's stop, `message_delta` and `message_stop`. `fallbackUsage` (e.g. a
   * tokenizer count) is reported when the upstream sent none.
   */
  finish(fallbackUsage?: Usage): AnthropicSseEvent[] {
    if (this.finished) return [];
    const events = this.start();
    events.push(...this.closeOpen());
    this.finished = true;
    const usage = this.finalUsage ?? fallbackUsage;
    events.push({
      event: 'message_delta',
      data: {
        type: 'message_delta',
        delta: { stop_reason: stopReasonToAnthropic(this.stopReason), stop_sequence: null },
        usage: usage
          ? usageToAnthropic(usage)
          : { input_tokens: this.inputTokens, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: 0 },
      },
    });
    events.push({ event: 'message_stop', data: { type: 'message_stop' } });
    return events;
  }

  private start(id?: string): AnthropicSseEvent[] {
    if (this.started) return [];
    this.started = true;
    return [
      {
        event: 'message_start',
        data: {
          type: 'message_start',
          message: {
            id: id ?? newId('msg'),
            type: 'message',
            role: 'assistant',
            model: this.model,
            content: [],
            stop_reason: null,
            stop_sequence: null,
            usage: { input_tokens: this.inputTokens, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: 0 },
          },
        },
      },
    ];
  }

  private closeOpen(): AnthropicSseEvent[] {
    if (!this.open) return [];
    const index = this.open.index;
    this.open = null;
    return [{ event: 'content_block_stop', data: { type: 'content_block_stop', index } }];
  }

  private openBlock(block: AnthropicResponseBlock, open: OpenBlock): AnthropicSseEvent[] {
    const events = [...this.start(), ...this.closeOpen()];
    this.open = open;
    events.push({ event: 'content_block_start', data: { type: 'content_block_start', index: open.index, content_block: block } });
    return events;
  }

  private withBlock(wanted: { kind: 'text' | 'thinking' }, delta: AnthropicBlockDelta): AnthropicSseEvent[] {
    const events: AnthropicSseEvent[] = [];
    if (this.open?.kind !== wanted.kind) {
      const index = this.nextIndex++;
      const block: AnthropicResponseBlock =
        wanted.kind === 'text' ? { type: 'text', text: '' } : { type: 'thinking', thinking: '', signature: '' };
      events.push(...this.openBlock(block, { kind: wanted.kind, index }));
    }
    const index = this.open?.index ?? 0;
    events.push({ event: 'content_block_delta', data: { type: 'content_block_delta', index, delta } });
    return events;
  }

  private openTool(toolIndex: number, id: string, name: string): AnthropicSseEvent[] {
    const index = this.nextIndex++;
    this.toolBlocks.set(toolIndex, index);
    return this.openBlock({ type: 'tool_use', id: id || newId('toolu'), name, input: {} }, { kind: 'tool', index, toolIndex });
  }

  private toolDelta(toolIndex: number, argumentsDelta: string): AnthropicSseEvent[] {
    const events = this.toolBlocks.has(toolIndex) ? [] : this.openTool(toolIndex, '', '');
    if (!argumentsDelta) return events;
    // An upstream that interleaves parallel tool calls can send arguments for a block already closed;
    // they still go to that block's index, where Anthropic clients accumulate them.
    const index = this.toolBlocks.get(toolIndex) ?? 0;
    events.push({
      event: 'content_block_delta',
      data: { type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json: argumentsDelta } },
    });
    return events;
  }
}
