/**
 * One rule for `model` on every surface, pass-through and translated, JSON and streams: the response
 * names the model the client asked for, and `x-tokenhub-model` (sent before any streamed byte) names the
 * hub model that served it — the fallback, when one did. The fakes answer with the upstream id they were sent.
 */
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeAnthropic, startFakeAnthropic } from '../../../test/fake-upstreams/anthropic.js';
import { type FakeOpenAI, startFakeOpenAI } from '../../../test/fake-upstreams/openai.js';
import { startTestHub, type TestHub } from '../../../test/support/hub.js';
import { ModelFieldRewriter } from './served-model.js';

let main: FakeOpenAI;
let backup: FakeOpenAI;
let claude: FakeAnthropic;
let hub: TestHub;
let openai: OpenAI;
let anthropic: Anthropic;

const HI = [{ role: 'user' as const, content: 'Hi' }];

beforeAll(async () => {
  main = await startFakeOpenAI();
  backup = await startFakeOpenAI({ reply: 'Backup answer.' });
  claude = await startFakeAnthropic();
  hub = await startTestHub({
    providers: [
      { id: 'main', type: 'openai', base_url: main.url },
      { id: 'backup', type: 'openai', base_url: backup.url },
      { id: 'claude', type: 'anthropic', base_url: claude.url, api_key: 'sk-ant-fake' },
      { id: 'native', type: 'openai', base_url: main.url, responses_api: true },
    ],
    models: [
      { name: 'gpt-alias', targets: [{ provider: 'main', model: 'gpt-upstream-2025' }], fallbacks: ['backup-model'] },
      { name: 'backup-model', targets: [{ provider: 'backup', model: 'qwen-upstream' }] },
      { name: 'claude-alias', targets: [{ provider: 'claude', model: 'claude-upstream-2025' }] },
      { name: 'embed-alias', kind: 'embedding', targets: [{ provider: 'main', model: 'embed-upstream' }] },
      { name: 'responses-alias', targets: [{ provider: 'native', model: 'gpt-upstream-2025' }] },
    ],
    routing: { retries: 0, backoff_ms: 1 },
  });
  openai = new OpenAI({ apiKey: hub.adminKey, baseURL: hub.openaiBaseUrl, maxRetries: 0 });
  anthropic = new Anthropic({ apiKey: hub.adminKey, baseURL: hub.url, maxRetries: 0 });
});

afterAll(async () => {
  await hub?.close();
  await main?.close();
  await backup?.close();
  await claude?.close();
});

describe('OpenAI chat', () => {
  it('pass-through JSON and stream chunks name the requested model; the header names the served one', async () => {
    const { data, response } = await openai.chat.completions.create({ model: 'gpt-alias', messages: HI }).withResponse();
    expect(main.requests.at(-1)?.body?.model).toBe('gpt-upstream-2025');
    expect(data.model).toBe('gpt-alias');
    expect(response.headers.get('x-tokenhub-model')).toBe('gpt-alias');

    const { data: stream, response: streamed } = await openai.chat.completions
      .create({ model: 'gpt-alias', messages: HI, stream: true, stream_options: { include_usage: true } })
      .withResponse();
    expect(streamed.headers.get('x-tokenhub-model')).toBe('gpt-alias');
    const models = new Set<string>();
    let chunks = 0;
    for await (const chunk of stream) {
      models.add(chunk.model);
      chunks++;
    }
    expect(chunks).toBeGreaterThan(2);
    expect([...models]).toEqual(['gpt-alias']);
  });

  it('a fallback keeps the requested model in the body and names the fallback in the header', async () => {
    main.failNext({ kind: 'status', status: 500 });
    const { data, response } = await openai.chat.completions.create({ model: 'gpt-alias', messages: HI }).withResponse();
    expect(data.choices[0]?.message.content).toBe('Backup answer.');
    expect(data.model).toBe('gpt-alias');
    expect(response.headers.get('x-tokenhub-model')).toBe('backup-model');
  });

  it('translated to an Anthropic upstream, JSON and stream', async () => {
    const { data, response } = await openai.chat.completions.create({ model: 'claude-alias', messages: HI }).withResponse();
    expect(claude.requests.at(-1)?.body?.model).toBe('claude-upstream-2025');
    expect(data.model).toBe('claude-alias');
    expect(response.headers.get('x-tokenhub-model')).toBe('claude-alias');
    const stream = await openai.chat.completions.create({ model: 'claude-alias', messages: HI, stream: true });
    for await (const chunk of stream) expect(chunk.model).toBe('claude-alias');
  });
});

