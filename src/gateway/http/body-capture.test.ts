import { describe, expect, it } from 'vitest';
import { sseData, sseEvent } from '../../wire/sse.js';
import { streamText } from './body-capture.js';

describe('streamText: the text a stream carried', () => {
  it('OpenAI chat: content, reasoning and tool calls; [DONE] and usage chunks add nothing', () => {
    const sse = [
      { choices: [{ index: 0, delta: { role: 'assistant', reasoning_content: 'Thinking. ' } }] },
      { choices: [{ index: 0, delta: { content: 'Hello' } }] },
      { choices: [{ index: 0, delta: { content: ', world' } }] },
      { choices: [{ index: 0, delta: { tool_calls: [{ index: 0, function: { name: 'lookup', arguments: '{"q":' } }] } }] },
      { choices: [{ index: 0, delta: { tool_calls: [{ index: 0, function: { arguments: '"x"}' } }] } }] },
      { choices: [], usage: { prompt_tokens: 3, completion_tokens: 4 } },
    ]
      .map((chunk) => sseData(JSON.stringify(chunk)))
      .join('');
    expect(streamText(`${sse}${sseData('[DONE]')}`)).toBe('Thinking. Hello, world\n[tool call lookup] {"q":"x"}');
  });

  it('Anthropic messages and the Responses API, split at any byte', () => {
    const anthropic = [
      sseEvent('message_start', JSON.stringify({ type: 'message_start', message: { id: 'msg_1' } })),
      sseEvent('content_block_delta', JSON.stringify({ type: 'content_block_delta', delta: { type: 'text_delta', text: 'Bonjour' } })),
      sseEvent('content_block_start', JSON.stringify({ type: 'content_block_start', content_block: { type: 'tool_use', name: 'search' } })),
      sseEvent(
        'content_block_delta',
        JSON.stringify({ type: 'content_block_delta', delta: { type: 'input_json_delta', partial_json: '{}' } }),
      ),
      sseEvent('error', JSON.stringify({ type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } })),
    ].join('');
    expect(streamText(anthropic)).toBe('Bonjour\n[tool call search] {}\n[error] Overloaded');
    const responses = [
      sseEvent('response.output_text.delta', JSON.stringify({ type: 'response.output_text.delta', delta: 'Hi ' })),
      sseEvent('response.output_text.delta', JSON.stringify({ type: 'response.output_text.delta', delta: 'there' })),
      sseEvent('response.completed', JSON.stringify({ type: 'response.completed', response: { output: [] } })),
    ].join('');
    expect(streamText(responses)).toBe('Hi there');
  });
});
