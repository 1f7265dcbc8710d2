/**
 * The replies of the fake Anthropic upstream: what a request gets, as a whole message or as the events of
 * its stream. Deterministic; the rules are listed in `anthropic.ts`.
 */

export interface FakeReplySettings {
  replyText: string;
  /** `'words'`: one delta per word; a number: that many near-equal slices. */
  chunks: number | 'words';
  /** Text of a tool-use reply's leading text block. */
  toolPreamble: string;
  /** Tool input to send instead of the one derived from the tool's schema. */
  toolInput: Record<string, unknown> | null;
  /** Sent as a thinking block when the request has `thinking: {type: 'enabled'}`. */
  thinkingText: string;
  inputTokens: number | 'derived';
  cacheReadInputTokens: number;
  cacheCreationInputTokens: number;
  /** Whether `message_delta.usage` restates the input counts (newer API versions do). */
  fullDeltaUsage: boolean;
}

export function fakeAnthropicInputTokens(body: Record<string, unknown>): number {
  return Math.ceil(JSON.stringify([body.system ?? null, body.messages ?? null, body.tools ?? null]).length / 4);
}

export function parseJson(text: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

type Block =
  | { type: 'thinking'; deltas: string[]; signature: string }
  | { type: 'text'; deltas: string[] }
  | { type: 'tool_use'; id: string; name: string; deltas: string[] };

export interface Reply {
  id: string;
  model: string;
  blocks: Block[];
  stopReason: 'end_turn' | 'max_tokens' | 'stop_sequence' | 'tool_use';
  stopSequence: string | null;
  usage: { input_tokens: number; cache_creation_input_tokens: number; cache_read_input_tokens: number; output_tokens: number };
}

function split(text: string, chunks: number | 'words'): string[] {
  if (text.length === 0) return [];
  if (chunks === 'words') return text.match(/\s*\S+/g) ?? [text];
  const count = Math.max(1, Math.min(chunks, text.length));
  const size = text.length / count;
  const out: string[] = [];
  for (let i = 0; i < count; i++) out.push(text.slice(Math.round(i * size), Math.round((i + 1) * size)));
  return out;
}

function lastUserText(messages: unknown[]): string {
  for (let i = messages.length - 1; i >= 0; i--) {
    const message = messages[i] as { role?: unknown; content?: unknown };
    if (message.role !== 'user') continue;
    if (typeof message.content === 'string') return message.content;
    if (Array.isArray(message.content)) {
      return message.content
        .map((block: { type?: unknown; text?: unknown }) => (block.type === 'text' && typeof block.text === 'string' ? block.text : ''))
        .join(' ');
    }
    return '';
  }
  return '';
}

interface ToolSpec {
  name?: unknown;
  input_schema?: { properties?: Record<string, { type?: unknown }> };
}

function chosenTool(body: Record<string, unknown>): ToolSpec | null {
  const tools = Array.isArray(body.tools) ? (body.tools as ToolSpec[]) : [];
  const choice = body.tool_choice as { type?: unknown; name?: unknown } | undefined;
  if (choice?.type === 'none') return null;
  if (choice?.type === 'tool') return tools.find((tool) => tool.name === choice.name) ?? null;
  return tools.find((tool) => tool.input_schema !== undefined) ?? null;
}

const SAMPLE_VALUES: Record<string, (key: string) => unknown> = {
  string: (key) => `test ${key}`,
  number: () => 1,
  integer: () => 1,
  boolean: () => true,
  array: () => [],
  object: () => ({}),
};

function inputFromSchema(tool: ToolSpec): Record<string, unknown> {
  const input: Record<string, unknown> = {};
  for (const [key, schema] of Object.entries(tool.input_schema?.properties ?? {})) {
    const sample = typeof schema?.type === 'string' ? SAMPLE_VALUES[schema.type] : undefined;
    input[key] = sample ? sample(key) : null;
  }
  return input;
}

export function planReply(body: Record<string, unknown>, behaviour: FakeReplySettings, seq: number): Reply {
  const blocks: Block[] = [];
  const thinking = body.thinking as { type?: unknown } | undefined;
  if (thinking?.type === 'enabled' && behaviour.thinkingText) {
    blocks.push({ type: 'thinking', deltas: split(behaviour.thinkingText, behaviour.chunks), signature: `sig_fake_${seq}` });
  }
  let stopReason: Reply['stopReason'] = 'end_turn';
  let stopSequence: string | null = null;
  const tool = /use tool/i.test(lastUserText(body.messages as unknown[])) ? chosenTool(body) : null;
  if (tool) {
    blocks.push({ type: 'text', deltas: split(behaviour.toolPreamble, behaviour.chunks) });
    const input = JSON.stringify(behaviour.toolInput ?? inputFromSchema(tool));
    blocks.push({ type: 'tool_use', id: `toolu_fake_${seq}_0`, name: String(tool.name), deltas: split(input, 2) });
    stopReason = 'tool_use';
  } else {
    let text = behaviour.replyText;
    const stops: unknown[] = Array.isArray(body.stop_sequences) ? body.stop_sequences : [];
    for (const stop of stops) {
      if (typeof stop !== 'string' || stop === '') continue;
      const at = text.indexOf(stop);
      if (at === -1) continue;
      text = text.slice(0, at);
      stopReason = 'stop_sequence';
      stopSequence = stop;
    }
    blocks.push({ type: 'text', deltas: split(text, behaviour.chunks) });
  }

  let budget = body.max_tokens as number;
  let output = 0;
  for (const block of blocks) {
    if (block.deltas.length > budget) {
      block.deltas = block.deltas.slice(0, budget);
      stopReason = 'max_tokens';
      stopSequence = null;
    }
    budget -= block.deltas.length;
    output += block.deltas.length;
  }
  const kept = blocks.filter((block, index) => index === 0 || block.deltas.length > 0);
  return {
    id: `msg_fake_${seq}`,
    model: String(body.model),
    blocks: kept,
    stopReason,
    stopSequence,
    usage: {
      input_tokens: behaviour.inputTokens === 'derived' ? fakeAnthropicInputTokens(body) : behaviour.inputTokens,
      cache_creation_input_tokens: behaviour.cacheCreationInputTokens,
      cache_read_input_tokens: behaviour.cacheReadInputTokens,
      output_tokens: output,
    },
  };
}

function blockBody(block: Block): Record<string, unknown> {
  const whole = block.deltas.join('');
  switch (block.type) {
    case 'thinking':
      return { type: 'thinking', thinking: whole, signature: block.signature };
    case 'text':
      return { type: 'text', text: whole };
    case 'tool_use':
      return { type: 'tool_use', id: block.id, name: block.name, input: parseJson(whole) ?? {} };
  }
}

export function replyMessage(reply: Reply): Record<string, unknown> {
  return {
    id: reply.id,
    type: 'message',
    role: 'assistant',
    model: reply.model,
    content: reply.blocks.map(blockBody),
    stop_reason: reply.stopReason,
    stop_sequence: reply.stopSequence,
    usage: reply.usage,
  };
}

function emptyBlock(block: Block): Record<string, unknown> {
  switch (block.type) {
    case 'thinking':
      return { type: 'thinking', thinking: '', signature: '' };
    case 'text':
      return { type: 'text', text: '' };
    case 'tool_use':
      return { type: 'tool_use', id: block.id, name: block.name, input: {} };
  }
}

function deltaBody(block: Block, text: string): Record<string, unknown> {
  switch (block.type) {
    case 'thinking':
      return { type: 'thinking_delta', thinking: text };
    case 'text':
      return { type: 'text_delta', text };
    case 'tool_use':
      return { type: 'input_json_delta', partial_json: text };
  }
}

export interface StreamItem {
  data: Record<string, unknown>;
  /** Whether the event carries generated content (thinking, text or tool-input JSON). */
  counted: boolean;
}

/** The events of a streamed reply in Anthropic's order: one block at a time, a ping after the first start. */
export function streamItems(reply: Reply, behaviour: FakeReplySettings): StreamItem[] {
  const items: StreamItem[] = [];
  const push = (data: Record<string, unknown>, counted = false): void => {
    items.push({ data, counted });
  };
  const message = { ...replyMessage(reply), content: [], stop_reason: null, stop_sequence: null };
  push({ type: 'message_start', message: { ...message, usage: { ...reply.usage, output_tokens: 1 } } });
  for (const [index, block] of reply.blocks.entries()) {
    push({ type: 'content_block_start', index, content_block: emptyBlock(block) });
    if (index === 0) push({ type: 'ping' });
    // Anthropic opens every tool input with an empty JSON fragment.
    if (block.type === 'tool_use') push({ type: 'content_block_delta', index, delta: deltaBody(block, '') });
    for (const text of block.deltas) push({ type: 'content_block_delta', index, delta: deltaBody(block, text) }, true);
    if (block.type === 'thinking') {
      push({ type: 'content_block_delta', index, delta: { type: 'signature_delta', signature: block.signature } });
    }
    push({ type: 'content_block_stop', index });
  }
  const usage = behaviour.fullDeltaUsage ? reply.usage : { output_tokens: reply.usage.output_tokens };
  push({ type: 'message_delta', delta: { stop_reason: reply.stopReason, stop_sequence: reply.stopSequence }, usage });
  push({ type: 'message_stop' });
  return items;
}
