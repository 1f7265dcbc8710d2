import { HubError, type Usage } from '../../core/index.js';
import type { Admission } from '../../economy/index.js';
import type { ForwardResponse } from '../../providers/index.js';
import type { Routed } from '../../routing/index.js';
import { usageFromResponses } from '../../wire/responses/index.js';
import { SseParser, sseEvent } from '../../wire/sse.js';
import type { SseWriter } from '../http/sse-writer.js';
import { type GatewayCall, settlementBase } from '../pipeline/index.js';

/**
 * Native fast path: an upstream that speaks the Responses API gets the client's body (re-targeted) and
 * its events go back to the client as they come. TokenHub only watches for the terminal event, whose
 * response carries the usage to bill (once) and is what gets stored.
 */

const TERMINAL_EVENTS = new Set(['response.completed', 'response.incomplete', 'response.failed']);
const DELTA_EVENTS = new Set(['response.output_text.delta', 'response.function_call_arguments.delta', 'response.reasoning_text.delta']);

/** Non-streaming: the body is read whole (usage is in it), settled, and sent on unchanged. */
export async function relayResponsesJson(
  call: GatewayCall,
  admission: Admission,
  routed: Routed<ForwardResponse>,
): Promise<{ text: string; response: Record<string, unknown> }> {
  const chunks: Buffer[] = [];
  try {
    for await (const chunk of call.timing.waitOnIterable(routed.value.body)) chunks.push(Buffer.from(chunk));
  } catch (error) {
    routed.finish('failure');
    const failure =
      routed.signal.reason instanceof HubError
        ? routed.signal.reason
        : new HubError('UPSTREAM_ERROR', `upstream ${routed.attempt.provider.id} body broke: ${(error as Error).message}`);
    settle(call, admission, routed, false, null, '', failure);
    throw failure;
  }
  const text = Buffer.concat(chunks).toString('utf8');
  const response = parseObject(text);
  if (!response) {
    routed.finish('failure');
    const failure = new HubError('UPSTREAM_ERROR', `upstream ${routed.attempt.provider.id} sent a body that is not a JSON object`);
    settle(call, admission, routed, false, null, '', failure);
    throw failure;
  }
  routed.finish('success');
  const usage = usageFromResponses(response.usage);
  settle(call, admission, routed, false, usage, usage ? '' : outputTextOf(response));
  return { text, response };
}

/**
 * Streaming: events are re-framed one by one (same event name, same data). `beforeTerminal` runs
 * with the final response before its event reaches the client, so a stored response exists by the
 * time the client can refer to it.
 */
export async function relayResponsesStream(
  call: GatewayCall,
  admission: Admission,
  routed: Routed<ForwardResponse>,
  writer: SseWriter,
  beforeTerminal: (response: Record<string, unknown>) => Promise<void>,
): Promise<void> {
  const parser = new SseParser();
  const decoder = new TextDecoder();
  const ttfbMs = call.timing.elapsedMs();
  let usage: Usage | null = null;
  let terminal = false;
  let failure: HubError | undefined;
  // Delta payloads, decoded only if the upstream never reports usage (tokenizer fallback).
  const deltas: string[] = [];
  const iterator = routed.value.body[Symbol.asyncIterator]();
  try {
    for (;;) {
      call.timing.beginUpstreamWait();
      let next: IteratorResult<Uint8Array>;
      try {
        next = await iterator.next();
      } finally {
        call.timing.endUpstreamWait();
      }
      if (next.done) break;
      for (const event of parser.push(decoder.decode(next.value, { stream: true }))) {
        const type = event.event ?? typeOf(event.data);
        if (type && TERMINAL_EVENTS.has(type)) {
          const response = parseObject(event.data)?.response as Record<string, unknown> | undefined;
          if (response) {
            terminal = true;
            usage = usageFromResponses(response.usage);
            if (type === 'response.failed') failure = new HubError('UPSTREAM_ERROR', `upstream ${routed.attempt.provider.id} failed the response`);
            else await beforeTerminal(response);
          }
        } else if (type === 'error') {
          failure ??= new HubError('UPSTREAM_ERROR', `upstream ${routed.attempt.provider.id} failed mid-stream`);
        } else if (type && DELTA_EVENTS.has(type)) {
          deltas.push(event.data);
        }
        await writer.write(type ? sseEvent(type, event.data) : `data: ${event.data}\n\n`);
      }
      if (writer.isClosed) break;
    }
    if (!terminal && !failure && !writer.isClosed) {
      failure = new HubError('UPSTREAM_ERROR', `upstream ${routed.attempt.provider.id} ended the stream early`);
    }
  } catch (error) {
    failure =
      routed.signal.reason instanceof HubError
        ? routed.signal.reason
        : new HubError('UPSTREAM_ERROR', `upstream ${routed.attempt.provider.id} stream broke: ${(error as Error).message}`);
  } finally {
    await iterator.return?.();
  }
  const clientLeft = call.signal.aborted || writer.isClosed;
  if (failure && !clientLeft && !terminal) {
    const code = failure.details.code ?? failure.code.toLowerCase();
    const error = { type: failure.spec.openaiType, code, message: failure.message, param: null };
    await writer.write(sseEvent('error', JSON.stringify({ type: 'error', sequence_number: 0, code, message: failure.message, param: null, error })));
  }
  writer.end();
  routed.finish(failure && !clientLeft ? 'failure' : clientLeft ? 'neutral' : 'success');
  settle(call, admission, routed, true, usage, usage ? '' : deltaText(deltas), failure, clientLeft, ttfbMs);
}

function settle(
  call: GatewayCall,
  admission: Admission,
  routed: Routed<ForwardResponse>,
  stream: boolean,
  usage: Usage | null,
  outputText: string,
  failure?: HubError,
  clientLeft = false,
  ttfbMs?: number,
): void {
  admission.settle({
    ...settlementBase(call, routed, stream),
    usage,
    outputText,
    status: clientLeft ? 499 : failure ? failure.status : 200,
    ...(failure ? { error: failure } : {}),
    ...(ttfbMs !== undefined ? { ttfbMs } : {}),
  });
}

function parseObject(text: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** The event type from the data when the upstream sent no `event:` line. */
function typeOf(data: string): string | undefined {
  const match = /^\{\s*"type"\s*:\s*"([^"]+)"/.exec(data);
  if (match) return match[1];
  const parsed = parseObject(data);
  return typeof parsed?.type === 'string' ? parsed.type : undefined;
}

function deltaText(payloads: string[]): string {
  let text = '';
  for (const payload of payloads) {
    const delta = parseObject(payload)?.delta;
    if (typeof delta === 'string') text += delta;
  }
  return text;
}

/** Generated text of a Response object, for the tokenizer when the upstream reported no usage. */
function outputTextOf(response: Record<string, unknown>): string {
  let text = '';
  const output = Array.isArray(response.output) ? (response.output as Record<string, unknown>[]) : [];
  for (const item of output) {
    if (typeof item.arguments === 'string') text += String(item.name ?? '') + item.arguments;
    const content = Array.isArray(item.content) ? (item.content as Record<string, unknown>[]) : [];
    for (const part of content) if (typeof part.text === 'string') text += part.text;
  }
  return text;
}
