import { errorOf, requestHeaders, sse } from '../../api/client';

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export interface StreamUsage {
  prompt_tokens: number;
  completion_tokens: number;
}

export interface StreamEnd {
  /** The hub's id of the request (`x-request-id`), which its ledger row carries. */
  requestId: string | null;
  usage: StreamUsage | null;
  /** An error the hub sent inside the stream, after it had started. */
  error: string | null;
}

interface Chunk {
  choices?: { delta?: { content?: string | null } }[];
  usage?: StreamUsage | null;
  error?: { message?: string };
}

/**
 * One streamed chat completion (`stream: true` with the usage chunk), calling `onText` with each piece as it
 * arrives. A refusal before the stream starts throws ApiError (401: the key, for the caller to replace); an
 * abort through `signal` throws the AbortError after whatever text already arrived.
 */
export async function streamChat(
  key: string,
  body: { model: string; messages: ChatMessage[] },
  signal: AbortSignal,
  onText: (text: string) => void,
  onStart: (requestId: string | null) => void,
): Promise<StreamEnd> {
  const response = await fetch('/v1/chat/completions', {
    method: 'POST',
    headers: { ...requestHeaders({ method: 'POST', body, bearer: key }), accept: 'text/event-stream' },
    body: JSON.stringify({ ...body, stream: true, stream_options: { include_usage: true } }),
    credentials: 'omit',
    signal,
  });
  if (!response.ok) throw await errorOf(response);
  const requestId = response.headers.get('x-request-id');
  onStart(requestId);
  let usage: StreamUsage | null = null;
  let error: string | null = null;
  for await (const event of sse(response)) {
    if (event.data === '[DONE]') break;
    let chunk: Chunk;
    try {
      chunk = JSON.parse(event.data) as Chunk;
    } catch {
      continue;
    }
    if (chunk.error) error = chunk.error.message ?? 'error';
    const text = chunk.choices?.[0]?.delta?.content;
    if (text) onText(text);
    if (chunk.usage) usage = chunk.usage;
  }
  return { requestId, usage, error };
}