describe('Anthropic messages', () => {
  it('pass-through JSON and the streamed message_start name the requested model', async () => {
    const { data, response } = await anthropic.messages.create({ model: 'claude-alias', max_tokens: 32, messages: HI }).withResponse();
    expect(data.model).toBe('claude-alias');
    expect(response.headers.get('x-tokenhub-model')).toBe('claude-alias');

    const stream = anthropic.messages.stream({ model: 'claude-alias', max_tokens: 32, messages: HI });
    let started = '';
    stream.on('streamEvent', (event) => {
      if (event.type === 'message_start') started = event.message.model;
    });
    const final = await stream.finalMessage();
    expect(started).toBe('claude-alias');
    expect(final.model).toBe('claude-alias');
  });

  it('translated to an OpenAI upstream carries the served model header', async () => {
    const { data, response } = await anthropic.messages.create({ model: 'gpt-alias', max_tokens: 32, messages: HI }).withResponse();
    expect(data.model).toBe('gpt-alias');
    expect(response.headers.get('x-tokenhub-model')).toBe('gpt-alias');
  });
});

describe('embeddings and Responses', () => {
  it('embeddings name the requested model', async () => {
    const { data, response } = await openai.embeddings.create({ model: 'embed-alias', input: 'hello' }).withResponse();
    expect(main.requests.at(-1)?.body?.model).toBe('embed-upstream');
    expect(data.model).toBe('embed-alias');
    expect(response.headers.get('x-tokenhub-model')).toBe('embed-alias');
  });

  it('a native Responses upstream: JSON, stream events and the stored copy name the requested model', async () => {
    const { data, response } = await openai.responses.create({ model: 'responses-alias', input: 'Hi' }).withResponse();
    expect(main.requests.at(-1)?.path).toBe('/v1/responses');
    expect(data.model).toBe('responses-alias');
    expect(response.headers.get('x-tokenhub-model')).toBe('responses-alias');
    expect((await openai.responses.retrieve(data.id)).model).toBe('responses-alias');

    const stream = await openai.responses.create({ model: 'responses-alias', input: 'Hi', stream: true });
    const models: string[] = [];
    let completedId = '';
    for await (const event of stream) {
      if ('response' in event) models.push(event.response.model);
      if (event.type === 'response.completed') completedId = event.response.id;
    }
    expect(models.length).toBeGreaterThan(1);
    expect(new Set(models)).toEqual(new Set(['responses-alias']));
    expect((await openai.responses.retrieve(completedId)).model).toBe('responses-alias');
  });
});

describe('ModelFieldRewriter', () => {
  it('rewrites only the first model member, however the upstream spaced or escaped it', () => {
    const rewriter = new ModelFieldRewriter('alias');
    expect(rewriter.rewrite('{"id":"x","model" : "up/\\"q\\"","content":"say \\"model\\":\\"no\\""}')).toBe(
      '{"id":"x","model":"alias","content":"say \\"model\\":\\"no\\""}',
    );
    expect(rewriter.rewrite('{"model" : "up/\\"q\\"","tools":[{"model":"kept"}]}')).toBe('{"model":"alias","tools":[{"model":"kept"}]}');
    expect(rewriter.rewrite('{"type":"ping"}')).toBe('{"type":"ping"}');
  });
});
