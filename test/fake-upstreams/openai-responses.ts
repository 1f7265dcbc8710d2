/**
 * The fake OpenAI upstream's `POST /v1/responses`: a native Responses API answer (JSON or event
 * stream), written out by hand — not with TokenHub's encoder — so pass-through tests check TokenHub
 * against the wire format, not against itself. The reply text is split into `chunks` deltas; usage is
 * input = `promptTokens` (of which `cachedTokens` cached), output = number of deltas, reasoning = 2.
 */
import type { ServerResponse } from 'node:http';

export interface FakeResponsesAnswer {
  reply: string;
  pieces: string[];
  promptTokens: number;
  cachedTokens: number;
  omitUsage: boolean;
}

export function answerResponses(
  response: ServerResponse,
  body: Record<string, unknown>,
  counter: number,
  answer: FakeResponsesAnswer,
): void {
  const id = `resp_fake${counter}`;
  const messageId = `msg_fake${counter}`;
  const usage = answer.omitUsage
    ? null
    : {
        input_tokens: answer.promptTokens,
        input_tokens_details: { cached_tokens: answer.cachedTokens },
        output_tokens: answer.pieces.length,
        output_tokens_details: { reasoning_tokens: 2 },
        total_tokens: answer.promptTokens + answer.pieces.length,
      };
  const base = {
    id,
    object: 'response',
    created_at: 1_700_000_000 + counter,
    model: String(body.model),
    error: null,
    incomplete_details: null,
    instructions: body.instructions ?? null,
    metadata: {},
    parallel_tool_calls: true,
    previous_response_id: body.previous_response_id ?? null,
    store: body.store ?? true,
    temperature: 1,
    tool_choice: 'auto',
    tools: body.tools ?? [],
    top_p: 1,
  };
  const part = { type: 'output_text', text: answer.reply, annotations: [], logprobs: [] };
  const message = { type: 'message', id: messageId, status: 'completed', role: 'assistant', content: [part] };
  if (body.stream !== true) {
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ ...base, status: 'completed', output: [message], usage }));
    return;
  }
  response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  let sequence = 0;
  const send = (type: string, fields: Record<string, unknown>): void => {
    response.write(`event: ${type}\ndata: ${JSON.stringify({ type, sequence_number: sequence++, ...fields })}\n\n`);
  };
  const inProgress = { ...base, status: 'in_progress', output: [], usage: null };
  send('response.created', { response: inProgress });
  send('response.in_progress', { response: inProgress });
  send('response.output_item.added', { output_index: 0, item: { ...message, status: 'in_progress', content: [] } });
  send('response.content_part.added', { item_id: messageId, output_index: 0, content_index: 0, part: { ...part, text: '' } });
  for (const delta of answer.pieces) {
    send('response.output_text.delta', { item_id: messageId, output_index: 0, content_index: 0, delta, logprobs: [] });
  }
  send('response.output_text.done', { item_id: messageId, output_index: 0, content_index: 0, text: answer.reply, logprobs: [] });
  send('response.content_part.done', { item_id: messageId, output_index: 0, content_index: 0, part });
  send('response.output_item.done', { output_index: 0, item: message });
  send('response.completed', { response: { ...base, status: 'completed', output: [message], usage } });
  response.end();
}
