import { describe, expect, it } from 'vitest';
import { type Clock, HubError, type StreamPart, type Usage } from '../../core/index.js';
import { type AnthropicSseEvent, type AnthropicStreamEvent, formatAnthropicSse } from './messages.events.js';
import { AnthropicEventDecoder, AnthropicEventEncoder } from './messages.stream.js';

const clock: Clock = { now: () => 1_700_000_000_000 };
const usage: Usage = { inputTokens: 120, outputTokens: 5, cachedInputTokens: 100, cacheWriteInputTokens: 0, source: 'upstream' };

function encodeAll(parts: StreamPart[], encoder = new AnthropicEventEncoder({ model: 'claude-alias' })): AnthropicSseEvent[] {
  return [...parts.flatMap((part) => encoder.encode(part)), ...encoder.finish()];
}

function wire(events: AnthropicSseEvent[]): string {
  return events.map(formatAnthropicSse).join('');
}

function decodeAll(events: AnthropicStreamEvent[]): StreamPart[] {
  const decoder = new AnthropicEventDecoder({ source: 'test', clock });
  return events.flatMap((event) => decoder.decode(event));
}

describe('AnthropicEventEncoder', () => {
  it('streams text the way Anthropic does, with the final usage in message_delta', () => {
    const events = encodeAll([
      { type: 'response-start', id: 'msg_1', model: 'gpt-4o-mini', created: 1 },
      { type: 'text-delta', index: 0, text: 'Hello' },
      { type: 'text-delta', index: 0, text: ' world' },
      { type: 'choice-finish', index: 0, reason: 'stop' },
      { type: 'usage-final', usage },
    ]);
    expect(wire(events)).toMatchInlineSnapshot(`
      "event: message_start
      data: {"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant","model":"claude-alias","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":0,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":0}}}

      event: content_block_start
      data: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}

      event: content_block_delta
      data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hello"}}

      event: content_block_delta
      data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":" world"}}

      event: content_block_stop
      data: {"type":"content_block_stop","index":0}

      event: message_delta
      data: {"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"input_tokens":20,"cache_creation_input_tokens":0,"cache_read_input_tokens":100,"output_tokens":5}}

      event: message_stop
      data: {"type":"message_stop"}

      "
    `);
  });

  it('numbers blocks across text and tool calls and closes each before the next', () => {
    const events = encodeAll([
      { type: 'response-start', id: 'msg_2', model: 'gpt-4o', created: 1 },
      { type: 'text-delta', index: 0, text: 'Checking.' },
      { type: 'tool-call-start', index: 0, toolIndex: 0, id: 'call_a', name: 'get_weather' },
      { type: 'tool-call-delta', index: 0, toolIndex: 0, argumentsDelta: '{"city":' },
      { type: 'tool-call-delta', index: 0, toolIndex: 0, argumentsDelta: '"Paris"}' },
      // some OpenAI-compatible vendors repeat the id on every chunk
      { type: 'tool-call-start', index: 0, toolIndex: 0, id: 'call_a', name: 'get_weather' },
      { type: 'tool-call-start', index: 0, toolIndex: 1, id: 'call_b', name: 'get_time' },
      { type: 'tool-call-delta', index: 0, toolIndex: 1, argumentsDelta: '{}' },
      { type: 'choice-finish', index: 0, reason: 'tool_calls' },
      { type: 'usage-final', usage },
    ]);
    expect(wire(events)).toMatchInlineSnapshot(`
      "event: message_start
      data: {"type":"message_start","message":{"id":"msg_2","type":"message","role":"assistant","model":"claude-alias","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":0,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":0}}}

      event: content_block_start
      data: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}

      event: content_block_delta
      data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Checking."}}

      event: content_block_stop
      data: {"type":"content_block_stop","index":0}

      event: content_block_start
      data: {"type":"content_block_start","index":1,"content_block":{"type":"tool_use","id":"call_a","name":"get_weather","input":{}}}

      event: content_block_delta
      data: {"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"{\\"city\\":"}}

      event: content_block_delta
      data: {"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"\\"Paris\\"}"}}

      event: content_block_stop
      data: {"type":"content_block_stop","index":1}

      event: content_block_start
      data: {"type":"content_block_start","index":2,"content_block":{"type":"tool_use","id":"call_b","name":"get_time","input":{}}}

      event: content_block_delta
      data: {"type":"content_block_delta","index":2,"delta":{"type":"input_json_delta","partial_json":"{}"}}

      event: content_block_stop
      data: {"type":"content_block_stop","index":2}

      event: message_delta
      data: {"type":"message_delta","delta":{"stop_reason":"tool_use","stop_sequence":null},"usage":{"input_tokens":20,"cache_creation_input_tokens":0,"cache_read_input_tokens":100,"output_tokens":5}}

      event: message_stop
      data: {"type":"message_stop"}

      "
    `);
  });

  it('opens a thinking block for reasoning and reports the input estimate up front', () => {
    const encoder = new AnthropicEventEncoder({ model: 'claude-alias', inputTokens: 42 });
    const events = encodeAll(
      [
        { type: 'response-start', id: 'msg_3', model: 'deepseek-reasoner', created: 1 },
        { type: 'reasoning-delta', index: 0, text: 'Think.' },
        { type: 'text-delta', index: 0, text: 'Answer.' },
        { type: 'choice-finish', index: 0, reason: 'length' },
      ],
      encoder,
    );
    expect(wire(events)).toMatchInlineSnapshot(`
      "event: message_start
      data: {"type":"message_start","message":{"id":"msg_3","type":"message","role":"assistant","model":"claude-alias","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":42,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":0}}}

      event: content_block_start
      data: {"type":"content_block_start","index":0,"content_block":{"type":"thinking","thinking":"","signature":""}}

      event: content_block_delta
      data: {"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":"Think."}}

      event: content_block_stop
      data: {"type":"content_block_stop","index":0}

      event: content_block_start
      data: {"type":"content_block_start","index":1,"content_block":{"type":"text","text":""}}

      event: content_block_delta
      data: {"type":"content_block_delta","index":1,"delta":{"type":"text_delta","text":"Answer."}}

      event: content_block_stop
      data: {"type":"content_block_stop","index":1}

      event: message_delta
      data: {"type":"message_delta","delta":{"stop_reason":"max_tokens","stop_sequence":null},"usage":{"input_tokens":42,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":0}}

      event: message_stop
      data: {"type":"message_stop"}

      "
    `);
  });

  it('uses the fallback usage when the upstream sent none, and finishes once', () => {
    const encoder = new AnthropicEventEncoder({ model: 'm' });
    encoder.encode({ type: 'response-start', id: 'msg_4', model: 'm', created: 1 });
    const fallback: Usage = { inputTokens: 7, outputTokens: 3, cachedInputTokens: 0, cacheWriteInputTokens: 0, source: 'tokenizer' };
    const closing = encoder.finish(fallback);
    expect(closing.map((event) => event.event)).toEqual(['message_delta', 'message_stop']);
    expect(closing[0]?.data).toMatchObject({ usage: { input_tokens: 7, output_tokens: 3 } });
    expect(encoder.finish()).toEqual([]);
    expect(encoder.encode({ type: 'text-delta', index: 0, text: 'late' })).toEqual([]);
  });

  it('starts the message itself when the stream has no response-start', () => {
    const events = encodeAll([{ type: 'text-delta', index: 0, text: 'x' }]);
    expect(events.map((event) => event.event)).toEqual([
      'message_start',
      'content_block_start',
      'content_block_delta',
      'content_block_stop',
      'message_delta',
      'message_stop',
    ]);
    const start = events[0]?.data;
    expect(start?.type === 'message_start' && start.message.id).toMatch(/^msg_/);
  });

  it('ignores choices other than the first and logprobs', () => {
    const encoder = new AnthropicEventEncoder({ model: 'm' });
    encoder.encode({ type: 'response-start', id: 'msg_5', model: 'm', created: 1 });
    expect(encoder.encode({ type: 'text-delta', index: 1, text: 'other choice' })).toEqual([]);
    expect(encoder.encode({ type: 'logprobs-delta', index: 0, logprobs: [] })).toEqual([]);
  });
});

