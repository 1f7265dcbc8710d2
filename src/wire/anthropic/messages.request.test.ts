import { describe, expect, it } from 'vitest';
import { type ChatRequest, HubError } from '../../core/index.js';
import { anthropicMessagesRequestSchema, anthropicToCanonical } from './messages.request.js';
import { canonicalToAnthropic } from './messages.upstream-request.js';

const PIXEL = 'iVBORw0KGgo=';

function parse(body: unknown) {
  return anthropicMessagesRequestSchema.parse(body);
}

function hubError(run: () => unknown): HubError {
  try {
    run();
  } catch (error) {
    if (error instanceof HubError) return error;
    throw error;
  }
  throw new Error('expected a HubError');
}

describe('Anthropic request schema', () => {
  const minimal = { model: 'claude-sonnet-4-5', max_tokens: 64, messages: [{ role: 'user', content: 'Hi' }] };

  it('accepts a minimal request and keeps unknown fields', () => {
    const body = parse({ ...minimal, thinking: { type: 'enabled', budget_tokens: 2048 }, service_tier: 'auto' });
    expect(body.thinking).toEqual({ type: 'enabled', budget_tokens: 2048 });
    expect(body.service_tier).toBe('auto');
  });

  it.each([
    ['max_tokens missing', { model: 'm', messages: minimal.messages }],
    ['max_tokens zero', { ...minimal, max_tokens: 0 }],
    ['max_tokens fractional', { ...minimal, max_tokens: 1.5 }],
    ['temperature above 1', { ...minimal, temperature: 1.2 }],
    ['top_p above 1', { ...minimal, top_p: 1.01 }],
    ['a tool role message', { ...minimal, messages: [{ role: 'tool', content: 'x' }] }],
    [
      'an image in a system message',
      { ...minimal, messages: [{ role: 'system', content: [{ type: 'image', source: { type: 'url', url: 'x' } }] }] },
    ],
    ['no messages', { ...minimal, messages: [] }],
    ['an unknown block type', { ...minimal, messages: [{ role: 'user', content: [{ type: 'video', url: 'x' }] }] }],
    [
      'an unsupported image media type',
      {
        ...minimal,
        messages: [{ role: 'user', content: [{ type: 'image', source: { type: 'base64', media_type: 'image/bmp', data: 'x' } }] }],
      },
    ],
    ['tool_choice tool without a name', { ...minimal, tool_choice: { type: 'tool' } }],
  ])('rejects %s', (_name, body) => {
    expect(anthropicMessagesRequestSchema.safeParse(body).success).toBe(false);
  });

  it('accepts server tools, documents and cache_control as sent', () => {
    const body = parse({
      ...minimal,
      system: [{ type: 'text', text: 'Be brief.', cache_control: { type: 'ephemeral' } }],
      messages: [{ role: 'user', content: [{ type: 'document', source: { type: 'text', media_type: 'text/plain', data: 'doc' } }] }],
      tools: [{ type: 'web_search_20250305', name: 'web_search', max_uses: 3 }],
    });
    expect(body.system).toEqual([{ type: 'text', text: 'Be brief.', cache_control: { type: 'ephemeral' } }]);
    expect(body.tools?.[0]).toEqual({ type: 'web_search_20250305', name: 'web_search', max_uses: 3 });
  });
});

