import type { FinishReason, HubError, StreamPart, Usage } from '../../core/index.js';
import {
  type FunctionCallItem,
  functionCallItemId,
  type ItemStatus,
  messageItemId,
  type OutputItem,
  type OutputMessageItem,
  outputText,
  type ReasoningItem,
  reasoningItemId,
  toolCallId,
} from './items.js';
import { failResponse, finishResponse, type ResponseObject } from './response.js';

/** One Responses stream event: its `type`, its place in the stream, and the type's own fields. */
export interface ResponsesEvent {
  type: string;
  sequence_number: number;
  [field: string]: unknown;
}

interface OpenText {
  kind: 'message' | 'reasoning';
  outputIndex: number;
  item: OutputMessageItem | ReasoningItem;
  text: string;
}

interface OpenCall {
  outputIndex: number;
  item: FunctionCallItem;
}

export interface FinishedStream {
  /** Events that close the open items, to write before the terminal event. */
  events: ResponsesEvent[];
  /** `response.completed` or `response.incomplete`, carrying the final response. */
  terminal: ResponsesEvent;
  response: ResponseObject;
}

/**
 * Canonical stream parts → Responses stream events, in the order OpenAI emits them and the SDK's
 * accumulator requires: every delta is preceded by the `output_item.added` (and, for text, the
 * `content_part.added`) that creates its target, and every opened item is closed before the terminal
 * event. Only choice 0 exists in the Responses API.
 */
export class ResponsesStreamEncoder {
  private readonly envelope: ResponseObject;
  private sequence = 0;
  private readonly output: OutputItem[] = [];
  private text: OpenText | null = null;
  private readonly calls = new Map<number, OpenCall>();
  private finishReason: FinishReason | null = null;
  private usage: Usage | null = null;

  constructor(envelope: ResponseObject) {
    this.envelope = envelope;
  }

  /** `response.created` and `response.in_progress`, sent before the first token. */
  start(): ResponsesEvent[] {
    const response = { ...this.envelope, status: 'in_progress' as const, output: [] };
    return [this.event('response.created', { response }), this.event('response.in_progress', { response })];
  }

  encode(part: StreamPart): ResponsesEvent[] {
    switch (part.type) {
      case 'text-delta':
        return part.index === 0 ? this.textDelta('message', part.text) : [];
      case 'reasoning-delta':
        return part.index === 0 ? this.textDelta('reasoning', part.text) : [];
      case 'tool-call-start':
        return part.index === 0 ? this.openCall(part.toolIndex, part.id, part.name) : [];
      case 'tool-call-delta': {
        if (part.index !== 0) return [];
        const events = this.calls.has(part.toolIndex) ? [] : this.openCall(part.toolIndex, '', '');
        const call = this.calls.get(part.toolIndex);
        if (!call) return events;
        call.item.arguments += part.argumentsDelta;
        events.push(
          this.event('response.function_call_arguments.delta', {
            item_id: call.item.id,
            output_index: call.outputIndex,
            delta: part.argumentsDelta,
          }),
        );
        return events;
      }
      case 'choice-finish':
        if (part.index === 0) this.finishReason = part.reason;
        return [];
      case 'usage-final':
        this.usage = part.usage;
        return [];
      case 'response-start':
      case 'logprobs-delta':
        return [];
    }
  }

  /** Closes every open item and builds the terminal event; call once the parts are exhausted. */
  finish(completedAt: number): FinishedStream {
    const status: ItemStatus = this.finishReason === 'length' ? 'incomplete' : 'completed';
    const events = this.closeAll(status);
    const response = finishResponse(this.envelope, [...this.output], this.usage, this.finishReason, completedAt);
    const type = response.status === 'incomplete' ? 'response.incomplete' : 'response.completed';
    return { events, terminal: this.event(type, { response }), response };
  }

  /**
   * The stream broke: `response.failed` with what was produced so far, then an `error` event. The
   * error event carries both the typed fields (`code`, `message`, `param`) and a nested `error` object,
   * which makes the official SDKs raise instead of ending quietly.
   */
  fail(error: HubError): ResponsesEvent[] {
    const events = this.closeAll('incomplete');
    const response = failResponse(this.envelope, [...this.output], error, this.usage);
    const code = error.details.code ?? error.code.toLowerCase();
    events.push(this.event('response.failed', { response }));
    events.push(
      this.event('error', {
        code,
        message: error.message,
        param: error.details.param ?? null,
        error: { type: error.spec.openaiType, code, message: error.message, param: error.details.param ?? null },
      }),
    );
    return events;
  }

