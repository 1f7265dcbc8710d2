import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { StreamPart } from '../../core/index.js';
import { AnthropicEventDecoder, type AnthropicStreamEvent } from '../../wire/anthropic/index.js';
import { type SseEvent, SseParser } from '../../wire/sse.js';

// Captured from test/fake-upstreams/anthropic.ts, which follows Anthropic's streaming reference.
function events(name: string): SseEvent[] {
  const parser = new SseParser();
  return [...parser.push(readFileSync(new URL(`./__fixtures__/${name}.sse`, import.meta.url), 'utf8')), ...parser.flush()];
}

function decode(name: string): StreamPart[] {
  const decoder = new AnthropicEventDecoder({ clock: { now: () => 1_700_000_000_000 } });
  const parts = events(name).flatMap((event) => decoder.decode(JSON.parse(event.data) as AnthropicStreamEvent));
  expect(decoder.done).toBe(true);
  return parts;
}

describe('recorded Anthropic streams', () => {
  it.each(['text', 'tool-use', 'thinking'])('%s: names every event after its type', (name) => {
    for (const event of events(name)) expect(event.event).toBe((JSON.parse(event.data) as { type: string }).type);
  });

  it('decodes a text stream', () => {
    expect(decode('text')).toMatchInlineSnapshot(`
      [
        {
          "created": 1700000000,
          "id": "msg_fake_1",
          "model": "claude-haiku-4-5",
          "type": "response-start",
        },
        {
          "index": 0,
          "text": "Hello",
          "type": "text-delta",
        },
        {
          "index": 0,
          "text": " from",
          "type": "text-delta",
        },
        {
          "index": 0,
          "text": " fake",
          "type": "text-delta",
        },
        {
          "index": 0,
          "text": " Anthropic",
          "type": "text-delta",
        },
        {
          "index": 0,
          "reason": "stop",
          "type": "choice-finish",
        },
        {
          "type": "usage-final",
          "usage": {
            "cacheWriteInputTokens": 10,
            "cachedInputTokens": 100,
            "inputTokens": 135,
            "outputTokens": 4,
            "source": "upstream",
          },
        },
      ]
    `);
  });

  it('decodes a tool-use stream', () => {
    expect(decode('tool-use')).toMatchInlineSnapshot(`
      [
        {
          "created": 1700000000,
          "id": "msg_fake_1",
          "model": "claude-sonnet-4-5",
          "type": "response-start",
        },
        {
          "index": 0,
          "text": "Let",
          "type": "text-delta",
        },
        {
          "index": 0,
          "text": " me",
          "type": "text-delta",
        },
        {
          "index": 0,
          "text": " use",
          "type": "text-delta",
        },
        {
          "index": 0,
          "text": " a",
          "type": "text-delta",
        },
        {
          "index": 0,
          "text": " tool.",
          "type": "text-delta",
        },
        {
          "id": "toolu_fake_1_0",
          "index": 0,
          "name": "get_weather",
          "toolIndex": 0,
          "type": "tool-call-start",
        },
        {
          "argumentsDelta": "{"city":"t",
          "index": 0,
          "toolIndex": 0,
          "type": "tool-call-delta",
        },
        {
          "argumentsDelta": "est city"}",
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
            "cacheWriteInputTokens": 10,
            "cachedInputTokens": 100,
            "inputTokens": 135,
            "outputTokens": 7,
            "source": "upstream",
          },
        },
      ]
    `);
  });

  it('decodes a thinking stream whose message_delta restates the input counts', () => {
    expect(decode('thinking')).toMatchInlineSnapshot(`
      [
        {
          "created": 1700000000,
          "id": "msg_fake_1",
          "model": "claude-sonnet-4-5",
          "type": "response-start",
        },
        {
          "index": 0,
          "text": "The user greets me",
          "type": "reasoning-delta",
        },
        {
          "index": 0,
          "text": ", so I greet back.",
          "type": "reasoning-delta",
        },
        {
          "index": 0,
          "text": "Hello from fa",
          "type": "text-delta",
        },
        {
          "index": 0,
          "text": "ke Anthropic",
          "type": "text-delta",
        },
        {
          "index": 0,
          "reason": "stop",
          "type": "choice-finish",
        },
        {
          "type": "usage-final",
          "usage": {
            "cacheWriteInputTokens": 10,
            "cachedInputTokens": 100,
            "inputTokens": 135,
            "outputTokens": 4,
            "source": "upstream",
          },
        },
      ]
    `);
  });
});