describe('anthropicToCanonical', () => {
  it('maps system, sampling, stop, user and tools', () => {
    const request = anthropicToCanonical(
      parse({
        model: 'claude-sonnet-4-5',
        max_tokens: 100,
        system: 'You are terse.',
        temperature: 0.3,
        top_p: 0.9,
        top_k: 40,
        stop_sequences: ['END'],
        stream: true,
        metadata: { user_id: 'user-7' },
        tools: [
          { name: 'get_weather', description: 'Weather', input_schema: { type: 'object', properties: { city: { type: 'string' } } } },
        ],
        tool_choice: { type: 'any', disable_parallel_tool_use: true },
        messages: [{ role: 'user', content: 'Weather in Paris?' }],
      }),
    );
    expect(request).toEqual({
      model: 'claude-sonnet-4-5',
      stream: true,
      maxTokens: 100,
      temperature: 0.3,
      topP: 0.9,
      topK: 40,
      stop: ['END'],
      user: 'user-7',
      messages: [
        { role: 'system', content: 'You are terse.' },
        { role: 'user', content: 'Weather in Paris?' },
      ],
      tools: [{ name: 'get_weather', description: 'Weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } }],
      toolChoice: 'required',
      parallelToolCalls: false,
    } satisfies ChatRequest);
  });

  it('turns tool results into tool messages in order and images into URLs', () => {
    const request = anthropicToCanonical(
      parse({
        model: 'm',
        max_tokens: 10,
        messages: [
          { role: 'user', content: 'Weather?' },
          {
            role: 'assistant',
            content: [
              { type: 'thinking', thinking: 'Need the tool.', signature: 'sig' },
              { type: 'text', text: 'Checking.' },
              { type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: { city: 'Paris' } },
            ],
          },
          {
            role: 'user',
            content: [
              { type: 'tool_result', tool_use_id: 'toolu_1', content: '18°C' },
              { type: 'tool_result', tool_use_id: 'toolu_2', content: [{ type: 'text', text: 'rain' }], is_error: false },
              { type: 'text', text: 'And this picture?' },
              { type: 'image', source: { type: 'base64', media_type: 'image/png', data: PIXEL } },
              { type: 'image', source: { type: 'url', url: 'https://example.com/a.jpg' } },
            ],
          },
        ],
      }),
    );
    expect(request.messages).toEqual([
      { role: 'user', content: 'Weather?' },
      {
        role: 'assistant',
        content: 'Checking.',
        toolCalls: [{ id: 'toolu_1', name: 'get_weather', arguments: '{"city":"Paris"}' }],
        reasoning: 'Need the tool.',
      },
      { role: 'tool', toolCallId: 'toolu_1', content: '18°C' },
      { role: 'tool', toolCallId: 'toolu_2', content: [{ type: 'text', text: 'rain' }] },
      {
        role: 'user',
        content: [
          { type: 'text', text: 'And this picture?' },
          { type: 'image', url: `data:image/png;base64,${PIXEL}` },
          { type: 'image', url: 'https://example.com/a.jpg' },
        ],
      },
    ]);
  });

  it('keeps system-role messages where they stand', () => {
    const request = anthropicToCanonical(
      parse({
        model: 'm',
        max_tokens: 1,
        system: [{ type: 'text', text: 'Top.' }],
        messages: [
          { role: 'user', content: 'a' },
          { role: 'system', content: 'Now answer in French.' },
          { role: 'user', content: 'b' },
        ],
      }),
    );
    expect(request.messages).toEqual([
      { role: 'system', content: [{ type: 'text', text: 'Top.' }] },
      { role: 'user', content: 'a' },
      { role: 'system', content: 'Now answer in French.' },
      { role: 'user', content: 'b' },
    ]);
  });

  it('maps every tool_choice', () => {
    const base = { model: 'm', max_tokens: 1, messages: [{ role: 'user', content: 'x' }], tools: [{ name: 't', input_schema: {} }] };
    expect(anthropicToCanonical(parse({ ...base, tool_choice: { type: 'auto' } })).toolChoice).toBe('auto');
    expect(anthropicToCanonical(parse({ ...base, tool_choice: { type: 'none' } })).toolChoice).toBe('none');
    expect(anthropicToCanonical(parse({ ...base, tool_choice: { type: 'tool', name: 't' } })).toolChoice).toEqual({ name: 't' });
  });

  it('refuses what has no canonical form, unless told to drop it', () => {
    const body = parse({
      model: 'm',
      max_tokens: 1,
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Summarise' },
            { type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: 'JVBERi0=' } },
          ],
        },
      ],
      tools: [{ type: 'web_search_20250305', name: 'web_search' }],
    });
    const error = hubError(() => anthropicToCanonical(body));
    expect(error.code).toBe('UNSUPPORTED_FEATURE');
    expect(error.details.param).toBe('messages.0.content.1');
    const lenient = anthropicToCanonical(body, { strict: false });
    expect(lenient.messages).toEqual([{ role: 'user', content: [{ type: 'text', text: 'Summarise' }] }]);
    expect(lenient.tools).toBeUndefined();
  });

  it('refuses blocks in the wrong role', () => {
    const body = parse({
      model: 'm',
      max_tokens: 1,
      messages: [{ role: 'user', content: [{ type: 'tool_use', id: 'a', name: 'b', input: {} }] }],
    });
    expect(hubError(() => anthropicToCanonical(body)).code).toBe('INVALID_REQUEST');
  });
});

