import { Agent, OpenAIResponsesModel, run, setTracingDisabled, tool } from '@openai/agents';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { type FakeOpenAI, startFakeOpenAI } from '../fake-upstreams/openai.js';
import { ADMIN_KEY, type ResponsesHub, startResponsesHub } from '../support/responses-hub.js';

/**
 * The OpenAI Agents SDK speaks the Responses API by default; here it runs against TokenHub, which
 * translates onto a chat-completions upstream. The fake upstream calls the first tool when the last
 * user message says "use tool", and answers with text once a tool result is the last message.
 */
let upstream: FakeOpenAI;
let hub: ResponsesHub;
let agent: Agent;
const toolCalls: string[] = [];

beforeAll(async () => {
  // Traces would otherwise be exported to api.openai.com.
  setTracingDisabled(true);
  upstream = await startFakeOpenAI({ reply: 'It is sunny in Paris.' });
  hub = await startResponsesHub({
    providers: [{ id: 'chat-only', type: 'openai', preset: 'vllm', base_url: upstream.url }],
    models: [{ name: 'agent-model', targets: [{ provider: 'chat-only', model: 'qwen-agent' }] }],
    routing: { retries: 0, timeout_ms: 5_000, first_byte_timeout_ms: 2_000 },
  });
  const client = new OpenAI({ apiKey: ADMIN_KEY, baseURL: hub.openaiBaseUrl, maxRetries: 0 });
  const getWeather = tool({
    name: 'get_weather',
    description: 'The current weather in a city.',
    parameters: z.object({ city: z.string() }),
    execute: async ({ city }) => {
      toolCalls.push(city);
      return `Sunny, 21°C in ${city}`;
    },
  });
  agent = new Agent({
    name: 'Weather agent',
    instructions: 'Answer weather questions with the tool.',
    model: new OpenAIResponsesModel(client, 'agent-model'),
    tools: [getWeather],
  });
});

afterAll(async () => {
  await hub?.close();
  await upstream?.close();
});

const chatRequests = () => upstream.requests.filter((request) => request.path === '/v1/chat/completions');

describe('OpenAI Agents SDK against TokenHub', () => {
  it('completes a two-turn run with one function tool', async () => {
    toolCalls.length = 0;
    const before = chatRequests().length;
    const result = await run(agent, 'What is the weather? please use tool');
    expect(result.finalOutput).toBe('It is sunny in Paris.');
    expect(toolCalls).toEqual(['Paris']);

    const turns = chatRequests().slice(before);
    expect(turns).toHaveLength(2);
    const second = turns[1]?.body?.messages as Record<string, unknown>[];
    expect(second[0]).toEqual({ role: 'system', content: 'Answer weather questions with the tool.' });
    expect(second.at(-1)).toMatchObject({ role: 'tool', content: 'Sunny, 21°C in Paris' });
    // Both turns were admitted and settled once each, with the upstream's usage.
    const settled = hub.gate.calls.slice(-2);
    expect(settled.map((call) => call.settlements.length)).toEqual([1, 1]);
    expect(settled.every((call) => call.settlements[0]?.usage?.source === 'upstream')).toBe(true);
  });

  it('completes the same run streamed', async () => {
    toolCalls.length = 0;
    const result = await run(agent, 'Weather please, use tool', { stream: true });
    const text: string[] = [];
    for await (const event of result) {
      if (event.type === 'raw_model_stream_event' && event.data.type === 'output_text_delta') text.push(event.data.delta);
    }
    await result.completed;
    expect(result.finalOutput).toBe('It is sunny in Paris.');
    expect(text.join('')).toBe('It is sunny in Paris.');
    expect(toolCalls).toEqual(['Paris']);
  });

  it('continues a server-side conversation with previousResponseId', async () => {
    const first = await run(agent, 'Hello there');
    expect(first.lastResponseId).toMatch(/^resp_/);
    toolCalls.length = 0;
    const before = chatRequests().length;
    const second = await run(agent, 'And the weather? use tool', { previousResponseId: first.lastResponseId });
    expect(second.finalOutput).toBe('It is sunny in Paris.');
    expect(toolCalls).toEqual(['Paris']);
    // The stored first run is the prefix of both turns of the second.
    const [toolTurn, answerTurn] = chatRequests().slice(before);
    expect(toolTurn?.body?.messages).toContainEqual({ role: 'user', content: [{ type: 'text', text: 'Hello there' }] });
    const answerMessages = answerTurn?.body?.messages as { role: string }[];
    expect(answerMessages.map((message) => message.role)).toEqual(['system', 'user', 'assistant', 'user', 'assistant', 'tool']);
  });
});
