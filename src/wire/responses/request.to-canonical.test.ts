import { describe, expect, it } from 'vitest';
import { HubError } from '../../core/index.js';
import { normaliseInput } from './input-items.js';
import { responsesRequestSchema } from './request.js';
import { responsesToCanonical } from './request.to-canonical.js';

const translate = (body: Record<string, unknown>, history: Record<string, unknown>[] = []) =>
  responsesToCanonical(responsesRequestSchema.parse(body), history);

describe('responsesToCanonical', () => {
  it('turns instructions into a leading system message and a string input into a user message', () => {
    const { request, unsupported } = translate({
      model: 'm',
      instructions: 'Be brief.',
      input: 'Hi',
      max_output_tokens: 64,
      temperature: 0.5,
      top_p: 0.9,
      stream: true,
      parallel_tool_calls: false,
      safety_identifier: 'user-1',
    });
    expect(unsupported).toEqual([]);
    expect(request).toEqual({
      model: 'm',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Hi' },
      ],
      stream: true,
      maxTokens: 64,
      temperature: 0.5,
      topP: 0.9,
      parallelToolCalls: false,
      user: 'user-1',
    });
  });

  it('maps message, function_call and function_call_output items, merging parallel calls into one turn', () => {
    const { request } = translate({
      model: 'm',
      input: [
        { role: 'developer', content: 'Use tools.' },
        {
          type: 'message',
          role: 'user',
          content: [
            { type: 'input_text', text: 'Look' },
            { type: 'input_image', image_url: 'https://x/a.png', detail: 'low' },
          ],
        },
        {
          type: 'message',
          role: 'assistant',
          id: 'msg_1',
          status: 'completed',
          content: [{ type: 'output_text', text: 'Checking.', annotations: [] }],
        },
        { type: 'function_call', id: 'fc_1', call_id: 'call_a', name: 'a', arguments: '{}' },
        { type: 'function_call', call_id: 'call_b', name: 'b', arguments: '{"x":1}' },
        { type: 'reasoning', id: 'rs_1', summary: [] },
        { type: 'function_call_output', call_id: 'call_a', output: 'A' },
        { type: 'function_call_output', call_id: 'call_b', output: [{ type: 'input_text', text: 'B' }] },
      ],
    });
    expect(request.messages).toEqual([
      { role: 'developer', content: 'Use tools.' },
      {
        role: 'user',
        content: [
          { type: 'text', text: 'Look' },
          { type: 'image', url: 'https://x/a.png', detail: 'low' },
        ],
      },
      {
        role: 'assistant',
        content: 'Checking.',
        toolCalls: [
          { id: 'call_a', name: 'a', arguments: '{}' },
          { id: 'call_b', name: 'b', arguments: '{"x":1}' },
        ],
      },
      { role: 'tool', content: 'A', toolCallId: 'call_a' },
      { role: 'tool', content: [{ type: 'text', text: 'B' }], toolCallId: 'call_b' },
    ]);
  });

  it('puts the stored conversation between instructions and the new input, resolving item references', () => {
    const history = normaliseInput('First question').concat([
      { type: 'function_call', id: 'fc_9', call_id: 'call_9', name: 'lookup', arguments: '{}', status: 'completed' },
    ]);
    const { request, unsupported } = responsesToCanonical(
      responsesRequestSchema.parse({
        model: 'm',
        instructions: 'Now.',
        input: [
          { type: 'item_reference', id: 'fc_9' },
          { type: 'function_call_output', call_id: 'call_9', output: 'ok' },
        ],
      }),
      history,
      (id) => history.find((item) => item.id === id),
    );
    expect(unsupported).toEqual([]);
    expect(request.messages.map((message) => message.role)).toEqual(['system', 'user', 'assistant', 'assistant', 'tool']);
  });

  it('maps function tools, tool_choice and text.format', () => {
    const schema = { type: 'object', properties: {} };
    const { request } = translate({
      model: 'm',
      input: 'x',
      tools: [{ type: 'function', name: 'f', description: 'F', parameters: schema, strict: true }],
      tool_choice: { type: 'function', name: 'f' },
      text: { format: { type: 'json_schema', name: 'out', schema, strict: true } },
    });
    expect(request.tools).toEqual([{ name: 'f', description: 'F', parameters: schema, strict: true }]);
    expect(request.toolChoice).toEqual({ name: 'f' });
    expect(request.responseFormat).toEqual({ type: 'json_schema', name: 'out', schema, strict: true });
  });

  it('collects what only a native upstream can serve instead of dropping it', () => {
    const { request, unsupported } = translate({
      model: 'm',
      input: [
        {
          role: 'user',
          content: [
            { type: 'input_image', file_id: 'file_1' },
            { type: 'input_file', file_id: 'file_2' },
          ],
        },
        { type: 'web_search_call', id: 'ws_1', status: 'completed' },
        { type: 'item_reference', id: 'msg_unknown' },
      ],
      tools: [{ type: 'function', name: 'f' }, { type: 'web_search_preview' }, { type: 'file_search', vector_store_ids: ['vs'] }],
      tool_choice: { type: 'file_search' },
      background: true,
      prompt: { id: 'pmpt_1' },
    });
    expect(request.tools).toEqual([{ name: 'f' }]);
    expect(unsupported.map((feature) => feature.param)).toEqual([
      'input',
      'input',
      'input',
      'input',
      'tools',
      'tools',
      'tool_choice',
      'background',
      'prompt',
    ]);
    expect(unsupported[4]?.feature).toBe("Hosted tool 'web_search_preview' (web search) in tools[1]");
    expect(unsupported[5]?.feature).toBe("Hosted tool 'file_search' (file search) in tools[2]");
  });

  it('names the exact field of an invalid item', () => {
    const error = (() => {
      try {
        translate({
          model: 'm',
          input: [
            { role: 'user', content: 'ok' },
            { type: 'function_call', call_id: 'c', arguments: '{}' },
          ],
        });
      } catch (caught) {
        return caught;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(HubError);
    expect((error as HubError).details.param).toBe('input[1].name');
  });
});

describe('normaliseInput', () => {
  it('gives every item a type and an id and list-form content', () => {
    const items = normaliseInput([
      { role: 'user', content: 'Hi' },
      { role: 'assistant', content: 'Hello' },
      { type: 'function_call_output', call_id: 'c', output: 'x' },
      { type: 'message', id: 'msg_keep', role: 'user', content: [{ type: 'input_text', text: 'Kept' }] },
    ]);
    expect(items[0]).toMatchObject({ type: 'message', role: 'user', content: [{ type: 'input_text', text: 'Hi' }] });
    expect(items[1]).toMatchObject({ type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'Hello' }] });
    expect(items[0]?.id).toMatch(/^msg_/);
    expect(items[2]?.id).toMatch(/^fco_/);
    expect(items[3]?.id).toBe('msg_keep');
  });
});