describe('canonicalToAnthropic', () => {
  const base: ChatRequest = { model: 'claude-haiku-4-5', stream: false, messages: [{ role: 'user', content: 'Hi' }] };

  it('takes max_tokens from the request or the default', () => {
    expect(canonicalToAnthropic(base, 4096).max_tokens).toBe(4096);
    expect(canonicalToAnthropic({ ...base, maxTokens: 10 }, 4096).max_tokens).toBe(10);
  });

  it('hoists system and developer messages, merges same-role turns and wraps tool results', () => {
    const body = canonicalToAnthropic(
      {
        ...base,
        stream: true,
        stop: ['\n\n'],
        user: 'u1',
        temperature: 0.5,
        messages: [
          { role: 'system', content: 'Be kind.' },
          { role: 'developer', content: [{ type: 'text', text: 'Use metric units.' }] },
          { role: 'user', content: 'Weather in Paris and Rome?' },
          {
            role: 'assistant',
            content: null,
            reasoning: 'I will call the tool twice.',
            toolCalls: [
              { id: 'call_1', name: 'get_weather', arguments: '{"city":"Paris"}' },
              { id: 'call_2', name: 'get_weather', arguments: 'not json' },
            ],
          },
          { role: 'tool', toolCallId: 'call_1', content: '18' },
          { role: 'tool', toolCallId: 'call_2', content: [{ type: 'text', text: '21' }] },
          { role: 'user', content: [{ type: 'image', url: `data:image/png;base64,${PIXEL}` }] },
        ],
        tools: [{ name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } }],
        toolChoice: 'auto',
        parallelToolCalls: false,
      },
      1024,
    );
    expect(body).toEqual({
      model: 'claude-haiku-4-5',
      max_tokens: 1024,
      stream: true,
      temperature: 0.5,
      stop_sequences: ['\n\n'],
      metadata: { user_id: 'u1' },
      system: [
        { type: 'text', text: 'Be kind.' },
        { type: 'text', text: 'Use metric units.' },
      ],
      messages: [
        { role: 'user', content: 'Weather in Paris and Rome?' },
        {
          role: 'assistant',
          content: [
            { type: 'tool_use', id: 'call_1', name: 'get_weather', input: { city: 'Paris' } },
            { type: 'tool_use', id: 'call_2', name: 'get_weather', input: {} },
          ],
        },
        {
          role: 'user',
          content: [
            { type: 'tool_result', tool_use_id: 'call_1', content: '18' },
            { type: 'tool_result', tool_use_id: 'call_2', content: [{ type: 'text', text: '21' }] },
            { type: 'image', source: { type: 'base64', media_type: 'image/png', data: PIXEL } },
          ],
        },
      ],
      tools: [{ name: 'get_weather', input_schema: { type: 'object', properties: { city: { type: 'string' } } } }],
      tool_choice: { type: 'auto', disable_parallel_tool_use: true },
    });
  });

  it('keeps a lone string system prompt a string and maps tool choices', () => {
    const tools = [{ name: 't' }];
    const body = canonicalToAnthropic({ ...base, messages: [{ role: 'system', content: 'S' }, ...base.messages], tools }, 8);
    expect(body.system).toBe('S');
    expect(body.tools).toEqual([{ name: 't', input_schema: { type: 'object', properties: {} } }]);
    expect(body.tool_choice).toBeUndefined();
    expect(canonicalToAnthropic({ ...base, tools, toolChoice: 'required' }, 8).tool_choice).toEqual({ type: 'any' });
    expect(canonicalToAnthropic({ ...base, tools, toolChoice: 'none' }, 8).tool_choice).toEqual({ type: 'none' });
    expect(canonicalToAnthropic({ ...base, tools, toolChoice: { name: 't' } }, 8).tool_choice).toEqual({ type: 'tool', name: 't' });
    expect(canonicalToAnthropic({ ...base, toolChoice: 'required' }, 8).tool_choice).toBeUndefined();
  });

  it('sends http image URLs as url sources', () => {
    const body = canonicalToAnthropic(
      { ...base, messages: [{ role: 'user', content: [{ type: 'image', url: 'https://x.test/a.png' }] }] },
      8,
    );
    expect(body.messages[0]?.content).toEqual([{ type: 'image', source: { type: 'url', url: 'https://x.test/a.png' } }]);
  });

  it.each([
    ['n > 1', { n: 2 }, 'UNSUPPORTED_FEATURE', 'n'],
    [
      'json_schema response format',
      { responseFormat: { type: 'json_schema', name: 'x', schema: {} } },
      'UNSUPPORTED_FEATURE',
      'response_format',
    ],
    ['logprobs', { logprobs: true }, 'UNSUPPORTED_FEATURE', 'logprobs'],
    ['temperature above 1', { temperature: 1.5 }, 'INVALID_REQUEST', 'temperature'],
    [
      'a bmp image',
      { messages: [{ role: 'user', content: [{ type: 'image', url: 'data:image/bmp;base64,Qk0=' }] }] },
      'UNSUPPORTED_FEATURE',
      'messages',
    ],
  ] as const)('refuses %s', (_name, patch, code, param) => {
    const error = hubError(() => canonicalToAnthropic({ ...base, ...(patch as Partial<ChatRequest>) }, 8));
    expect(error.code).toBe(code);
    expect(error.details.param).toBe(param);
  });

  it('accepts json_object and text response formats and n = 1', () => {
    expect(() => canonicalToAnthropic({ ...base, n: 1, responseFormat: { type: 'json_object' } }, 8)).not.toThrow();
    expect(() => canonicalToAnthropic({ ...base, responseFormat: { type: 'text' } }, 8)).not.toThrow();
  });
});