  private event(type: string, fields: Record<string, unknown>): ResponsesEvent {
    return { type, sequence_number: this.sequence++, ...fields };
  }

  private textDelta(kind: OpenText['kind'], delta: string): ResponsesEvent[] {
    const events: ResponsesEvent[] = [];
    if (this.text?.kind !== kind) {
      if (this.text) events.push(...this.closeText('completed'));
      events.push(...this.openText(kind));
    }
    const open = this.text;
    if (!open) return events;
    open.text += delta;
    const type = kind === 'message' ? 'response.output_text.delta' : 'response.reasoning_text.delta';
    const extra = kind === 'message' ? { logprobs: [] } : {};
    events.push(this.event(type, { item_id: open.item.id, output_index: open.outputIndex, content_index: 0, delta, ...extra }));
    return events;
  }

  private openText(kind: OpenText['kind']): ResponsesEvent[] {
    const outputIndex = this.output.length;
    const item: OutputMessageItem | ReasoningItem =
      kind === 'message'
        ? { type: 'message', id: messageItemId(), status: 'in_progress', role: 'assistant', content: [] }
        : { type: 'reasoning', id: reasoningItemId(), summary: [], content: [], status: 'in_progress' };
    this.output.push(item);
    this.text = { kind, outputIndex, item, text: '' };
    const part = kind === 'message' ? outputText('') : { type: 'reasoning_text', text: '' };
    return [
      this.event('response.output_item.added', { output_index: outputIndex, item: structuredClone(item) }),
      this.event('response.content_part.added', { item_id: item.id, output_index: outputIndex, content_index: 0, part }),
    ];
  }

  private closeText(status: ItemStatus): ResponsesEvent[] {
    const open = this.text;
    if (!open) return [];
    this.text = null;
    const base = { item_id: open.item.id, output_index: open.outputIndex, content_index: 0 };
    let events: ResponsesEvent[];
    if (open.item.type === 'message') {
      const part = outputText(open.text);
      open.item.content = [part];
      events = [
        this.event('response.output_text.done', { ...base, text: open.text, logprobs: [] }),
        this.event('response.content_part.done', { ...base, part }),
      ];
    } else {
      const part = { type: 'reasoning_text' as const, text: open.text };
      open.item.content = [part];
      events = [
        this.event('response.reasoning_text.done', { ...base, text: open.text }),
        this.event('response.content_part.done', { ...base, part }),
      ];
    }
    open.item.status = status;
    events.push(this.event('response.output_item.done', { output_index: open.outputIndex, item: structuredClone(open.item) }));
    return events;
  }

  private openCall(toolIndex: number, id: string, name: string): ResponsesEvent[] {
    const existing = this.calls.get(toolIndex);
    if (existing) {
      // Some upstreams send the name or id in a later chunk than the first one of the call.
      if (name && !existing.item.name) existing.item.name = name;
      return [];
    }
    const events = this.closeText('completed');
    const outputIndex = this.output.length;
    const item: FunctionCallItem = {
      type: 'function_call',
      id: functionCallItemId(),
      call_id: id || toolCallId(),
      name,
      arguments: '',
      status: 'in_progress',
    };
    this.output.push(item);
    this.calls.set(toolIndex, { outputIndex, item });
    events.push(this.event('response.output_item.added', { output_index: outputIndex, item: structuredClone(item) }));
    return events;
  }

  private closeAll(status: ItemStatus): ResponsesEvent[] {
    const events = this.closeText(status);
    for (const call of this.calls.values()) {
      const item = call.item;
      events.push(
        this.event('response.function_call_arguments.done', {
          item_id: item.id,
          output_index: call.outputIndex,
          name: item.name,
          arguments: item.arguments,
        }),
      );
      item.status = status;
      events.push(this.event('response.output_item.done', { output_index: call.outputIndex, item: structuredClone(item) }));
    }
    this.calls.clear();
    return events;
  }
}
