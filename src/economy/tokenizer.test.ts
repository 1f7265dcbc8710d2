import { describe, expect, it } from 'vitest';
import type { ChatMessage } from '../core/index.js';
import { countEmbeddingsTokens, countPromptTokens, countTextTokens, embeddingsTokenBound, promptTokenBound } from './tokenizer.js';

// The example of OpenAI's cookbook "How to count tokens with tiktoken", whose counts the API confirmed.
const COOKBOOK: ChatMessage[] = [
  { role: 'system', content: 'You are a helpful, pattern-following assistant that translates corporate jargon into plain English.' },
  { role: 'system', name: 'example_user', content: 'New synergies will help drive top-line growth.' },
  { role: 'system', name: 'example_assistant', content: 'Things working well together will increase revenue.' },
  {
    role: 'system',
    name: 'example_user',
    content: "Let's circle back when we have more bandwidth to touch base on opportunities for increased leverage.",
  },
  { role: 'system', name: 'example_assistant', content: "Let's talk later when we're less busy about how to do better." },
  { role: 'user', content: "This late pivot means we don't have time to boil the ocean for the client deliverable." },
];

describe('tokenizer', () => {
  it('counts chat prompts as the OpenAI API does', () => {
    expect(countPromptTokens({ messages: COOKBOOK }, 'gpt-4')).toBe(129);
    expect(countPromptTokens({ messages: COOKBOOK }, 'gpt-4o')).toBe(124);
    expect(countPromptTokens({ messages: COOKBOOK }, 'gpt-4o-mini-2024-07-18')).toBe(124);
  });

  it('counts tools, images and special-token look-alikes without throwing', () => {
    const base = countPromptTokens({ messages: [{ role: 'user', content: 'hi' }] }, 'gpt-4o');
    const withTool = countPromptTokens(
      {
        messages: [{ role: 'user', content: 'hi' }],
        tools: [{ name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } }],
      },
      'gpt-4o',
    );
    expect(withTool).toBeGreaterThan(base);
    const withImage = countPromptTokens(
      {
        messages: [
          {
            role: 'user',
            content: [
              { type: 'text', text: 'hi' },
              { type: 'image', url: 'https://x/y.png' },
            ],
          },
        ],
      },
      'gpt-4o',
    );
    expect(withImage).toBe(base + 85);
    expect(countTextTokens('a <|endoftext|> b', 'gpt-4o')).toBeGreaterThan(3);
  });

  it('counts output text and embeddings input', () => {
    expect(countTextTokens('', 'gpt-4o')).toBe(0);
    expect(countTextTokens('Hello world', 'some-local-model')).toBe(2);
    expect(countEmbeddingsTokens(['Hello world', 'Hello'], 'text-embedding-3-small')).toBe(3);
    expect(countEmbeddingsTokens([[1, 2, 3], [4]], 'text-embedding-3-small')).toBe(4);
  });
});

describe('pathological text', () => {
  it('counts a very long run without spaces quickly and close to the exact count', () => {
    const started = performance.now();
    const run = 'x'.repeat(200_000);
    const tokens = countTextTokens(run, 'gpt-4o');
    expect(performance.now() - started).toBeLessThan(5_000);
    // Exact BPE gives 1 token per 8 "x"; slicing costs at most one token per 128-character cut, the
    // estimate past the exact budget errs high.
    expect(tokens).toBeGreaterThanOrEqual(200_000 / 8);
    expect(tokens).toBeLessThanOrEqual(200_000 * 0.75 + 2);
  });

  it('counts ordinary long text exactly, as one piece', () => {
    const text = 'hello world '.repeat(5_000);
    expect(countTextTokens(text, 'gpt-4o')).toBe(10_001);
  });
});

describe('the reservation bound', () => {
  // Texts where BPE is at its densest (one token a byte or close): the bound must still hold.
  const texts = [
    'hello world',
    'x'.repeat(70_000),
    'ab1'.repeat(9_000),
    Buffer.from(Array.from({ length: 30_000 }, (_, index) => (index * 7919) % 256)).toString('base64'),
    '日本語のテキストと漢字、かな、カナ。'.repeat(300),
    '🙂🎉👩‍👩‍👧‍👦'.repeat(400),
    // A long run whose 128-unit slices cut surrogate pairs in half.
    `a${'😀'.repeat(2_000)}`,
    '<|endoftext|><|im_start|>user',
    ' \n\t'.repeat(500),
    'ﷺ﷽꧅'.repeat(1_000),
  ];

  it.each(['gpt-4o', 'gpt-4', 'qwen2.5-72b'])('is never below the exact count (%s)', (model) => {
    for (const text of texts) {
      const messages: ChatMessage[] = [
        { role: 'system', content: text },
        {
          role: 'user',
          name: 'someone',
          content: [
            { type: 'text', text },
            { type: 'text', text: text.slice(0, 77) },
          ],
        },
        {
          role: 'assistant',
          content: null,
          toolCalls: [{ id: 'call_1', name: 'lookup', arguments: JSON.stringify({ q: text.slice(0, 500) }) }],
        },
        { role: 'tool', toolCallId: 'call_1', content: text.slice(0, 1_000) },
      ];
      const tools = [{ name: 'lookup', description: text.slice(0, 300), parameters: { type: 'object' } }];
      expect(promptTokenBound({ messages, tools })).toBeGreaterThanOrEqual(countPromptTokens({ messages, tools }, model));
      expect(embeddingsTokenBound([text, 'short'])).toBeGreaterThanOrEqual(countEmbeddingsTokens([text, 'short'], model));
    }
  });

  it('stays within a small factor of the count for ordinary text', () => {
    const messages = COOKBOOK;
    const exact = countPromptTokens({ messages }, 'gpt-4o');
    const bound = promptTokenBound({ messages });
    expect(bound).toBeGreaterThanOrEqual(exact);
    expect(bound).toBeLessThan(exact * 5);
  });
});