describe('AnthropicEventDecoder', () => {
  const stream: AnthropicStreamEvent[] = [
    {
      type: 'message_start',
      message: {
        id: 'msg_01',
        type: 'message',
        role: 'assistant',
        model: 'claude-sonnet-4-5',
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: { input_tokens: 20, output_tokens: 1, cache_read_input_tokens: 100, cache_creation_input_tokens: 5 },
      },
    },
    { type: 'content_block_start', index: 0, content_block: { type: 'thinking', thinking: '', signature: '' } },
    { type: 'ping' },
    { type: 'content_block_delta', index: 0, delta: { type: 'thinking_delta', thinking: 'Weather needs a tool.' } },
    { type: 'content_block_delta', index: 0, delta: { type: 'signature_delta', signature: 'EqQB' } },
    { type: 'content_block_stop', index: 0 },
    { type: 'content_block_start', index: 1, content_block: { type: 'text', text: '' } },
    { type: 'content_block_delta', index: 1, delta: { type: 'text_delta', text: 'Checking.' } },
    { type: 'content_block_stop', index: 1 },
    { type: 'content_block_start', index: 2, content_block: { type: 'tool_use', id: 'toolu_01', name: 'get_weather', input: {} } },
    { type: 'content_block_delta', index: 2, delta: { type: 'input_json_delta', partial_json: '' } },
    { type: 'content_block_delta', index: 2, delta: { type: 'input_json_delta', partial_json: '{"city": "Paris"}' } },
    { type: 'content_block_stop', index: 2 },
    { type: 'message_delta', delta: { stop_reason: 'tool_use', stop_sequence: null }, usage: { output_tokens: 44 } },
    { type: 'message_stop' },
  ];

  it('decodes thinking, text and tool use, with usage from message_start and message_delta', () => {
    expect(decodeAll(stream)).toMatchInlineSnapshot(`
      [
        {
          "created": 1700000000,
          "id": "msg_01",
          "model": "claude-sonnet-4-5",
          "type": "response-start",
        },
        {
          "index": 0,
          "text": "Weather needs a tool.",
          "type": "reasoning-delta",
        },
        {
          "index": 0,
          "text": "Checking.",
          "type": "text-delta",
        },
        {
          "id": "toolu_01",
          "index": 0,
          "name": "get_weather",
          "toolIndex": 0,
          "type": "tool-call-start",
        },
        {
          "argumentsDelta": "{"city": "Paris"}",
          "index": 0,
          "toolIndex": 0,
          "type": "tool-call-delta",
        },
        {
          "index": 0,
          "reason": "tool_calls",
          "type": "choice-finish",
        },
        {
          "type": "usage-final",
          "usage": {
            "cacheWriteInputTokens": 5,
            "cachedInputTokens": 100,
            "inputTokens": 125,
            "outputTokens": 44,
            "source": "upstream",
          },
        },
      ]
    `);
  });

  it('lets message_delta restate the input counts', () => {
    const [start] = stream;
    const parts = decodeAll([
      start as AnthropicStreamEvent,
      {
        type: 'message_delta',
        delta: { stop_reason: 'end_turn', stop_sequence: null },
        usage: { output_tokens: 3, input_tokens: 30, cache_read_input_tokens: null, cache_creation_input_tokens: 0 },
      },
      { type: 'message_stop' },
    ]);
    expect(parts.at(-1)).toEqual({
      type: 'usage-final',
      usage: { inputTokens: 130, outputTokens: 3, cachedInputTokens: 100, cacheWriteInputTokens: 0, source: 'upstream' },
    });
  });

  it('reports whether message_stop arrived and the usage so far', () => {
    const decoder = new AnthropicEventDecoder({ clock });
    expect(decoder.usage()).toBeNull();
    for (const event of stream.slice(0, -1)) decoder.decode(event);
    expect(decoder.done).toBe(false);
    expect(decoder.usage()).toMatchObject({ inputTokens: 125, outputTokens: 44 });
    decoder.decode({ type: 'message_stop' });
    expect(decoder.done).toBe(true);
  });

  it.each([
    ['overloaded_error', 'UPSTREAM_UNAVAILABLE'],
    ['api_error', 'UPSTREAM_ERROR'],
  ])('throws on an %s event', (type, code) => {
    const decoder = new AnthropicEventDecoder({ source: 'claude-main' });
    let thrown: unknown;
    try {
      decoder.decode({ type: 'error', error: { type, message: 'Overloaded' } });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(HubError);
    expect((thrown as HubError).code).toBe(code);
    expect((thrown as HubError).message).toBe(`upstream claude-main failed mid-stream: ${type}: Overloaded`);
  });

  it('ignores event types it does not know', () => {
    const decoder = new AnthropicEventDecoder();
    expect(decoder.decode({ type: 'future_event' } as unknown as AnthropicStreamEvent)).toEqual([]);
  });

  it('reads back what the encoder wrote', () => {
    const parts: StreamPart[] = [
      { type: 'response-start', id: 'msg_9', model: 'claude-alias', created: 1_700_000_000 },
      { type: 'reasoning-delta', index: 0, text: 'hmm' },
      { type: 'text-delta', index: 0, text: 'Hi' },
      { type: 'tool-call-start', index: 0, toolIndex: 0, id: 'toolu_1', name: 'f' },
      { type: 'tool-call-delta', index: 0, toolIndex: 0, argumentsDelta: '{"a":1}' },
      { type: 'choice-finish', index: 0, reason: 'tool_calls' },
      { type: 'usage-final', usage },
    ];
    const events = encodeAll(parts).map((event) => event.data);
    expect(decodeAll(events)).toEqual(parts);
  });
});
