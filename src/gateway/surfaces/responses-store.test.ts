/**
 * Regressions of the attack report's F9: a response answered with `"store": true` is stored, exactly,
 * whatever its input, instructions and metadata hold (NUL and unpaired surrogates included), and a
 * store that fails for any other reason is answered with `"store": false`, never claimed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeOpenAI, startFakeOpenAI } from '../../../test/fake-upstreams/openai.js';
import { ADMIN_KEY, type ResponsesHub, startResponsesHub, TENANT_A_KEY, TENANT_B_KEY } from '../../../test/support/responses-hub.js';

let upstream: FakeOpenAI;
let nativeA: FakeOpenAI;
let nativeB: FakeOpenAI;
let hub: ResponsesHub;

const EDGY = 'a\u0000b \ud800 c\udfff \udbff\udfff 😀 \\u0000';

beforeAll(async () => {
  upstream = await startFakeOpenAI();
  // Two native upstreams that both number their responses from 1: their ids collide across tenants.
  nativeA = await startFakeOpenAI({ reply: 'Native A.' });
  nativeB = await startFakeOpenAI({ reply: 'Native B.' });
  hub = await startResponsesHub({
    providers: [
      { id: 'chat-only', type: 'openai', base_url: upstream.url },
      { id: 'native-a', type: 'openai', base_url: nativeA.url, responses_api: true },
      { id: 'native-b', type: 'openai', base_url: nativeB.url, responses_api: true },
    ],
    models: [
      { name: 'gpt-test', targets: [{ provider: 'chat-only', model: 'upstream-gpt' }] },
      { name: 'native-a', targets: [{ provider: 'native-a', model: 'up-a' }] },
      { name: 'native-b', targets: [{ provider: 'native-b', model: 'up-b' }] },
    ],
    routing: { retries: 0, timeout_ms: 5_000, first_byte_timeout_ms: 2_000 },
  });
});

afterAll(async () => {
  await hub?.close();
  await upstream?.close();
  await nativeA?.close();
  await nativeB?.close();
});

type Json = Record<string, unknown>;

async function call(method: string, path: string, key: string, body?: unknown): Promise<{ status: number; text: string; json: Json }> {
  const response = await fetch(`${hub.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  const isJson = response.headers.get('content-type')?.startsWith('application/json') ?? false;
  return { status: response.status, text, json: isJson ? (JSON.parse(text) as Json) : {} };
}

/** The response carried by the stream's terminal event. */
function terminalResponse(sse: string): Json {
  for (const frame of sse.split('\n\n')) {
    const event = /^event: (.*)$/m.exec(frame)?.[1];
    const data = /^data: (.*)$/m.exec(frame)?.[1];
    if (data && (event === 'response.completed' || event === 'response.incomplete'))
      return (JSON.parse(data) as { response: Json }).response;
  }
  throw new Error(`no terminal event in ${sse.slice(0, 500)}`);
}

const lastChatMessages = (): unknown => upstream.requests.at(-1)?.body?.messages;

describe('input the database cannot hold as such is stored exactly', () => {
  for (const stream of [false, true]) {
    it(`round-trips NUL and unpaired surrogates in input, instructions and metadata (stream: ${stream})`, async () => {
      const created = await call('POST', '/v1/responses', TENANT_A_KEY, {
        model: 'gpt-test',
        input: EDGY,
        instructions: `be ${EDGY}`,
        metadata: { note: EDGY },
        stream,
      });
      expect(created.status).toBe(200);
      const response = stream ? terminalResponse(created.text) : created.json;
      expect(response.store).toBe(true);
      const id = response.id as string;

      const stored = await call('GET', `/v1/responses/${id}`, TENANT_A_KEY);
      expect(stored.status).toBe(200);
      expect(stored.json.instructions).toBe(`be ${EDGY}`);
      expect(stored.json.metadata).toEqual({ note: EDGY });
      expect(stored.json.output).toEqual(response.output);

      const items = await call('GET', `/v1/responses/${id}/input_items`, TENANT_A_KEY);
      expect(items.status).toBe(200);
      expect(items.json.data).toMatchObject([{ type: 'message', role: 'user', content: [{ type: 'input_text', text: EDGY }] }]);

      const next = await call('POST', '/v1/responses', TENANT_A_KEY, { model: 'gpt-test', input: 'and then?', previous_response_id: id });
      expect(next.status).toBe(200);
      expect(next.json.store).toBe(true);
      // The stored turn is replayed to the upstream as it was sent (instructions do not carry over).
      expect(lastChatMessages()).toEqual([
        { role: 'user', content: [{ type: 'text', text: EDGY }] },
        { role: 'assistant', content: 'Hello from fake OpenAI!' },
        { role: 'user', content: 'and then?' },
      ]);
    });
  }
});

describe('a store that fails is never claimed', () => {
  it('answers store: false when the database refuses the write, streamed or not', async () => {
    await hub.testDb.db.query('alter table responses rename to responses_away');
    try {
      const plain = await call('POST', '/v1/responses', ADMIN_KEY, { model: 'gpt-test', input: 'hi' });
      expect(plain.status).toBe(200);
      expect(plain.json).toMatchObject({ status: 'completed', store: false });
      const streamed = await call('POST', '/v1/responses', ADMIN_KEY, { model: 'gpt-test', input: 'hi', stream: true });
      expect(streamed.status).toBe(200);
      expect(terminalResponse(streamed.text)).toMatchObject({ status: 'completed', store: false });
      // The answer itself was billed once each, as usual.
      expect(hub.gate.calls.slice(-2).map((recorded) => recorded.settlements.length)).toEqual([1, 1]);
    } finally {
      await hub.testDb.db.query('alter table responses_away rename to responses');
    }
  });

  it('answers store: false when a native upstream reuses an id another tenant holds, JSON or stream', async () => {
    for (const stream of [false, true]) {
      const own = await call('POST', '/v1/responses', TENANT_A_KEY, { model: 'native-a', input: 'mine', stream });
      const ownResponse = stream ? terminalResponse(own.text) : own.json;
      expect(ownResponse.store).toBe(true);

      const other = await call('POST', '/v1/responses', TENANT_B_KEY, { model: 'native-b', input: 'theirs', stream });
      expect(other.status).toBe(200);
      const otherResponse = stream ? terminalResponse(other.text) : other.json;
      expect(otherResponse.id).toBe(ownResponse.id);
      expect(otherResponse.store).toBe(false);
      expect(otherResponse.output).toMatchObject([{ type: 'message', content: [{ text: 'Native B.' }] }]);

      expect((await call('GET', `/v1/responses/${ownResponse.id as string}`, TENANT_B_KEY)).status).toBe(404);
      const kept = await call('GET', `/v1/responses/${ownResponse.id as string}`, TENANT_A_KEY);
      expect(kept.json.output).toMatchObject([{ type: 'message', content: [{ text: 'Native A.' }] }]);
    }
  });
});
