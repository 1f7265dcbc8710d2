import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Anthropic from '@anthropic-ai/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChatResult, StreamPart } from '../../core/index.js';
import { formatAnthropicSse } from './messages.events.js';
import { canonicalToAnthropicMessage } from './messages.response.js';
import { AnthropicEventEncoder } from './messages.stream.js';

// What TokenHub renders must be what the official SDK reads: a server replays canonical output through
// the encoders, and the SDK is the judge.
let server: Server;
let client: Anthropic;
let parts: StreamPart[] = [];
let result: ChatResult | null = null;

beforeAll(async () => {
  server = createServer((request, response) => {
    let raw = '';
    request.on('data', (chunk: Buffer) => {
      raw += chunk.toString('utf8');
    });
    request.on('end', () => {
      const body = JSON.parse(raw) as { model: string; stream?: boolean };
      if (!body.stream) {
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(JSON.stringify(result && canonicalToAnthropicMessage(result)));
        return;
      }
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      const encoder = new AnthropicEventEncoder({ model: body.model, inputTokens: 11 });
      for (const part of parts) for (const event of encoder.encode(part)) response.write(formatAnthropicSse(event));
      for (const event of encoder.finish()) response.write(formatAnthropicSse(event));
      response.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  client = new Anthropic({ apiKey: 'k', baseURL: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, maxRetries: 0 });
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const request = { model: 'claude-alias', max_tokens: 100, messages: [{ role: 'user' as const, content: 'Hi' }] };

describe('Anthropic SDK reading TokenHub output', () => {
  it('accumulates an encoded stream into the message it describes', async () => {
    parts = [
      { type: 'response-start', id: 'chatcmpl-1', model: 'gpt-4o', created: 1 },
      { type: 'reasoning-delta', index: 0, text: 'Let me think.' },
      { type: 'text-delta', index: 0, text: 'Checking ' },
      { type: 'text-delta', index: 0, text: 'both.' },
      { type: 'tool-call-start', index: 0, toolIndex: 0, id: 'call_1', name: 'get_weather' },
      { type: 'tool-call-delta', index: 0, toolIndex: 0, argumentsDelta: '{"city":' },
      { type: 'tool-call-delta', index: 0, toolIndex: 0, argumentsDelta: '"Paris"}' },
      { type: 'tool-call-start', index: 0, toolIndex: 1, id: 'call_2', name: 'get_weather' },
      { type: 'tool-call-delta', index: 0, toolIndex: 1, argumentsDelta: '{"city":"Rome"}' },
      { type: 'choice-finish', index: 0, reason: 'tool_calls' },
      {
        type: 'usage-final',
        usage: { inputTokens: 50, outputTokens: 20, cachedInputTokens: 30, cacheWriteInputTokens: 5, source: 'upstream' },
      },
    ];
    const message = await client.messages.stream(request).finalMessage();
    expect(message).toMatchObject({
      id: 'chatcmpl-1',
      model: 'claude-alias',
      role: 'assistant',
      stop_reason: 'tool_use',
      content: [
        { type: 'thinking', thinking: 'Let me think.' },
        { type: 'text', text: 'Checking both.' },
        { type: 'tool_use', id: 'call_1', name: 'get_weather', input: { city: 'Paris' } },
        { type: 'tool_use', id: 'call_2', name: 'get_weather', input: { city: 'Rome' } },
      ],
      usage: { input_tokens: 15, cache_read_input_tokens: 30, cache_creation_input_tokens: 5, output_tokens: 20 },
    });
  });

  it('parses a rendered message', async () => {
    result = {
      id: 'chatcmpl-2',
      model: 'claude-alias',
      created: 1,
      choices: [{ index: 0, message: { content: 'Hello.' }, finishReason: 'length' }],
      usage: { inputTokens: 9, outputTokens: 2, cachedInputTokens: 0, cacheWriteInputTokens: 0, source: 'upstream' },
    };
    const message = await client.messages.create(request);
    expect(message).toMatchObject({
      type: 'message',
      content: [{ type: 'text', text: 'Hello.' }],
      stop_reason: 'max_tokens',
      usage: { input_tokens: 9, output_tokens: 2 },
    });
  });
});
