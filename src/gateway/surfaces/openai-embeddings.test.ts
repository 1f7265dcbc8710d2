/**
 * Embeddings come back in the encoding the client asked for, whatever the upstream sent. The `openai`
 * SDK asks for base64 by default and decodes it as float32 little-endian; an upstream that ignores
 * `encoding_format` and sends floats must not reach it as such (LangChain's OpenAIEmbeddings got a
 * vector of the wrong length). The fake upstream's vector is [0.1, -0.2, 0.3] (0.2 first for a second input).
 */
import OpenAI from 'openai';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type FakeOpenAI, startFakeOpenAI } from '../../../test/fake-upstreams/openai.js';
import { startTestHub, type TestHub } from '../../../test/support/hub.js';

let upstream: FakeOpenAI;
let hub: TestHub;
let client: OpenAI;

beforeAll(async () => {
  upstream = await startFakeOpenAI();
  hub = await startTestHub({
    providers: [{ id: 'main', type: 'openai', base_url: upstream.url }],
    models: [{ name: 'embed-test', kind: 'embedding', targets: [{ provider: 'main', model: 'text-embedding-3-small' }] }],
    routing: { retries: 0, backoff_ms: 1 },
  });
  client = new OpenAI({ apiKey: hub.adminKey, baseURL: hub.openaiBaseUrl, maxRetries: 0 });
});

afterAll(async () => {
  await hub?.close();
  await upstream?.close();
});

afterEach(() => upstream.set({ embeddingsEncoding: 'float' }));

function expectVector(actual: readonly number[] | undefined, expected: number[]): void {
  expect(actual).toHaveLength(expected.length);
  for (const [index, value] of expected.entries()) expect(actual?.[index]).toBeCloseTo(value, 6);
}

function decodeFloat32(text: string): number[] {
  const bytes = Buffer.from(text, 'base64');
  return Array.from({ length: bytes.length / 4 }, (_, index) => bytes.readFloatLE(index * 4));
}

describe('POST /v1/embeddings encoding', () => {
  it('the SDK default (it asks for base64 and decodes it) gets the right vectors from a float-only upstream', async () => {
    const answer = await client.embeddings.create({ model: 'embed-test', input: ['one', 'two'] });
    expect(upstream.requests.at(-1)?.body?.encoding_format).toBe('base64');
    expectVector(answer.data[0]?.embedding, [0.1, -0.2, 0.3]);
    expectVector(answer.data[1]?.embedding, [0.2, -0.2, 0.3]);
  });

  it('an explicit base64 request gets float32 little-endian base64', async () => {
    const answer = await client.embeddings.create({ model: 'embed-test', input: 'one', encoding_format: 'base64' });
    const embedding = answer.data[0]?.embedding as unknown;
    expect(typeof embedding).toBe('string');
    expectVector(decodeFloat32(embedding as string), [0.1, -0.2, 0.3]);
  });

  it('a float request gets number arrays from an upstream that sends base64', async () => {
    upstream.set({ embeddingsEncoding: 'base64' });
    const answer = await client.embeddings.create({ model: 'embed-test', input: 'one', encoding_format: 'float' });
    expect(Array.isArray(answer.data[0]?.embedding)).toBe(true);
    expectVector(answer.data[0]?.embedding, [0.1, -0.2, 0.3]);
    // And the SDK default still decodes what an honest base64 upstream sent.
    expectVector((await client.embeddings.create({ model: 'embed-test', input: 'one' })).data[0]?.embedding, [0.1, -0.2, 0.3]);
  });
});
