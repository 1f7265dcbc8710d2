import { describe, expect, it } from 'vitest';
import { HubError, type StreamPart } from '../../core/index.js';
import { responsesRequestSchema } from './request.js';
import { responseEnvelope } from './response.js';
import { type ResponsesEvent, ResponsesStreamEncoder } from './stream.encoder.js';

const envelope = () => responseEnvelope(responsesRequestSchema.parse({ model: 'm', input: 'x' }), 'resp_test', 1_700_000_000);

function encodeAll(parts: StreamPart[]): { events: ResponsesEvent[]; encoder: ResponsesStreamEncoder } {
  const encoder = new ResponsesStreamEncoder(envelope());
  const events = [...encoder.start()];
  for (const part of parts) events.push(...encoder.encode(part));
  return { events, encoder };
}

const usage = {
  inputTokens: 20,
  outputTokens: 9,
  cachedInputTokens: 4,
  cacheWriteInputTokens: 0,
  reasoningTokens: 3,
  source: 'upstream' as const,
};

describe('ResponsesStreamEncoder', () => {
  it('opens and closes reasoning, message and function call items in order, with running sequence numbers', () => {
    const { events, encoder } = encodeAll([
      { type: 'response-start', id: 'up', model: 'up-model', created: 1 },
      { type: 'reasoning-delta', index: 0, text: 'Think' },
      { type: 'text-delta', index: 0, text: 'Hel' },
      { type: 'text-delta', index: 0, text: 'lo' },
      { type: 'tool-call-start', index: 0, toolIndex: 0, id: 'call_1', name: 'f' },
      { type: 'tool-call-delta', index: 0, toolIndex: 0, argumentsDelta: '{"a"' },
      { type: 'tool-call-delta', index: 0, toolIndex: 0, argumentsDelta: ':1}' },
      { type: 'choice-finish', index: 0, reason: 'tool_calls' },
      { type: 'usage-final', usage },
    ]);
    const finished = encoder.finish(1_700_000_005);
    const all = [...events, ...finished.events, finished.terminal];
    expect(all.map((event) => `${event.type}${'output_index' in event ? `@${String(event.output_index)}` : ''}`)).toMatchInlineSnapshot(`
      [
        "response.created",
        "response.in_progress",
        "response.output_item.added@0",
        "response.content_part.added@0",
        "response.reasoning_text.delta@0",
        "response.reasoning_text.done@0",
        "response.content_part.done@0",
        "response.output_item.done@0",
        "response.output_item.added@1",
        "response.content_part.added@1",
        "response.output_text.delta@1",
        "response.output_text.delta@1",
        "response.output_text.done@1",
        "response.content_part.done@1",
        "response.output_item.done@1",
        "response.output_item.added@2",
        "response.function_call_arguments.delta@2",
        "response.function_call_arguments.delta@2",
        "response.function_call_arguments.done@2",
        "response.output_item.done@2",
        "response.completed",
      ]
    `);
    expect(all.map((event) => event.sequence_number)).toEqual(all.map((_, index) => index));
    const response = finished.response;
    expect(response.status).toBe('completed');
    expect(response.completed_at).toBe(1_700_000_005);
    expect(response.output.map((item) => item.type)).toEqual(['reasoning', 'message', 'function_call']);
    expect(response.output[1]).toMatchObject({ status: 'completed', content: [{ type: 'output_text', text: 'Hello', annotations: [] }] });
    expect(response.output[2]).toMatchObject({ call_id: 'call_1', name: 'f', arguments: '{"a":1}', status: 'completed' });
    expect(response.usage).toEqual({
      input_tokens: 20,
      input_tokens_details: { cached_tokens: 4 },
      output_tokens: 9,
      output_tokens_details: { reasoning_tokens: 3 },
      total_tokens: 29,
    });
    expect(finished.terminal).toMatchObject({ type: 'response.completed', response: { id: 'resp_test', status: 'completed' } });
  });

  it('ends a response cut by max tokens as response.incomplete', () => {
    const { encoder } = encodeAll([
      { type: 'text-delta', index: 0, text: 'Partial' },
      { type: 'choice-finish', index: 0, reason: 'length' },
    ]);
    const finished = encoder.finish(1);
    expect(finished.terminal.type).toBe('response.incomplete');
    expect(finished.response).toMatchObject({ status: 'incomplete', incomplete_details: { reason: 'max_output_tokens' }, usage: null });
    expect(finished.response.output[0]?.status).toBe('incomplete');
  });

  it('opens a function call whose first chunk carries only arguments, with a generated call id', () => {
    const { events } = encodeAll([{ type: 'tool-call-delta', index: 0, toolIndex: 1, argumentsDelta: '{}' }]);
    const added = events.find((event) => event.type === 'response.output_item.added');
    expect((added?.item as { call_id: string } | undefined)?.call_id).toMatch(/^call_/);
  });

  it('fails with response.failed and an error event the SDKs raise', () => {
    const { encoder } = encodeAll([{ type: 'text-delta', index: 0, text: 'Hi' }]);
    const events = encoder.fail(new HubError('UPSTREAM_ERROR', 'upstream broke'));
    expect(events.map((event) => event.type)).toEqual([
      'response.output_text.done',
      'response.content_part.done',
      'response.output_item.done',
      'response.failed',
      'error',
    ]);
    expect(events[3]).toMatchObject({ response: { status: 'failed', error: { code: 'upstream_error', message: 'upstream broke' } } });
    expect(events[4]).toMatchObject({
      code: 'upstream_error',
      message: 'upstream broke',
      param: null,
      error: { type: 'upstream_error', message: 'upstream broke' },
    });
  });
});
