import { describe, expect, it } from 'vitest';
import type { ChatResult } from '../../core/index.js';
import {
  type AnthropicMessage,
  anthropicMessageToCanonical,
  canonicalToAnthropicMessage,
  finishReasonFromAnthropic,
  stopReasonToAnthropic,
} from './messages.response.js';

const toolMessage: AnthropicMessage = {
  id: 'msg_01',
  type: 'message',
  role: 'assistant',
  model: 'claude-sonnet-4-5',
  content: [
    { type: 'thinking', thinking: 'Use the tool.', signature: 'sig' },
    { type: 'text', text: 'Checking ' },
    { type: 'text', text: 'now.' },
    { type: 'tool_use', id: 'toolu_01', name: 'get_weather', input: { city: 'Paris' } },
    { type: 'server_tool_use', id: 'srvtoolu_1', name: 'web_search', input: {} },
  ],
  stop_reason: 'tool_use',
  stop_sequence: null,
  usage: { input_tokens: 12, output_tokens: 30, cache_read_input_tokens: 100, cache_creation_input_tokens: 8 },
};

describe('Anthropic message → canonical', () => {
  it('collects text, thinking and tool calls and maps usage', () => {
    expect(anthropicMessageToCanonical(toolMessage, 1_700_000_000)).toEqual({
      id: 'msg_01',
      model: 'claude-sonnet-4-5',
      created: 1_700_000_000,
      choices: [
        {
          index: 0,
          message: {
            content: 'Checking now.',
            reasoning: 'Use the tool.',
            toolCalls: [{ id: 'toolu_01', name: 'get_weather', arguments: '{"city":"Paris"}' }],
          },
          finishReason: 'tool_calls',
        },
      ],
      usage: { inputTokens: 120, outputTokens: 30, cachedInputTokens: 100, cacheWriteInputTokens: 8, source: 'upstream' },
    } satisfies ChatResult);
  });

  it.each([
    ['end_turn', 'stop'],
    ['stop_sequence', 'stop'],
    ['pause_turn', 'stop'],
    ['max_tokens', 'length'],
    ['model_context_window_exceeded', 'length'],
    ['tool_use', 'tool_calls'],
    ['refusal', 'content_filter'],
    [null, null],
  ] as const)('maps stop_reason %s to %s', (reason, finish) => {
    expect(finishReasonFromAnthropic(reason)).toBe(finish);
  });

  it('has null content when the model wrote no text', () => {
    const result = anthropicMessageToCanonical({ ...toolMessage, content: [] });
    expect(result.choices[0]?.message.content).toBeNull();
  });
});

describe('canonical → Anthropic message', () => {
  it('renders blocks in Anthropic order with exact usage', () => {
    const result: ChatResult = {
      id: 'chatcmpl-1',
      model: 'gpt-4o',
      created: 1,
      choices: [
        {
          index: 0,
          message: {
            content: 'Sure.',
            reasoning: 'thinking',
            toolCalls: [{ id: 'call_1', name: 'lookup', arguments: '{"q":"x"}' }],
          },
          finishReason: 'tool_calls',
        },
      ],
      usage: { inputTokens: 50, outputTokens: 9, cachedInputTokens: 40, cacheWriteInputTokens: 0, source: 'upstream' },
    };
    expect(canonicalToAnthropicMessage(result)).toEqual({
      id: 'chatcmpl-1',
      type: 'message',
      role: 'assistant',
      model: 'gpt-4o',
      content: [
        { type: 'thinking', thinking: 'thinking', signature: '' },
        { type: 'text', text: 'Sure.' },
        { type: 'tool_use', id: 'call_1', name: 'lookup', input: { q: 'x' } },
      ],
      stop_reason: 'tool_use',
      stop_sequence: null,
      usage: { input_tokens: 10, cache_creation_input_tokens: 0, cache_read_input_tokens: 40, output_tokens: 9 },
    });
  });

  it.each([
    ['stop', 'end_turn'],
    ['length', 'max_tokens'],
    ['tool_calls', 'tool_use'],
    ['content_filter', 'refusal'],
    [null, 'end_turn'],
  ] as const)('maps finish reason %s to %s', (finish, reason) => {
    expect(stopReasonToAnthropic(finish)).toBe(reason);
  });

  it('round-trips an Anthropic message without server blocks', () => {
    const message: AnthropicMessage = { ...toolMessage, content: toolMessage.content.slice(0, 4) };
    const back = canonicalToAnthropicMessage(anthropicMessageToCanonical(message));
    expect(back.usage).toEqual(message.usage);
    expect(back.stop_reason).toBe('tool_use');
    expect(back.content).toEqual([
      { type: 'thinking', thinking: 'Use the tool.', signature: '' },
      { type: 'text', text: 'Checking now.' },
      { type: 'tool_use', id: 'toolu_01', name: 'get_weather', input: { city: 'Paris' } },
    ]);
  });
});
