import type { JsonValue, StreamPart } from '../../core/index.js';
import { finishReasonFromOpenAI } from './chat.response.js';
import { type OpenAIUsage, usageFromOpenAI, usageToOpenAI } from './usage.js';

export interface OpenAIChatChunk {
  id: string;
  object: 'chat.completion.chunk';
  created: number;
  model: string;
  system_fingerprint?: string | null;
  choices: {
    index: number;
    delta: {
      role?: 'assistant';
      content?: string | null;
      reasoning_content?: string | null;
      tool_calls?: {
        index: number;
        id?: string;
        type?: 'function';
        function?: { name?: string; arguments?: string };
      }[];
      refusal?: string | null;
    };
    logprobs?: JsonValue | null;
    finish_reason: string | null;
  }[];
  usage?: OpenAIUsage | null;
}

/** Upstream chunk → canonical stream parts. `started` tracks whether response-start was emitted. */
export class OpenAIChunkDecoder {
  private started = false;

  decode(chunk: OpenAIChatChunk): StreamPart[] {
    const parts: StreamPart[] = [];
    if (!this.started) {
      this.started = true;
      parts.push({ type: 'response-start', id: chunk.id, model: chunk.model, created: chunk.created });
    }
    for (const choice of chunk.choices ?? []) {
      const delta = choice.delta ?? {};
      if (delta.reasoning_content) parts.push({ type: 'reasoning-delta', index: choice.index, text: delta.reasoning_content });
      if (delta.content) parts.push({ type: 'text-delta', index: choice.index, text: delta.content });
      for (const call of delta.tool_calls ?? []) {
        if (call.id || call.function?.name) {
          parts.push({
            type: 'tool-call-start',
            index: choice.index,
            toolIndex: call.index,
            id: call.id ?? '',
            name: call.function?.name ?? '',
          });
        }
        if (call.function?.arguments) {
          parts.push({ type: 'tool-call-delta', index: choice.index, toolIndex: call.index, argumentsDelta: call.function.arguments });
        }
      }
      if (choice.logprobs != null) parts.push({ type: 'logprobs-delta', index: choice.index, logprobs: choice.logprobs });
      const reason = finishReasonFromOpenAI(choice.finish_reason);
      if (reason) parts.push({ type: 'choice-finish', index: choice.index, reason });
    }
    if (chunk.usage) parts.push({ type: 'usage-final', usage: usageFromOpenAI(chunk.usage) });
    return parts;
  }
}

/** Canonical stream parts → OpenAI chunks, as the client would get them from OpenAI itself. */
export class OpenAIChunkEncoder {
  private id = '';
  private readonly model: string;
  private created = 0;
  private readonly rolesSent = new Set<number>();
  private readonly includeUsage: boolean;

  constructor(model: string, includeUsage: boolean) {
    this.model = model;
    this.includeUsage = includeUsage;
  }

  encode(part: StreamPart): OpenAIChatChunk | null {
    switch (part.type) {
      case 'response-start':
        this.id = part.id;
        this.created = part.created;
        return null;
      case 'text-delta':
        return this.choiceChunk(part.index, { content: part.text });
      case 'reasoning-delta':
        return this.choiceChunk(part.index, { reasoning_content: part.text });
      case 'tool-call-start':
        return this.choiceChunk(part.index, {
          tool_calls: [{ index: part.toolIndex, id: part.id, type: 'function', function: { name: part.name, arguments: '' } }],
        });
      case 'tool-call-delta':
        return this.choiceChunk(part.index, {
          tool_calls: [{ index: part.toolIndex, function: { arguments: part.argumentsDelta } }],
        });
      case 'logprobs-delta': {
        const chunk = this.choiceChunk(part.index, {});
        const choice = chunk.choices[0];
        if (choice) choice.logprobs = part.logprobs;
        return chunk;
      }
      case 'choice-finish': {
        const chunk = this.choiceChunk(part.index, {});
        const choice = chunk.choices[0];
        if (choice) choice.finish_reason = part.reason;
        return chunk;
      }
      case 'usage-final':
        if (!this.includeUsage) return null;
        return { ...this.base(), choices: [], usage: usageToOpenAI(part.usage) };
    }
  }

  private base(): Omit<OpenAIChatChunk, 'choices'> {
    return { id: this.id, object: 'chat.completion.chunk', created: this.created, model: this.model };
  }

  private choiceChunk(index: number, delta: OpenAIChatChunk['choices'][number]['delta']): OpenAIChatChunk {
    if (!this.rolesSent.has(index)) {
      this.rolesSent.add(index);
      delta = { role: 'assistant', ...delta };
    }
    return { ...this.base(), choices: [{ index, delta, logprobs: null, finish_reason: null }] };
  }
}
