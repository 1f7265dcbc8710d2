/**
 * A fake OpenAI-wire upstream for the supplier-match tests, a real HTTP server on 127.0.0.1:
 *
 * - chat completions: a fixed `search_suppliers` tool call for each seller sentence it was given (the last user
 *   message), then, once the tool answered, a short text; fixed usage per answer;
 * - embeddings: deterministic vectors (the text's words hashed into 32 dimensions, so texts sharing words are
 *   close), usage = the words counted; or a 500 while `failEmbeddings` is set.
 */
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

type Json = Record<string, unknown>;

export const TOOL_CALL_USAGE = { prompt_tokens: 900, completion_tokens: 40 };
export const FINAL_USAGE = { prompt_tokens: 1400, completion_tokens: 12 };
export const DIMENSIONS = 32;

export interface FakeSupplierModel {
  url: string;
  /** Every chat request body received, oldest first. */
  chats: Json[];
  /** Every embeddings request body received. */
  embeddings: Json[];
  failEmbeddings: boolean;
  close(): Promise<void>;
}

const wordsOf = (text: string): string[] => text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];

/** The vector the fake answers for a text (exported so a test can compute the same similarity). */
export function fakeVector(text: string): number[] {
  const vector = new Array<number>(DIMENSIONS).fill(0);
  for (const word of wordsOf(text)) {
    const slot = createHash('sha256').update(word).digest().readUInt32BE(0) % DIMENSIONS;
    vector[slot] = (vector[slot] ?? 0) + 1;
  }
  return vector;
}

const messageText = (message: Json | undefined): string =>
  typeof message?.content === 'string'
    ? message.content
    : Array.isArray(message?.content)
      ? (message.content as Json[]).map((part) => String(part.text ?? '')).join('')
      : '';

async function bodyOf(request: IncomingMessage): Promise<Json> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Json;
}

function send(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(JSON.stringify(body));
}

/** Starts the fake; `toolCalls` maps a seller's sentence to the arguments of the search the "model" makes for it. */
export async function startFakeSupplierModel(toolCalls: ReadonlyMap<string, Json> = new Map()): Promise<FakeSupplierModel> {
  let counter = 0;
  const fake: FakeSupplierModel = {
    url: '',
    chats: [],
    embeddings: [],
    failEmbeddings: false,
    close: async () => {},
  };
  const server = createServer((request, response) => {
    void (async () => {
      const body = await bodyOf(request);
      // `url` is the provider's base_url: paths come under it.
      const path = (request.url ?? '').split('?')[0]?.replace(/^\/v1/, '');
      if (path === '/embeddings') {
        fake.embeddings.push(body);
        if (fake.failEmbeddings) return send(response, 500, { error: { message: 'embedding backend down', type: 'server_error' } });
        const inputs = (Array.isArray(body.input) ? body.input : [body.input]).map(String);
        const tokens = inputs.reduce((sum, text) => sum + wordsOf(text).length, 0);
        return send(response, 200, {
          object: 'list',
          model: body.model,
          data: inputs.map((text, index) => ({ object: 'embedding', index, embedding: fakeVector(text) })),
          usage: { prompt_tokens: tokens, total_tokens: tokens },
        });
      }
      if (path !== '/chat/completions') return send(response, 404, { error: { message: `no ${path}` } });
      fake.chats.push(body);
      const messages = (body.messages ?? []) as Json[];
      const last = messages.at(-1);
      const args = last?.role === 'user' ? toolCalls.get(messageText(last)) : undefined;
      counter += 1;
      const usage = args ? TOOL_CALL_USAGE : FINAL_USAGE;
      const message = args
        ? {
            role: 'assistant',
            content: null,
            tool_calls: [
              { id: `call_${counter}`, type: 'function', function: { name: 'search_suppliers', arguments: JSON.stringify(args) } },
            ],
          }
        : { role: 'assistant', content: 'Here is the shortlist.' };
      return send(response, 200, {
        id: `chatcmpl-${counter}`,
        object: 'chat.completion',
        created: 1_700_000_000,
        model: body.model,
        choices: [{ index: 0, message, finish_reason: args ? 'tool_calls' : 'stop' }],
        usage: { ...usage, total_tokens: usage.prompt_tokens + usage.completion_tokens },
      });
    })().catch((error: unknown) => send(response, 500, { error: { message: String(error) } }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  fake.close = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      // The hub's pool keeps connections alive; close waits for none.
      server.closeAllConnections();
    });
  return fake;
}