describe('Anthropic → canonical → Anthropic', () => {
  it.each([
    [
      'a plain chat',
      {
        model: 'm',
        max_tokens: 32,
        system: 'Sys',
        temperature: 0.2,
        stop_sequences: ['x'],
        messages: [
          { role: 'user', content: 'a' },
          { role: 'assistant', content: 'b' },
          { role: 'user', content: 'c' },
        ],
      },
    ],
    [
      'a tool round',
      {
        model: 'm',
        max_tokens: 32,
        stream: true,
        tools: [{ name: 'lookup', description: 'Look up', input_schema: { type: 'object', properties: { q: { type: 'string' } } } }],
        tool_choice: { type: 'tool', name: 'lookup' },
        messages: [
          { role: 'user', content: [{ type: 'text', text: 'find x' }] },
          {
            role: 'assistant',
            content: [
              { type: 'text', text: 'Looking.' },
              { type: 'tool_use', id: 'toolu_9', name: 'lookup', input: { q: 'x' } },
            ],
          },
          {
            role: 'user',
            content: [
              { type: 'tool_result', tool_use_id: 'toolu_9', content: 'found' },
              { type: 'text', text: 'thanks' },
            ],
          },
        ],
      },
    ],
  ])('keeps %s intact', (_name, original) => {
    const parsed = parse(original);
    expect(canonicalToAnthropic(anthropicToCanonical(parsed), 1)).toEqual(parsed);
  });
});
