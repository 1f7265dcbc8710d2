import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeOpenAI, startFakeOpenAI } from '../../../test/fake-upstreams/openai.js';
import { startTestHub, type TestHub } from '../../../test/support/hub.js';
import { hasOpenAISpec, OPENAI_SPEC_PATH, openaiSchemaValidator } from '../../../test/support/openai-spec.js';
import { SseParser } from '../../wire/sse.js';

if (!hasOpenAISpec) console.warn(`skipping OpenAI spec conformance: ${OPENAI_SPEC_PATH} is absent (needs ../shared)`);

describe.skipIf(!hasOpenAISpec)('responses conform to the OpenAI OpenAPI spec', () => {
  let upstream: FakeOpenAI;
  let hub: TestHub;

  beforeAll(async () => {
    upstream = await startFakeOpenAI();
    hub = await startTestHub({
      providers: [{ id: 'main', type: 'openai', base_url: upstream.url }],
      models: [
        { name: 'chat', targets: [{ provider: 'main', model: 'gpt-4o-mini' }] },
        { name: 'embed', kind: 'embedding', targets: [{ provider: 'main', model: 'text-embedding-3-small' }] },
      ],
    });
  });

  afterAll(async () => {
    await hub?.close();
    await upstream?.close();
  });

  const call = async (path: string, body?: unknown) => {
    const response = await fetch(`${hub.openaiBaseUrl}${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: { authorization: `Bearer ${hub.adminKey}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: response.status, text: await response.text() };
  };

  const expectValid = (schema: string, value: unknown): void => {
    const validate = openaiSchemaValidator(schema);
    const valid = validate(value);
    expect(validate.errors ?? [], `${schema}: ${JSON.stringify(validate.errors)}`).toEqual([]);
    expect(valid).toBe(true);
  };

  it('chat completion (with tool calls too)', async () => {
    const plain = await call('/chat/completions', { model: 'chat', messages: [{ role: 'user', content: 'hi' }] });
    expect(plain.status).toBe(200);
    expectValid('CreateChatCompletionResponse', JSON.parse(plain.text));
    const tools = [{ type: 'function', function: { name: 'f', parameters: { type: 'object', properties: {} } } }];
    const withTools = await call('/chat/completions', { model: 'chat', messages: [{ role: 'user', content: 'use tool' }], tools });
    expectValid('CreateChatCompletionResponse', JSON.parse(withTools.text));
  });

  it('chat completion stream chunks', async () => {
    const streamed = await call('/chat/completions', {
      model: 'chat',
      messages: [{ role: 'user', content: 'hi' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    const events = new SseParser().push(streamed.text);
    expect(events.at(-1)?.data).toBe('[DONE]');
    for (const event of events.slice(0, -1)) expectValid('CreateChatCompletionStreamResponse', JSON.parse(event.data));
  });

  it('embeddings, models and errors', async () => {
    expectValid('CreateEmbeddingResponse', JSON.parse((await call('/embeddings', { model: 'embed', input: 'x' })).text));
    expectValid('ListModelsResponse', JSON.parse((await call('/models')).text));
    expectValid('Model', JSON.parse((await call('/models/chat')).text));
    const missing = await call('/chat/completions', { model: 'missing', messages: [{ role: 'user', content: 'x' }] });
    expect(missing.status).toBe(404);
    expectValid('ErrorResponse', JSON.parse(missing.text));
  });
});
